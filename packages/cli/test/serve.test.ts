import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { get } from 'node:https';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { makeTestCa } from '@parley/server/test/testCa';
import { verifyToken04 } from '@parley/token';
import { main, readDevApp } from '../src/index.js';
import { capture, SECRET, SIGN, tempDir, writeJson } from './support/cli.js';
import { startTestRedis } from './support/redisServer.js';

const LAST_LINE = 'Press Ctrl+C to stop.';

/** Starts `parley serve` in-process; resolves once the banner is out, or fails if serve ends first. */
async function startServe(argv: string[], cwd: string) {
  const stop = new AbortController();
  const c = capture({ cwd, signal: stop.signal });
  const exited = main(['serve', ...argv], c.io);
  const banner = await Promise.race([
    c.untilOut(LAST_LINE),
    exited.then((code) => assert.fail(`serve ended early with ${code}: ${c.err()}`)),
  ]);
  const httpUrl = /Demo page +(https?:\/\/\S+)\/ /.exec(banner)?.[1];
  const wsUrl = /WebSocket +(wss?:\/\/\S+)/.exec(banner)?.[1];
  assert.ok(httpUrl !== undefined && wsUrl !== undefined, banner);
  return { banner, httpUrl, wsUrl, stop, exited, captured: c };
}

