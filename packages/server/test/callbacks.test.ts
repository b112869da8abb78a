/**
 * Server callbacks on one node: every event with ZEGO's fields and a signature the receiver can check, the
 * retries of a failing receiver, the drop of an event nobody takes, and a receiver that never slows a call.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { resolveServerConfig } from '../src/config/resolve.js';
import type { ServerOptions } from '../src/index.js';
import { waitFor } from './sfu/support/waitFor.js';
import { type CallbackBody, CallbackReceiver, expectedSignature } from './support/CallbackReceiver.js';
import { APP, type Harness, loginFrame, OTHER_APP, startHarness } from './support/harness.js';

const SECRET = 'callback-secret-0123';
/** Short retries, so a test of the whole schedule takes milliseconds, not ZEGO's 62 s. */
const FAST_RETRIES = [5, 10, 20, 40, 80];

interface CallbackHealth {
  delivered: number;
  retried: number;
  dropped: number;
  pending: number;
}

async function callbackStats(h: Harness): Promise<CallbackHealth> {
  const res = await fetch(`${h.server.httpUrl}/healthz`);
  return ((await res.json()) as { callbacks: CallbackHealth }).callbacks;
}

/** The counters once nothing is pending (the sender reads an answer a moment after the receiver sent it). */
async function settledStats(h: Harness): Promise<CallbackHealth> {
  await waitFor(async () => (await callbackStats(h)).pending === 0, 'no callback pending');
  return callbackStats(h);
}

async function start(receiver: CallbackReceiver, options: Partial<ServerOptions> = {}): Promise<Harness> {
  return startHarness({
    apps: [{ ...APP, callbackUrl: receiver.url, callbackSecret: SECRET }, OTHER_APP],
    callbacks: { retryDelaysMs: FAST_RETRIES },
    ...options,
  });
}

/** Checks the common fields and the signature of a body. */
function assertSigned(body: CallbackBody): void {
  assert.equal(body.appid, String(APP.appID));
  assert.equal(typeof body.timestamp, 'number');
  assert.ok(Math.abs((body.timestamp as number) - Date.now() / 1000) < 600, 'timestamp in seconds');
  assert.match(String(body.nonce), /^\d+$/);
  assert.equal(body.signature, expectedSignature(SECRET, body.timestamp, body.nonce));
}

function only(bodies: CallbackBody[], event: string, match: (b: CallbackBody) => boolean = () => true) {
  const found = bodies.filter((b) => b.event === event && match(b));
  assert.equal(found.length, 1, `one ${event}, got ${found.length}`);
  return found[0]!;
}

