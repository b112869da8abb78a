/**
 * The server's plain HTTP side: the web SDK and demo files it serves, and the development tokens it hands out
 * only for the development app.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { verifyToken04 } from '@parley/token';
import { createLogger, type RunningServer, startServer } from '../src/index.js';

const DEV = { appID: 777000111, appSign: 'ef'.repeat(32), serverSecret: 'a1b2c3d4e5f6a7b8a1b2c3d4e5f6a7b8' };
const OTHER = { appID: 42, appSign: '12'.repeat(32), serverSecret: '0123456789abcdef0123456789abcdef' };

const post = (url: string, body: string) => fetch(url, { method: 'POST', body });

describe('HTTP: SDK, demo page and development tokens', () => {
  let server: RunningServer;
  let plain: RunningServer;
  let demoDir: string;

  before(async () => {
    demoDir = await mkdtemp(join(tmpdir(), 'parley-demo-'));
    await writeFile(join(demoDir, 'index.html'), '<!doctype html><title>demo</title>');
    await writeFile(join(demoDir, 'demo.js'), 'export {};');
    const logger = createLogger({ level: 'silent' });
    server = await startServer({ apps: [DEV, OTHER], devAppID: DEV.appID, web: { demoDir }, logger });
    plain = await startServer({ apps: [OTHER], web: false, logger });
  });

  after(async () => {
    await server.close();
    await plain.close();
    await rm(demoDir, { recursive: true, force: true });
  });

  it('serves the SDK bundles with JavaScript content types, and the demo folder at /', async () => {
    for (const name of ['parley.mjs', 'parley.js']) {
      const res = await fetch(`${server.httpUrl}/sdk/${name}`);
      assert.equal(res.status, 200, name);
      assert.equal(res.headers.get('content-type'), 'text/javascript; charset=utf-8');
      assert.match(await res.text(), /ZegoExpressEngine/);
    }
    const index = await fetch(`${server.httpUrl}/`);
    assert.equal(index.headers.get('content-type'), 'text/html; charset=utf-8');
    assert.equal(await index.text(), '<!doctype html><title>demo</title>');
    const script = await fetch(`${server.httpUrl}/demo.js`);
    assert.equal(await script.text(), 'export {};');
    const head = await fetch(`${server.httpUrl}/sdk/parley.js`, { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(await head.text(), '');
  });

  it('never maps a request path onto the file system', async () => {
    for (const path of [
      '/../package.json',
      '/%2e%2e/package.json',
      '/sdk/../../package.json',
      '/sdk/',
      '/x',
    ]) {
      const res = await fetch(`${server.httpUrl}${path}`);
      assert.equal(res.status, 404, path);
      await res.body?.cancel();
    }
  });

  it('hands out 24-hour tokens for the development app, and only for it', async () => {
    const app = await (await fetch(`${server.httpUrl}/dev/app`)).json();
    assert.deepEqual(app, { appID: DEV.appID, tokenTtlSeconds: 86400 });
    const ok = await post(`${server.httpUrl}/dev/token`, JSON.stringify({ appID: DEV.appID, userID: 'ann' }));
    assert.equal(ok.status, 200);
    const { token, expiresInSeconds } = (await ok.json()) as { token: string; expiresInSeconds: number };
    assert.equal(expiresInSeconds, 86400);
    const claims = verifyToken04(token, { appId: DEV.appID, secret: DEV.serverSecret, userId: 'ann' });
    assert.ok(Math.abs(claims.expire - (Date.now() / 1000 + 86400)) < 5);

    const cases: [string, number, RegExp][] = [
      [JSON.stringify({ appID: OTHER.appID, userID: 'ann' }), 403, /only handed out for the development app/],
      [JSON.stringify({ appID: DEV.appID, userID: '' }), 400, /userID/],
      [JSON.stringify({ appID: DEV.appID, userID: 'x'.repeat(65) }), 400, /userID/],
      ['not json', 400, /must be JSON/],
      [JSON.stringify({ appID: DEV.appID, userID: 'a'.repeat(5000) }), 400, /must be JSON/],
    ];
    for (const [body, status, message] of cases) {
      const res = await post(`${server.httpUrl}/dev/token`, body);
      assert.equal(res.status, status, body.slice(0, 60));
      assert.match(((await res.json()) as { error: string }).error, message);
    }
    const get = await fetch(`${server.httpUrl}/dev/token`);
    assert.equal(get.status, 405);
    await get.body?.cancel();
  });

  it('without a development app or web files: 404 with the reason, signaling unaffected', async () => {
    for (const path of ['/dev/app', '/']) {
      const res = await fetch(`${plain.httpUrl}${path}`);
      assert.equal(res.status, 404, path);
      await res.body?.cancel();
    }
    const token = await post(
      `${plain.httpUrl}/dev/token`,
      JSON.stringify({ appID: OTHER.appID, userID: 'a' }),
    );
    assert.equal(token.status, 404);
    await token.body?.cancel();
    const sdk = await fetch(`${plain.httpUrl}/sdk/parley.mjs`);
    assert.equal(sdk.status, 404);
    assert.match(((await sdk.json()) as { error: string }).error, /does not serve the web SDK/);
    const health = await fetch(`${plain.httpUrl}/healthz`);
    assert.equal(health.status, 200);
    await health.body?.cancel();
  });

  it('refuses a devAppID that is not a configured app', async () => {
    await assert.rejects(
      startServer({ apps: [OTHER], devAppID: 5, logger: createLogger({ level: 'silent' }) }),
      (err: unknown) =>
        err instanceof TypeError &&
        /devAppID must be the AppID of one of the apps \(got 5\)/.test(String(err)),
    );
  });
});
