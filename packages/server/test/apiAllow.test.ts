/**
 * The server API and `http.adminAllow`: open to any address by default (it is signed), and with an explicit
 * `http.adminAllow` refused to other addresses with HTTP 403 and a ZEGO-style `{Code, Message, RequestId}` reply.
 * `http.adminToken` alone never closes it.
 */
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, describe, it } from 'node:test';
import {
  ApiCode,
  type ApiReply,
  apiSignature,
  createLogger,
  type RunningServer,
  startServer,
} from '../src/index.js';
import { APP } from './support/harness.js';

let nonceCounter = 0;

/** A signed DescribeUserNum query for APP. */
function signedQuery(): string {
  const nonce = `allow-${++nonceCounter}-${process.pid}`;
  const timestamp = Math.floor(Date.now() / 1000);
  return new URLSearchParams({
    Action: 'DescribeUserNum',
    AppId: String(APP.appID),
    SignatureNonce: nonce,
    Timestamp: String(timestamp),
    Signature: apiSignature(APP.appID, nonce, APP.serverSecret, timestamp),
    SignatureVersion: '2.0',
    RoomId: 'r1',
  }).toString();
}

/** Calls the API on `server` from `localAddress`; GET with the query, or POST with it as a form body. */
function call(
  server: RunningServer,
  localAddress: string,
  method: 'GET' | 'POST' = 'GET',
): Promise<{ status: number; reply: ApiReply }> {
  const query = signedQuery();
  const port = Number(new URL(server.httpUrl).port);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        localAddress,
        method,
        path: method === 'GET' ? `/?${query}` : '/',
        headers: method === 'POST' ? { 'content-type': 'application/x-www-form-urlencoded' } : {},
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          assert.match(String(res.headers['content-type']), /^application\/json/);
          resolve({
            status: res.statusCode ?? 0,
            reply: JSON.parse(Buffer.concat(chunks).toString('utf8')) as ApiReply,
          });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(method === 'POST' ? query : undefined);
  });
}

describe('the server API and http.adminAllow', () => {
  const servers: RunningServer[] = [];
  after(async () => {
    await Promise.all(servers.map((s) => s.close()));
  });
  const start = async (http: { adminAllow?: string[]; adminToken?: string }): Promise<RunningServer> => {
    const s = await startServer({ apps: [APP], logger: createLogger({ level: 'silent' }), http });
    servers.push(s);
    return s;
  };

  it('refuses addresses outside an explicit http.adminAllow with 403 and a ZEGO-style reply', async () => {
    const server = await start({ adminAllow: ['127.0.0.1'] });
    for (const method of ['GET', 'POST'] as const) {
      const refused = await call(server, '127.0.0.2', method);
      assert.equal(refused.status, 403, method);
      assert.equal(refused.reply.Code, ApiCode.ADDRESS_NOT_ALLOWED);
      assert.equal(refused.reply.Code, 100000403);
      assert.match(refused.reply.Message, /http\.adminAllow/);
      assert.equal(typeof refused.reply.RequestId, 'string');
      assert.ok(refused.reply.RequestId.length > 0);
      assert.equal(refused.reply.Data, undefined, 'nothing of the answer in a refusal');

      const allowed = await call(server, '127.0.0.1', method);
      assert.equal(allowed.status, 200, method);
      assert.equal(allowed.reply.Code, ApiCode.OK, allowed.reply.Message);
    }
  });

  it('stays open to any address without http.adminAllow, even with http.adminToken set', async () => {
    for (const http of [{}, { adminToken: 'api-admin-token-0123456789' }]) {
      const server = await start(http);
      const answer = await call(server, '127.0.0.2');
      assert.equal(answer.status, 200);
      assert.equal(answer.reply.Code, ApiCode.OK, answer.reply.Message);
    }
  });
});