describe('server callbacks', () => {
  const open: { close(): Promise<void> }[] = [];
  after(async () => {
    for (const o of open.reverse()) await o.close();
  });

  it('sends room_create, room_login, stream_create, stream_close, room_logout and room_close with their fields, signed', async () => {
    const receiver = await CallbackReceiver.start();
    const h = await start(receiver);
    open.push(receiver, h);
    const alice = await h.login('cb-room', 'alice');
    const bob = await h.login('cb-room', 'bob');
    assert.equal(
      (await alice.request('publish', { roomID: 'cb-room', streamID: 'cam', extraInfo: 'x' })).code,
      0,
    );
    assert.equal((await alice.request('unpublish', { streamID: 'cam' })).code, 0);
    assert.equal((await bob.request('logout', { roomID: 'cb-room' })).code, 0);
    assert.equal((await alice.request('logout', { roomID: 'cb-room' })).code, 0);
    // The other app has no callback URL: its rooms send nothing.
    await h.login('quiet', 'carol', { app: OTHER_APP });

    await receiver.until(() => receiver.accepted.length === 8, 'eight events');
    const got = receiver.accepted;
    for (const body of got) assertSigned(body);

    // The room's seq orders the events: joins 1 and 2, the stream's add and delete 3 and 4, the leaves 5 and 6.
    const create = only(got, 'room_create');
    assert.equal(create.room_id, 'cb-room');
    assert.equal(create.id_name, 'alice');
    assert.equal(create.room_seq, 1);
    assert.equal(typeof create.room_create_time, 'number');

    const aliceIn = only(got, 'room_login', (b) => b.user_account === 'alice');
    const bobIn = only(got, 'room_login', (b) => b.user_account === 'bob');
    assert.equal(aliceIn.user_nickname, 'name-alice');
    assert.equal(aliceIn.room_id, 'cb-room');
    assert.equal(typeof aliceIn.session_id, 'string');
    assert.ok((aliceIn.login_time as number) > 1e12, 'login_time in milliseconds');
    assert.deepEqual([aliceIn.user_update_seq, bobIn.user_update_seq], [1, 2]);

    const created = only(got, 'stream_create');
    assert.equal(created.stream_alias, 'cam');
    assert.equal(created.stream_id, 'cam');
    assert.equal(created.room_id, 'cb-room');
    assert.equal(created.channel_id, 'cb-room');
    assert.equal(created.user_id, 'alice');
    assert.equal(created.user_name, 'name-alice');
    assert.equal(created.extra_info, 'x');
    const closed = only(got, 'stream_close');
    assert.equal(closed.stream_alias, 'cam');
    assert.equal(closed.type, 0);

    const bobOut = only(got, 'room_logout', (b) => b.user_account === 'bob');
    const aliceOut = only(got, 'room_logout', (b) => b.user_account === 'alice');
    assert.equal(bobOut.reason, 0);
    assert.equal(bobOut.session_id, bobIn.session_id);
    assert.deepEqual([bobOut.user_update_seq, aliceOut.user_update_seq], [5, 6]);
    assert.ok((aliceOut.logout_time as number) >= (aliceIn.login_time as number));

    const close = only(got, 'room_close');
    assert.equal(close.room_id, 'cb-room');
    assert.equal(close.close_reason, 0);
    assert.equal(close.room_seq, 6);

    const stats = await settledStats(h);
    assert.deepEqual(stats, { delivered: 8, retried: 0, dropped: 0, pending: 0 });
  });

  it('tells the logout and stream close of a session replaced by a login of the same userID, once', async () => {
    const receiver = await CallbackReceiver.start();
    const h = await start(receiver);
    open.push(receiver, h);
    const first = await h.login('cb-rep', 'alice');
    assert.equal((await first.request('publish', { roomID: 'cb-rep', streamID: 'cam' })).code, 0);
    const kicked = first.waitEvent('kickout');
    const second = await h.login('cb-rep', 'alice');
    await kicked;
    assert.equal((await second.request('logout', { roomID: 'cb-rep' })).code, 0);

    await receiver.until(() => receiver.accepted.some((b) => b.event === 'room_close'), 'room_close');
    const stats = await settledStats(h);
    await receiver.until(() => receiver.accepted.length === stats.delivered, 'every delivery recorded');
    const got = receiver.accepted;
    // Deliveries run side by side, so they may arrive in any order: the set of events is what is checked.
    assert.deepEqual(got.map((b) => b.event).sort(), [
      'room_close',
      'room_create',
      'room_login',
      'room_login',
      'room_logout',
      'room_logout',
      'stream_close',
      'stream_create',
    ]);
    const [oldIn, newIn] = got.filter((b) => b.event === 'room_login');
    assert.notEqual(oldIn!.session_id, newIn!.session_id);
    const replacedOut = only(got, 'room_logout', (b) => b.session_id === oldIn!.session_id);
    assert.equal(replacedOut.reason, 2, 'kicked out');
    assert.equal(replacedOut.user_account, 'alice');
    const closed = only(got, 'stream_close');
    assert.equal(closed.stream_id, 'cam');
    assert.equal(closed.type, 2, 'the same user logged in to a new session');
    assert.equal(only(got, 'room_logout', (b) => b.session_id === newIn!.session_id).reason, 0);
    assert.deepEqual(stats, { delivered: 8, retried: 0, dropped: 0, pending: 0 });
  });

  it('retries a receiver that fails, each attempt signed anew, and delivers the event once', async () => {
    const receiver = await CallbackReceiver.start();
    let failures = 0;
    receiver.answer = (body) => (body.event === 'room_login' && failures++ < 3 ? 500 : 200);
    const h = await start(receiver);
    open.push(receiver, h);
    await h.login('retry-room', 'dave');
    await receiver.until(() => receiver.accepted.length === 2, 'room_create and room_login');
    const attempts = receiver.calls.filter((c) => c.body.event === 'room_login');
    assert.deepEqual(
      attempts.map((c) => c.status),
      [500, 500, 500, 200],
    );
    for (const c of attempts) assertSigned(c.body);
    assert.equal(new Set(attempts.map((c) => c.body.nonce)).size, 4, 'a fresh nonce per attempt');
    assert.deepEqual(await settledStats(h), { delivered: 2, retried: 3, dropped: 0, pending: 0 });
  });

  it('gives up an attempt the receiver does not answer within timeoutMs, and retries it', async () => {
    const receiver = await CallbackReceiver.start();
    // The first attempt of each event is never answered; later ones are, at once. The timeout is far above what
    // an answered POST takes even on a loaded machine, so only the unanswered attempts time out.
    const seen = new Set<string>();
    receiver.answer = (body) => {
      if (seen.has(body.event)) return 200;
      seen.add(body.event);
      return new Promise<number>(() => {});
    };
    const h = await start(receiver, { callbacks: { retryDelaysMs: FAST_RETRIES, timeoutMs: 1000 } });
    open.push(receiver, h);
    await h.login('timeout-room', 'jill');
    await receiver.until(() => receiver.accepted.length === 2, 'both events on their second attempt');
    assert.deepEqual(await settledStats(h), { delivered: 2, retried: 2, dropped: 0, pending: 0 });
  });

  it('drops an event after the last retry fails, and counts it', async () => {
    const receiver = await CallbackReceiver.start();
    receiver.answer = () => 503;
    const h = await start(receiver);
    open.push(receiver, h);
    await h.login('down-room', 'erin');
    // Two events (room_create, room_login), each tried once and retried five times.
    await receiver.until(
      () => receiver.calls.filter((c) => c.status !== null).length === 12,
      'twelve attempts',
    );
    assert.deepEqual(await settledStats(h), { delivered: 0, retried: 10, dropped: 2, pending: 0 });
  });

  it('answers a login while the receiver still holds the callbacks of it', async () => {
    const receiver = await CallbackReceiver.start();
    let release: (status: number) => void = () => {};
    const held = new Promise<number>((resolve) => {
      release = resolve;
    });
    receiver.answer = () => held;
    const h = await start(receiver);
    open.push(receiver, h);
    const c = await h.connect();
    const reply = await c.request('login', loginFrame('slow-room', 'frank'));
    assert.equal(reply.code, 0);
    // The login is answered; its callbacks reach the receiver, which has not answered any of them yet.
    await receiver.until(() => receiver.calls.length === 2, 'both callbacks held');
    assert.ok(receiver.calls.every((call) => call.status === null));
    assert.equal((await h.login('slow-room', 'gina')).isClosed, false);
    release(200);
    await receiver.until(() => receiver.accepted.length === 3, 'the three events');
  });

  it('drops and counts events beyond the queue limit of an app', async () => {
    const receiver = await CallbackReceiver.start();
    let release: (status: number) => void = () => {};
    const held = new Promise<number>((resolve) => {
      release = resolve;
    });
    receiver.answer = () => held;
    const h = await start(receiver, { callbacks: { retryDelaysMs: FAST_RETRIES, queueLimit: 1 } });
    open.push(receiver, h);
    await h.login('full-room', 'hank');
    await receiver.until(() => receiver.calls.length === 1, 'the first event');
    assert.deepEqual(await callbackStats(h), { delivered: 0, retried: 0, dropped: 1, pending: 1 });
    release(200);
    await receiver.until(() => receiver.accepted.length === 1, 'the first event answered');
    assert.equal(receiver.calls[0]!.body.event, 'room_create');
  });

  it('reports the users and streams still there when the server closes', async () => {
    const receiver = await CallbackReceiver.start();
    open.push(receiver);
    const h = await start(receiver);
    const ivy = await h.login('closing-room', 'ivy');
    assert.equal((await ivy.request('publish', { roomID: 'closing-room', streamID: 'ivy-cam' })).code, 0);
    await receiver.until(() => receiver.accepted.length === 3, 'room_create, room_login, stream_create');
    await h.close();
    // Sent within the close's grace (in any order: requests run side by side): close() resolves after them.
    assert.deepEqual(
      receiver.accepted
        .slice(3)
        .map((b) => `${b.event}:${b.reason ?? b.type ?? b.close_reason}`)
        .sort(),
      ['room_close:0', 'room_logout:0', 'stream_close:0'],
    );
  });

  it('checks the callback settings of an app', () => {
    const config = (app: Record<string, unknown>) => () =>
      resolveServerConfig({ apps: [{ ...APP, ...app }] });
    assert.throws(config({ callbackUrl: 'ftp://127.0.0.1/x', callbackSecret: 's' }), /callbackUrl.*http/s);
    assert.throws(config({ callbackUrl: 'not a url', callbackSecret: 's' }), /callbackUrl/);
    assert.throws(config({ callbackUrl: 'http://127.0.0.1/cb' }), /callbackSecret.*missing/s);
    assert.throws(config({ callbackUrl: 'http://127.0.0.1/cb', callbackSecret: '' }), /callbackSecret/);
    assert.throws(
      () => resolveServerConfig({ apps: [APP], callbacks: { retryDelaysMs: [-1] } }),
      /retryDelaysMs/,
    );
    const ok = resolveServerConfig({
      apps: [{ ...APP, callbackUrl: 'https://127.0.0.1/cb', callbackSecret: 's' }],
    });
    assert.equal(ok.apps[0]!.callbackUrl, 'https://127.0.0.1/cb');
    assert.deepEqual(ok.callbacks.retryDelaysMs, [2000, 4000, 8000, 16_000, 32_000]);
  });
});
