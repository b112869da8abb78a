/**
 * HTTPS and WSS on the one port, with a certificate signed by a throw-away CA that only these clients trust:
 * the health check, the demo page and the SDK over HTTPS, a login over WSS; a client that does not trust the CA
 * is refused; missing or mismatched files are configuration errors that start nothing.
 */
import assert from 'node:assert/strict';
import { get } from 'node:https';
import { after, before, describe, it } from 'node:test';
import { WebSocket } from 'ws';
import { ConfigError } from '../src/config/index.js';
import { createLogger, type RunningServer, startServer } from '../src/index.js';
import { APP, loginFrame } from './support/harness.js';
import { RawClient } from './support/RawClient.js';
import { makeTestCa, type TestCa } from './support/testCa.js';

/** GETs `url` over HTTPS trusting `ca` only. */
function httpsGet(url: string, ca: Buffer): Promise<{ status: number; type: string; body: string }> {
  return new Promise((resolve, reject) => {
    get(url, { ca }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        body += chunk;
      });
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, type: res.headers['content-type'] ?? '', body }),
      );
    }).on('error', reject);
  });
}

const silent = createLogger({ level: 'silent' });

describe('HTTPS and WSS', () => {
  let ca: TestCa;
  let server: RunningServer;

  before(async () => {
    ca = await makeTestCa();
    server = await startServer({ apps: [APP], logger: silent, tls: { cert: ca.certFile, key: ca.keyFile } });
  });
  after(async () => {
    await server?.close();
    await ca?.remove();
  });

  it('gives https:// and wss:// addresses on the one port', () => {
    assert.equal(server.httpUrl, `https://127.0.0.1:${server.port}`);
    assert.equal(server.url, `wss://127.0.0.1:${server.port}/ws`);
  });

  it('serves the health check, the demo page and the SDK over HTTPS', async () => {
    const health = await httpsGet(`${server.httpUrl}/healthz`, ca.ca);
    assert.equal(health.status, 200);
    assert.equal((JSON.parse(health.body) as { connections: number }).connections, 0);
    const page = await httpsGet(`${server.httpUrl}/`, ca.ca);
    assert.equal(page.status, 200);
    assert.match(page.body, /<html/i);
    const sdk = await httpsGet(`${server.httpUrl}/sdk/parley.mjs`, ca.ca);
    assert.equal(sdk.status, 200);
    assert.match(sdk.type, /javascript/);
  });

  it('logs in over WSS', async () => {
    const client = await RawClient.connect(server.url, { ca: ca.ca });
    try {
      const reply = await client.request('login', loginFrame('tls-room', 'tls-user'));
      assert.equal(reply.code, 0);
    } finally {
      await client.cut();
    }
  });

  it('is refused by a client that does not trust the CA', async () => {
    await assert.rejects(httpsGet(`${server.httpUrl}/healthz`, Buffer.from('')), /certificate/);
    const untrusting = new WebSocket(server.url);
    const error = await new Promise<Error>((resolve) => untrusting.once('error', resolve));
    assert.match(error.message, /certificate/);
  });
});

describe('TLS files', () => {
  let ca: TestCa;
  before(async () => {
    ca = await makeTestCa();
  });
  after(() => ca?.remove());

  /** Starting with `tls` fails with a ConfigError whose one problem is `expected`. */
  async function refused(tls: { cert: string; key: string }, expected: RegExp): Promise<void> {
    await assert.rejects(startServer({ apps: [APP], logger: silent, tls }), (err: unknown) => {
      assert.ok(err instanceof ConfigError, String(err));
      assert.equal(err.problems.length, 1);
      assert.match(err.message, expected);
      return true;
    });
  }

  it('names a missing certificate or key file', async () => {
    const missing = `${ca.dir}/missing.pem`;
    await refused(
      { cert: missing, key: ca.keyFile },
      /^tls\.cert names .*missing\.pem, which does not exist$/,
    );
    await refused(
      { cert: ca.certFile, key: missing },
      /^tls\.key names .*missing\.pem, which does not exist$/,
    );
    await refused({ cert: ca.dir, key: ca.keyFile }, /^tls\.cert names .*, which cannot be read \(EISDIR/);
  });

  it('names a certificate that does not go with its key', async () => {
    await refused(
      { cert: `${ca.dir}/ca.pem`, key: ca.keyFile },
      /^tls\.cert names .*ca\.pem, which is not a certificate for the key in .*server\.key/,
    );
  });
});
