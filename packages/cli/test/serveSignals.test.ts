/**
 * `parley serve` as a process, stopped the way service managers and terminals stop it: SIGTERM and SIGINT start
 * a drain, which ends at once when no client is connected (restart.test.ts of @parley/node drains connected
 * clients, and stops a drain with a second signal).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SECRET, SIGN, tempDir, writeJson } from './support/cli.js';
import { type ServeProcess, startServeProcess } from './support/serveProcess.js';

/** Starts `parley serve` on a free port; resolves once its banner is out, with the means to signal it. */
async function startServe(): Promise<ServeProcess> {
  const dir = await tempDir();
  const config = await writeJson(dir, 'parley.json', {
    port: 0,
    logLevel: 'info',
    apps: [{ appID: 42, appSign: SIGN, serverSecret: SECRET }],
  });
  return startServeProcess(['--config', config], { cwd: dir });
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
