import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ParleyError } from '@parley/protocol';
import { SignalClient, type SignalCloseInfo, silentLogger, type WebSocketCtor } from '../src/index.js';
import { ScriptedSocket } from './support/ScriptedSocket.js';

function client(extra: Partial<ConstructorParameters<typeof SignalClient>[0]> = {}): SignalClient {
  return new SignalClient({
    url: 'ws://test/ws',
    WebSocket: ScriptedSocket as unknown as WebSocketCtor,
    requestTimeoutMs: 200,
    logger: silentLogger,
    ...extra,
  });
}

async function connected(
  heartbeatIntervalMs = 1000,
  extra = {},
): Promise<{ c: SignalClient; ws: ScriptedSocket }> {
  const c = client(extra);
  const hello = c.connect();
  const ws = ScriptedSocket.last!;
  ws.open(heartbeatIntervalMs);
  await hello;
  return { c, ws };
}

test('connect resolves with hello; requests carry numeric ids and resolve with the reply data', async (t) => {
  const { c, ws } = await connected();
  t.after(() => c.close());
  assert.equal(c.hello?.nonce, 'n0');
  const p1 = c.request('broadcast', { roomID: 'r1', message: 'hi' });
  const p2 = c.request('logout', { roomID: 'r1' });
  assert.deepEqual(ws.sent, [
    { roomID: 'r1', message: 'hi', t: 'broadcast', id: 1 },
    { roomID: 'r1', t: 'logout', id: 2 },
  ]);
  ws.serverSends({ t: 'reply', id: 2, code: 1002002, msg: 'not logged in to this room' });
  ws.serverSends({ t: 'reply', id: 1, code: 0, msg: 'ok', data: { messageID: 9 } });
  assert.deepEqual(await p1, { messageID: 9 });
  await assert.rejects(p2, (err: unknown) => {
    assert.ok(err instanceof ParleyError);
    assert.equal(err.code, 1002002);
    assert.equal(err.msg, 'not logged in to this room');
    return true;
  });
});

test('a request without a reply times out with 1100002', async (t) => {
  const { c } = await connected();
  t.after(() => c.close());
  await assert.rejects(c.request('logout', { roomID: 'r1' }), { code: 1100002 });
});

test('events are delivered in order, once; heartbeats acknowledge the last one', async (t) => {
  const { c, ws } = await connected(15);
  t.after(() => c.close());
  const seqs: number[] = [];
  c.on('event', (_ev, seq) => seqs.push(seq));
  const ev = { type: 'onlineCount', roomID: 'r1', count: 1 };
  for (const seq of [1, 2, 2, 1, 3]) ws.serverSends({ t: 'evt', seq, ev });
  assert.deepEqual(seqs, [1, 2, 3]);
  assert.equal(c.lastSeq, 3);
  const hb = await ws.nextSent((f) => f.t === 'hb' && f.ack === 3);
  assert.deepEqual(hb, { t: 'hb', ack: 3 });
});

test('a socket that continues a session drops the replayed events it already handled', async (t) => {
  const { c, ws } = await connected(1000, {
    continueSession: { keys: { sessionID: 's', resumeKey: 'k' }, lastSeq: 5 },
  });
  t.after(() => c.close());
  const seqs: number[] = [];
  c.on('event', (_ev, seq) => seqs.push(seq));
  const ev = { type: 'onlineCount', roomID: 'r1', count: 1 };
  for (const seq of [4, 5, 6, 7]) ws.serverSends({ t: 'evt', seq, ev });
  assert.deepEqual(seqs, [6, 7]);
  assert.deepEqual(c.session, { sessionID: 's', resumeKey: 'k' });
});

