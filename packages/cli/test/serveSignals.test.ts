/**
 * `parley serve` as a process, stopped the way service managers and terminals stop it: SIGTERM and SIGINT start
 * a drain, which ends at once when no client is connected (restart.test.ts of @parley/node drains connected
 * clients, and stops a drain with a second signal).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { SECRET, SIGN, tempDir, writeJson } from './support/cli.js';

const BIN = fileURLToPath(new URL('../src/bin.js', import.meta.url));

/** Starts `parley serve` on a free port; resolves once its banner is out, with the means to signal it. */
async function startServe(): Promise<{
  signal(name: NodeJS.Signals): void;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stderr(): string;
  httpUrl: string;
}> {
  const dir = await tempDir();
  const config = await writeJson(dir, 'parley.json', {
    port: 0,
    logLevel: 'info',
    apps: [{ appID: 42, appSign: SIGN, serverSecret: SECRET }],
  });
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env))
    if (!key.startsWith('PARLEY_') && value !== undefined) env[key] = value;
  const child = spawn(process.execPath, [BIN, 'serve', '--config', config], { cwd: dir, env });
  let out = '';
  let err = '';
  child.stderr.setEncoding('utf8').on('data', (text: string) => {
    err += text;
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const banner = await new Promise<string>((resolve, reject) => {
    child.stdout.setEncoding('utf8').on('data', (text: string) => {
      out += text;
      if (out.includes('Press Ctrl+C to stop.')) resolve(out);
    });
    void exited.then((end) => reject(new Error(`serve ended early (${JSON.stringify(end)}): ${err}`)));
  });
  const httpUrl = /Health +(http:\/\/\S+)\/healthz/.exec(banner)?.[1];
  assert.ok(httpUrl !== undefined, banner);
  return { signal: (name) => child.kill(name), exited, stderr: () => err, httpUrl };
}

describe('parley serve and signals', () => {
  for (const name of ['SIGTERM', 'SIGINT'] as const) {
    it(`${name} drains; with no client connected the server exits with 0 at once`, async () => {
      const serve = await startServe();
      const health = await fetch(`${serve.httpUrl}/healthz`);
      assert.equal(health.status, 200);
      await health.body?.cancel();
      serve.signal(name);
      assert.deepEqual(await serve.exited, { code: 0, signal: null });
      assert.match(
        serve.stderr(),
        new RegExp(`Stopping Parley: telling the clients to reconnect \\(${name} again`),
      );
      assert.match(serve.stderr(), /"msg":"draining"/);
      await assert.rejects(fetch(`${serve.httpUrl}/healthz`), 'the server no longer listens');
    });
  }
});
