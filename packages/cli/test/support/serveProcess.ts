/**
 * `parley serve` as a child process of the test, run from the built bin: its banner, its output awaited line by
 * line, its exit, and signals. For the tests of `--workers`, whose processes cannot run inside the test's own.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../src/bin.js', import.meta.url));

/** How a process ended. */
export interface Ended {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** A running `parley serve`. */
export interface ServeProcess {
  pid: number;
  banner: string;
  /** `http(s)://host:port`, from the banner. */
  httpUrl: string;
  exited: Promise<Ended>;
  stderr(): string;
  /** Resolves with the match once standard error matches `pattern` (checked again on every chunk). */
  untilErr(pattern: RegExp): Promise<RegExpExecArray>;
  signal(name: NodeJS.Signals): void;
}

/** The environment of the test without any `PARLEY_*` variable, with `extra` added. */
export function cleanEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env))
    if (!key.startsWith('PARLEY_') && value !== undefined) env[key] = value;
  return { ...env, ...extra };
}

/**
 * Starts `parley serve ...args` in `cwd`; resolves once its banner is out.
 * @throws if it ends before, with its standard error.
 */
export async function startServeProcess(
  args: readonly string[],
  options: { cwd: string; env?: Record<string, string> },
): Promise<ServeProcess> {
  const child = spawn(process.execPath, [BIN, 'serve', ...args], {
    cwd: options.cwd,
    env: options.env ?? cleanEnv(),
  });
  let out = '';
  let err = '';
  const waiters: Array<{ pattern: RegExp; resolve: (m: RegExpExecArray) => void }> = [];
  child.stderr.setEncoding('utf8').on('data', (text: string) => {
    err += text;
    for (const w of [...waiters]) {
      const match = w.pattern.exec(err);
      if (match === null) continue;
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve(match);
    }
  });
  const exited = new Promise<Ended>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const banner = await new Promise<string>((resolve, reject) => {
    child.stdout.setEncoding('utf8').on('data', (text: string) => {
      out += text;
      if (out.includes('Press Ctrl+C to stop.')) resolve(out);
    });
    void exited.then((end) => reject(new Error(`serve ended early (${JSON.stringify(end)}): ${err}`)));
  });
  const httpUrl = /Health +(https?:\/\/\S+)\/healthz/.exec(banner)?.[1];
  assert.ok(httpUrl !== undefined, banner);
  return {
    pid: child.pid!,
    banner,
    httpUrl,
    exited,
    stderr: () => err,
    untilErr: (pattern) => {
      const match = pattern.exec(err);
      if (match !== null) return Promise.resolve(match);
      return new Promise((resolve, reject) => {
        waiters.push({ pattern, resolve });
        void exited.then((end) =>
          reject(new Error(`serve ended (${JSON.stringify(end)}) before ${pattern}: ${err}`)),
        );
      });
    },
    signal: (name) => child.kill(name),
  };
}

/** The workers the banner lists: index, pid and node ID. */
export function bannerWorkers(banner: string): Array<{ index: number; pid: number; nodeID: string }> {
  return [...banner.matchAll(/\n {4}worker (\d+) +pid (\d+) +node (\S+) /g)].map((m) => ({
    index: Number(m[1]),
    pid: Number(m[2]),
    nodeID: m[3]!,
  }));
}

/** True while a process `pid` exists. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
