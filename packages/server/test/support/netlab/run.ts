/** Runs a command to completion, for the lab's set-up steps and for tests' one-shot commands. */
import { spawn } from 'node:child_process';

/** What a command printed. */
export interface RunResult {
  stdout: string;
  stderr: string;
}

/** Options of {@link run}. */
export interface RunOptions {
  /** Written to the command's stdin, which is then closed. */
  input?: string;
  /** Extra environment variables. */
  env?: NodeJS.ProcessEnv;
}

/** Runs `command args`; rejects with the command line, its exit status and its stderr when it fails. */
export function run(command: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: options.env ? { ...process.env, ...options.env } : process.env,
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', (error) => reject(new Error(`${command}: ${error.message}`)));
    child.on('close', (code, signal) => {
      const stdout = Buffer.concat(out).toString();
      const stderr = Buffer.concat(err).toString();
      if (code === 0) resolve({ stdout, stderr });
      else {
        const status = signal ? `signal ${signal}` : `exit code ${code}`;
        reject(
          new Error(`${[command, ...args].join(' ')} failed (${status}): ${stderr.trim() || stdout.trim()}`),
        );
      }
    });
    // A command that exits without reading its input must not fail the run with EPIPE.
    child.stdin.on('error', () => {});
    child.stdin.end(options.input ?? '');
  });
}
