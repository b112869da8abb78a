// Runs ffmpeg for the synthetic-device tests. A test that needs ffmpeg skips only when it is missing
// and PARLEY_REQUIRE_ALL_TESTS is not '1'; CI sets it, so there a missing decoder fails the test.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { TestContext } from 'node:test';

export interface FfmpegResult {
  code: number | null;
  stdout: Buffer;
  stderr: string;
}

/** Runs `ffmpeg` with `args`, collecting stdout as bytes; never rejects for a non-zero exit. */
export function runFfmpeg(args: readonly string[]): Promise<FfmpegResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('ffmpeg', ['-nostdin', '-hide_banner', ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', reject);
    child.on('close', (code) =>
      resolve({ code, stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString('utf8') }),
    );
  });
}

let decoderList: Promise<string | null> | undefined;

function listDecoders(): Promise<string | null> {
  decoderList ??= runFfmpeg(['-decoders']).then(
    (r) => (r.code === 0 ? r.stdout.toString('utf8') : null),
    () => null,
  );
  return decoderList;
}

/**
 * True if ffmpeg has every decoder in `decoders`. Otherwise fails the test when all tests are
 * required, or skips it and returns false.
 */
export async function requireDecoders(t: TestContext, decoders: readonly string[]): Promise<boolean> {
  const list = await listDecoders();
  const missing = decoders.filter((d) => !list || !new RegExp(`^ [A-Z.]{6} ${d} `, 'm').test(list));
  if (missing.length === 0) return true;
  const what = list ? `ffmpeg decoders ${missing.join(', ')}` : 'ffmpeg';
  if (process.env['PARLEY_REQUIRE_ALL_TESTS'] === '1') assert.fail(`${what} required but not installed`);
  t.skip(`${what} not installed`);
  return false;
}
