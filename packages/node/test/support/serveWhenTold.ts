/**
 * A child process of the restart tests: `parley serve` with its arguments, loaded ahead and run when told (any
 * line on stdin). A supervisor restarting a crashed server pays the load time of Node and the server's modules
 * first; loading them beforehand leaves only the server's own start — what a restart "within a second" means
 * on a machine where loading alone can take longer. It is the real command: `main` of @parley/cli with the
 * process's own output and signals.
 */
import { main } from '@parley/cli';

// `parley serve` loads the server only once its configuration is checked; load it now.
await import('@parley/server');
process.stdout.write('loaded\n');
process.stdin.once('data', () => {
  process.stdin.pause();
  void main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
});
