/**
 * The outside world of the CLI: where text goes, which environment and working directory apply, and what
 * stops a long-running command. `main` takes one of these so tests can run every command in-process.
 */

/** What a command may touch besides the file system. */
export interface CliIo {
  /** Writes text to standard output, as is (commands add their own newlines). */
  stdout(text: string): void;
  /** Writes text to standard error, as is. */
  stderr(text: string): void;
  /** Environment variables (`PARLEY_*`). Tests pass their own object, so the real environment never leaks in. */
  env: Readonly<Record<string, string | undefined>>;
  /** Directory relative paths (`--config`, `--data-dir`, the default `.parley`) are resolved against. */
  cwd: string;
  /**
   * Stops a long-running command (`serve`) when aborted, as SIGINT or SIGTERM would. When absent, `serve`
   * listens for SIGINT and SIGTERM itself.
   */
  signal?: AbortSignal;
}

/** Environment variables, as in `process.env`. */
export type Env = CliIo['env'];

/** The real process: its stdout, stderr, environment and working directory; stop by SIGINT/SIGTERM. */
export function processIo(): CliIo {
  return {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    env: process.env,
    cwd: process.cwd(),
  };
}