test('a login that starts a new session restarts the sequence before the next frame is read', async (t) => {
  const { c, ws } = await connected();
  t.after(() => c.close());
  const seqs: number[] = [];
  c.on('event', (_ev, seq) => seqs.push(seq));
  const ev = { type: 'onlineCount', roomID: 'r1', count: 1 };
  const login = (): Promise<unknown> =>
    c.request('login', {
      appID: 1,
      roomID: 'r1',
      user: { userID: 'u', userName: '' },
      auth: { kind: 'token', token: 't' },
      config: { userUpdate: false, maxMemberCount: 0 },
    });
  const first = login();
  ws.serverSends({
    t: 'reply',
    id: 1,
    code: 0,
    msg: 'ok',
    data: { sessionID: 'A', resumeKey: 'a', tokenExpire: null },
  });
  ws.serverSends({ t: 'evt', seq: 1, ev });
  ws.serverSends({ t: 'evt', seq: 2, ev });
  await first;
  // The session ended (last logout) and a new login started session B, whose events count from 1 again.
  const second = login();
  ws.serverSends({
    t: 'reply',
    id: 2,
    code: 0,
    msg: 'ok',
    data: { sessionID: 'B', resumeKey: 'b', tokenExpire: null },
  });
  ws.serverSends({ t: 'evt', seq: 1, ev });
  await second;
  assert.deepEqual(seqs, [1, 2, 1]);
  assert.deepEqual(c.session, { sessionID: 'B', resumeKey: 'b' });
});

test('a silent server is declared dead after twice the heartbeat interval', async () => {
  const { c, ws } = await connected(20);
  const pending = c.request('logout', { roomID: 'r1' });
  const closed = new Promise<SignalCloseInfo>((resolve) => c.on('close', resolve));
  const startedAt = Date.now();
  const info = await closed;
  assert.equal(info.cause, 'heartbeat');
  assert.ok(Date.now() - startedAt >= 35, 'not before ~2 intervals');
  assert.equal(ws.terminated, true);
  assert.equal(c.isClosed, true);
  await assert.rejects(pending, { code: 1100002 });
});

test('heartbeat answers keep the socket alive', async (t) => {
  const { c, ws } = await connected(10);
  t.after(() => c.close());
  let closed = false;
  c.on('close', () => {
    closed = true;
  });
  for (let i = 0; i < 6; i++) {
    const hb = await ws.nextSent((f) => f.t === 'hb' && !f.answered);
    hb.answered = true;
    ws.serverSends({ t: 'hb' });
  }
  assert.equal(closed, false);
});

test('a close by the server fails pending requests and reports the code', async () => {
  const { c, ws } = await connected();
  const pending = c.request('logout', { roomID: 'r1' });
  const closed = new Promise<SignalCloseInfo>((resolve) => c.on('close', resolve));
  ws.serverCloses(4001, 'kicked out');
  assert.deepEqual(await closed, { code: 4001, reason: 'kicked out', cause: 'remote' });
  await assert.rejects(pending, { code: 1100002 });
  await assert.rejects(c.request('logout', { roomID: 'r1' }), { code: 1100002 });
});

test('connect fails with 1100002 when the socket closes before hello, or hello never comes', async () => {
  const a = client();
  const pa = a.connect();
  ScriptedSocket.last!.serverCloses(1006);
  await assert.rejects(pa, { code: 1100002 });
  const b = client({ requestTimeoutMs: 20 });
  await assert.rejects(b.connect(), { code: 1100002 });
  assert.equal(ScriptedSocket.last!.terminated, true);
});

test('close() sends a normal close and is idempotent', async () => {
  const { c, ws } = await connected();
  c.close();
  c.close();
  assert.deepEqual(ws.closedWith, { code: 1000, reason: '' });
});

test('sync() resolves once the server answered the heartbeat it sent, not an earlier one', async (t) => {
  const { c, ws } = await connected(30);
  t.after(() => c.close());
  // A periodic heartbeat is under way already; its answer must not count for the sync.
  await ws.nextSent((f) => f.t === 'hb');
  let synced = false;
  const sync = c.sync().then(() => {
    synced = true;
  });
  const before = ws.sent.filter((f) => f.t === 'hb').length;
  assert.ok(before >= 2);
  for (let i = 1; i < before; i++) ws.serverSends({ t: 'hb' });
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(synced, false, 'only earlier heartbeats were answered');
  ws.serverSends({ t: 'hb' });
  await sync;
});

test('sync() fails with 1100002 when the socket closes or no answer comes', async () => {
  const first = await connected();
  const closing = first.c.sync();
  first.ws.serverCloses(1006);
  await assert.rejects(closing, { code: 1100002 });
  const second = await connected();
  await assert.rejects(second.c.sync(), { code: 1100002 });
  second.c.close();
});
