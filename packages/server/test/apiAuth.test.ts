/**
 * The server API's gate, against a running server: parameters from the query, a form body or a JSON body (arrays
 * as repeated `Name[]`), the signature, the timestamp window, replayed nonces, unknown apps and actions, and the
 * per-AppID rate limit — each refused with ZEGO's code in a `{Code, Message, RequestId}` reply.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  ApiClient,
  ApiCode,
  type ApiReply,
  apiSignature,
  createLogger,
  type RunningServer,
  startServer,
} from '../src/index.js';
import { APP, OTHER_APP } from './support/harness.js';

/** The API's clock in this file (what Timestamps are checked against): frozen, so every request's is the same. */
const FROZEN_MS = Date.UTC(2020, 0, 1, 12, 0, 0);
const nowSeconds = (): number => FROZEN_MS / 1000;

describe('the server API gate', () => {
  let server: RunningServer;
  let nonceCounter = 0;
  before(async () => {
    server = await startServer({
      apps: [APP, OTHER_APP],
      logger: createLogger({ level: 'silent' }),
      api: {
        now: () => FROZEN_MS,
        // An hour's window: the calls of a test never leave it by chance, however slowly the machine runs.
        rateLimits: (action) => [{ limit: action === 'DescribeUsers' ? 3 : 1000, windowMs: 3_600_000 }],
      },
    });
  });
  after(() => server.close());

  /** The public parameters, signed for APP unless a field is overridden. */
  const signed = (
    action: string,
    overrides: Record<string, string | undefined> = {},
  ): Record<string, string> => {
    const nonce = `nonce-${++nonceCounter}-${process.pid}`;
    const timestamp = nowSeconds();
    const params: Record<string, string | undefined> = {
      Action: action,
      AppId: String(APP.appID),
      SignatureNonce: nonce,
      Timestamp: String(timestamp),
      Signature: apiSignature(APP.appID, nonce, APP.serverSecret, timestamp),
      SignatureVersion: '2.0',
      ...overrides,
    };
    return Object.fromEntries(
      Object.entries(params).filter((e): e is [string, string] => e[1] !== undefined),
    );
  };
  const get = async (query: string): Promise<ApiReply> => {
    const res = await fetch(`${server.httpUrl}/?${query}`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /application\/json/);
    return (await res.json()) as ApiReply;
  };
  const qs = (params: Record<string, string>, extra = ''): string =>
    `${new URLSearchParams(params).toString()}${extra}`;

  it('answers a signed GET with Code 0, a RequestId and the Data; arrays repeat their name', async () => {
    const reply = await get(qs(signed('DescribeUserNum'), '&RoomId[]=r1&RoomId[]=r2'));
    assert.equal(reply.Code, 0, reply.Message);
    assert.equal(reply.Message, 'success');
    assert.match(reply.RequestId, /^[0-9a-f]{16}$/);
    assert.deepEqual(reply.Data, {
      UserCountList: [
        { RoomId: 'r1', UserCount: 0, AdminUserCount: 0 },
        { RoomId: 'r2', UserCount: 0, AdminUserCount: 0 },
      ],
    });
    const again = await get(qs(signed('DescribeUserNum'), '&RoomId=r3'));
    assert.notEqual(again.RequestId, reply.RequestId);
    assert.deepEqual(again.Data, { UserCountList: [{ RoomId: 'r3', UserCount: 0, AdminUserCount: 0 }] });
  });

  it('reads POST bodies, form-encoded and JSON, with the public parameters in the query', async () => {
    const form = await fetch(`${server.httpUrl}/?${qs(signed('DescribeUserNum'))}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'RoomId[]=f1&RoomId[]=f2',
    });
    const formReply = (await form.json()) as ApiReply;
    assert.equal(formReply.Code, 0, formReply.Message);
    assert.equal((formReply.Data as { UserCountList: unknown[] }).UserCountList.length, 2);
    const json = await fetch(`${server.httpUrl}/?${qs(signed('DescribeUserNum'))}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ RoomId: ['j1', 'j2', 'j3'] }),
    });
    const jsonReply = (await json.json()) as ApiReply;
    assert.equal(jsonReply.Code, 0, jsonReply.Message);
    assert.equal((jsonReply.Data as { UserCountList: unknown[] }).UserCountList.length, 3);
    const broken = await fetch(`${server.httpUrl}/?${qs(signed('DescribeUserNum'))}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"RoomId": [',
    });
    assert.equal(((await broken.json()) as ApiReply).Code, ApiCode.BODY_UNREADABLE);
  });

  it('refuses a wrong signature, another app’s secret, and a signature version other than 2.0', async () => {
    const wrong = await get(qs(signed('DescribeUserNum', { Signature: '0'.repeat(32) }), '&RoomId[]=r'));
    assert.equal(wrong.Code, ApiCode.SIGNATURE_INVALID);
    assert.match(wrong.RequestId, /^[0-9a-f]{16}$/);
    const p = signed('DescribeUserNum');
    const otherSecret = apiSignature(APP.appID, p.SignatureNonce!, OTHER_APP.serverSecret, nowSeconds());
    assert.equal(
      (await get(qs({ ...p, Signature: otherSecret }, '&RoomId[]=r'))).Code,
      ApiCode.SIGNATURE_INVALID,
    );
    const v1 = await get(qs(signed('DescribeUserNum', { SignatureVersion: '1.0' }), '&RoomId[]=r'));
    assert.equal(v1.Code, ApiCode.SIGNATURE_VERSION_UNSUPPORTED);
  });

  it('names each missing or malformed public parameter with its code', async () => {
    const cases: [Record<string, string | undefined>, number][] = [
      [{ Action: undefined }, ApiCode.ACTION_MISSING],
      [{ AppId: undefined }, ApiCode.INVALID_APP_ID],
      [{ AppId: 'abc' }, ApiCode.INVALID_APP_ID],
      [{ AppId: '999' }, ApiCode.SECRET_NOT_FOUND],
      [{ Timestamp: undefined }, ApiCode.TIMESTAMP_MISSING],
      [{ Timestamp: '12.5' }, ApiCode.TIMESTAMP_INVALID],
      [{ SignatureNonce: undefined }, ApiCode.NONCE_MISSING],
      [{ SignatureNonce: 'n'.repeat(65) }, ApiCode.INPUT_PARAMETER],
      [{ Signature: undefined }, ApiCode.SIGNATURE_MISSING],
      [{ SignatureVersion: undefined }, ApiCode.SIGNATURE_VERSION_MISSING],
      [{ Action: 'NoSuchAction' }, ApiCode.ACTION_UNSUPPORTED],
    ];
    for (const [overrides, code] of cases) {
      // Without Action in the query the request is a POST to `/` (the API's, too).
      const params = signed('DescribeUserNum', overrides);
      const reply =
        params.Action === undefined
          ? ((await (await fetch(`${server.httpUrl}/?${qs(params)}`, { method: 'POST' })).json()) as ApiReply)
          : await get(qs(params, '&RoomId[]=r'));
      assert.equal(reply.Code, code, `${JSON.stringify(overrides)}: ${reply.Message}`);
    }
  });

  it('refuses a timestamp more than ten minutes off, either way, and accepts one just inside', async () => {
    const signedAt = (seconds: number): Record<string, string> => {
      const nonce = `ts-${seconds}-${++nonceCounter}`;
      return signed('DescribeUserNum', {
        SignatureNonce: nonce,
        Timestamp: String(seconds),
        Signature: apiSignature(APP.appID, nonce, APP.serverSecret, seconds),
      });
    };
    for (const off of [-601, 601, -3600]) {
      const reply = await get(qs(signedAt(nowSeconds() + off), '&RoomId[]=r'));
      assert.equal(reply.Code, ApiCode.SIGNATURE_EXPIRED, `${off} s off`);
    }
    for (const off of [-599, 599]) {
      assert.equal((await get(qs(signedAt(nowSeconds() + off), '&RoomId[]=r'))).Code, 0, `${off} s off`);
    }
  });

  it('refuses a replayed nonce, but a bad signature does not spend the nonce', async () => {
    const p = signed('DescribeUserNum');
    const forged = await get(qs({ ...p, Signature: 'f'.repeat(32) }, '&RoomId[]=r'));
    assert.equal(forged.Code, ApiCode.SIGNATURE_INVALID);
    assert.equal((await get(qs(p, '&RoomId[]=r'))).Code, 0);
    const replay = await get(qs(p, '&RoomId[]=r'));
    assert.equal(replay.Code, ApiCode.SIGNATURE_INVALID);
    assert.match(replay.Message, /SignatureNonce/);
  });

  it('limits each action per AppID and answers the excess with code 7; other actions and apps keep theirs', async () => {
    const client = new ApiClient({ baseUrl: server.httpUrl, ...APP, now: nowSeconds });
    const codes: number[] = [];
    for (let i = 0; i < 5; i++) {
      codes.push((await client.call('DescribeUsers', { RoomId: 'limited', UserId: ['u'] })).Code);
    }
    assert.deepEqual(codes, [0, 0, 0, ApiCode.RATE_LIMITED, ApiCode.RATE_LIMITED]);
    assert.equal((await client.call('DescribeUserNum', { RoomId: ['limited'] })).Code, 0);
    const other = new ApiClient({ baseUrl: server.httpUrl, ...OTHER_APP, now: nowSeconds });
    assert.equal((await other.call('DescribeUsers', { RoomId: 'limited', UserId: ['u'] })).Code, 0);
  });

  it('the typed client signs GET and POST calls; data() throws the reply of a refusal', async () => {
    for (const method of ['GET', 'POST'] as const) {
      const client = new ApiClient({ baseUrl: server.httpUrl, ...APP, method, now: nowSeconds });
      const data = await client.data('DescribeUserList', { RoomId: 'empty', Limit: 5 });
      assert.deepEqual(data, { Marker: '', UserList: [] });
    }
    const client = new ApiClient({ baseUrl: server.httpUrl, ...APP, now: nowSeconds });
    await assert.rejects(client.data('DescribeUserList', { RoomId: 'x', Limit: 500 }), (err: Error) => {
      assert.equal(err.name, 'ApiCallError');
      assert.match(err.message, /^2: Limit/);
      return true;
    });
    const stale = new ApiClient({ baseUrl: server.httpUrl, ...APP });
    // This machine's clock is years away from the frozen one the server uses here.
    assert.equal((await stale.call('DescribeUserNum', { RoomId: ['r'] })).Code, ApiCode.SIGNATURE_EXPIRED);
    assert.throws(() => new ApiClient({ baseUrl: server.httpUrl, appID: 0, serverSecret: 's' }), TypeError);
  });
});