describe('parley serve', () => {
  it('starts with the development app, prints the banner, answers /healthz and stops on abort', async () => {
    const dataDir = await tempDir();
    const serve = await startServe(['--port', '0', '--data-dir', dataDir], dataDir);
    assert.equal(serve.wsUrl, `${serve.httpUrl.replace('http:', 'ws:')}/ws`);

    const response = await fetch(`${serve.httpUrl}/healthz`);
    assert.equal(response.status, 200);
    await response.body?.cancel();

    const dev = await readDevApp(dataDir);
    assert.ok(dev !== null, 'the development app was saved');
    const { appID, appSign, serverSecret } = dev.app;
    // The demo page and the SDK are served, and the demo page may ask for tokens of the development app.
    const page = await fetch(`${serve.httpUrl}/`);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /<html/i);
    assert.match(serve.banner, /Web SDK +http:\/\/\S+\/sdk\/parley\.mjs/);
    assert.match(
      serve.banner,
      /\n {2}Media +127\.0\.0\.1 +\(this machine only; --host 0\.0\.0\.0 serves other machines\)\n/,
    );
    assert.deepEqual(await (await fetch(`${serve.httpUrl}/dev/app`)).json(), {
      appID,
      tokenTtlSeconds: 86400,
    });
    const devToken = await fetch(`${serve.httpUrl}/dev/token`, {
      method: 'POST',
      body: JSON.stringify({ appID, userID: 'ann' }),
    });
    const { token: annToken } = (await devToken.json()) as { token: string };
    assert.equal(
      verifyToken04(annToken, { appId: appID, secret: serverSecret, userId: 'ann' }).privilege,
      null,
    );
    for (const value of [String(appID), appSign, serverSecret])
      assert.ok(serve.banner.includes(value), value);
    const token = /Token04 for userID "user1".*:\n +(04\S+)\n/.exec(serve.banner)?.[1];
    assert.ok(token !== undefined, serve.banner);
    const claims = verifyToken04(token, { appId: appID, secret: serverSecret, userId: 'user1' });
    assert.equal(claims.privilege, null);
    assert.ok(Math.abs(claims.expire - (Date.now() / 1000 + 24 * 3600)) < 5);
    assert.ok(
      serve.banner.includes(`parley token --app-id ${appID} --user-id user2 --secret ${serverSecret}`),
    );

    serve.stop.abort();
    assert.equal(await serve.exited, 0);
    await assert.rejects(fetch(`${serve.httpUrl}/healthz`), 'the server no longer listens');
  });

  it('serves only the configured apps, without creating a development app', async () => {
    const dir = await tempDir();
    const config = await writeJson(dir, 'parley.json', {
      port: 0,
      logLevel: 'silent',
      apps: [{ appID: 42, appSign: SIGN, serverSecret: SECRET }],
    });
    const serve = await startServe(['--config', config], dir);
    assert.match(serve.banner, /AppID 42 +from .*parley\.json apps\[0\]/);
    assert.doesNotMatch(serve.banner, /Development app/);
    assert.ok(!serve.banner.includes(SECRET), 'configured secrets are not printed');
    assert.equal(existsSync(join(dir, '.parley')), false);
    const devApp = await fetch(`${serve.httpUrl}/dev/app`);
    assert.equal(devApp.status, 404, 'no development app, no development tokens');
    await devApp.body?.cancel();
    assert.equal(serve.captured.err(), '', 'logLevel silent');
    serve.stop.abort();
    assert.equal(await serve.exited, 0);
  });

  it('serves HTTPS and WSS with --tls-cert and --tls-key, and says so in the banner', async () => {
    const dir = await tempDir();
    const ca = await makeTestCa();
    after(() => ca.remove());
    const config = await writeJson(dir, 'parley.json', {
      logLevel: 'silent',
      media: { announcedAddresses: ['127.0.0.1'], portRange: '40000-40999' },
    });
    const args = ['--config', config, '--port', '0', '--data-dir', dir, '--tls-cert', ca.certFile];
    const serve = await startServe([...args, '--tls-key', ca.keyFile], dir);
    assert.match(serve.httpUrl, /^https:\/\/127\.0\.0\.1:\d+$/);
    assert.equal(serve.wsUrl, `${serve.httpUrl.replace('https:', 'wss:')}/ws`);
    assert.match(serve.banner, /Web SDK +https:\/\/\S+\/sdk\/parley\.mjs/);
    assert.match(serve.banner, /Health +https:\/\/\S+\/healthz/);
    assert.match(serve.banner, /\n {2}Media +127\.0\.0\.1 +\(announced to clients\)\n/);
    const health = await new Promise<number>((resolve, reject) => {
      get(`${serve.httpUrl}/healthz`, { ca: ca.ca }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      }).on('error', reject);
    });
    assert.equal(health, 200);
    serve.stop.abort();
    assert.equal(await serve.exited, 0);
  });

  it('joins the cluster of --redis as one node, and the banner names the Redis and the node', async () => {
    const dir = await tempDir();
    const redis = await startTestRedis(join(dir, 'redis.sock'));
    after(() => redis.stop());
    const args = [
      '--port',
      '0',
      '--data-dir',
      dir,
      '--redis',
      `unix:${redis.socketPath}`,
      '--node-id',
      'edge-a',
    ];
    const serve = await startServe(args, dir);
    assert.ok(
      serve.banner.includes(
        `\n  Cluster     unix:${redis.socketPath}   (every node with this Redis is one Parley)\n  Node        edge-a\n`,
      ),
      serve.banner,
    );
    serve.stop.abort();
    assert.equal(await serve.exited, 0);
    const unnamed = await startServe(
      ['--port', '0', '--data-dir', dir, '--redis', `unix:${redis.socketPath}`],
      dir,
    );
    assert.match(unnamed.banner, new RegExp(String.raw`\n {2}Node {8}\S+-${process.pid}-[0-9a-f]{6}\n`));
    unnamed.stop.abort();
    assert.equal(await unnamed.exited, 0);
  });

  it('exits with 2 naming the flag when a certificate file is missing, before anything listens', async () => {
    const dir = await tempDir();
    const c = capture({ cwd: dir });
    const code = await main(
      ['serve', '--tls-cert', 'nope.pem', '--tls-key', 'nope.key', '--data-dir', dir],
      c.io,
    );
    assert.equal(code, 2);
    assert.equal(c.err(), `error: --tls-cert names ${join(dir, 'nope.pem')}, which does not exist\n`);
    assert.equal(c.out(), '');
  });

  it('exits with 1 and a plain message when the port is taken', async () => {
    const dir = await tempDir();
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    try {
      const port = (blocker.address() as { port: number }).port;
      const c = capture({ cwd: dir });
      const code = await main(
        ['serve', '--port', String(port), '--data-dir', dir, '--log-level', 'silent'],
        c.io,
      );
      assert.equal(code, 1);
      assert.equal(
        c.err(),
        `error: 127.0.0.1:${port} is already in use; choose another port with --port or PARLEY_PORT\n`,
      );
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });
});
