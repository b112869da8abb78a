/** Helpers of the CLI tests: temporary directories, captured output, valid app credentials. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import type { CliIo } from '../../src/index.js';

/** A valid AppSign (64 hex). */
export const SIGN = 'ab'.repeat(32);
/** A valid ServerSecret (32 characters). */
export const SECRET = '0123456789abcdef0123456789abcdef';

/** A fresh directory under the OS temp dir, removed after the current test file's suite. */
export async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'parley-cli-'));
  after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** Writes `content` (JSON-encoded unless a string) to `dir/name`; returns the path. */
export async function writeJson(dir: string, name: string, content: unknown): Promise<string> {
  const file = join(dir, name);
  await writeFile(file, typeof content === 'string' ? content : JSON.stringify(content));
  return file;
}

/** An io that records what a command writes, with a hermetic environment. */
export interface Captured {
  io: CliIo;
  out(): string;
  err(): string;
  /** Resolves with the whole stdout once it contains `text`. */
  untilOut(text: string): Promise<string>;
}

export function capture(options: { env?: CliIo['env']; cwd?: string; signal?: AbortSignal } = {}): Captured {
  let out = '';
  let err = '';
  const waiters: Array<{ text: string; resolve: (out: string) => void }> = [];
  const io: CliIo = {
    stdout: (text) => {
      out += text;
      for (const w of waiters.filter((w) => out.includes(w.text))) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(out);
      }
    },
    stderr: (text) => {
      err += text;
    },
    env: options.env ?? {},
    cwd: options.cwd ?? tmpdir(),
  };
  if (options.signal !== undefined) io.signal = options.signal;
  return {
    io,
    out: () => out,
    err: () => err,
    untilOut: (text) =>
      out.includes(text) ? Promise.resolve(out) : new Promise((resolve) => waiters.push({ text, resolve })),
  };
}
