/**
 * Server callbacks on three nodes of one cluster (the wrapper files pick memory or Redis): each event is sent
 * once, by the node that made the change — a crashed node's user and stream by the one node that reaped it.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { waitFor } from '../sfu/support/waitFor.js';
import { type CallbackBody, CallbackReceiver, expectedSignature } from '../support/CallbackReceiver.js';
import { APP, type Harness, loginFrame, OTHER_APP, startHarness } from '../support/harness.js';

const SECRET = 'cluster-callback-secret';

interface CallbackHealth {
  delivered: number;
  retried: number;
  dropped: number;
  pending: number;
}

/** Three nodes whose app sends its callbacks to a receiver of the test (with OTHER_APP too when `otherApp`). */
async function startCluster(otherApp: boolean): Promise<{
  h: Harness;
  receiver: CallbackReceiver;
  stats: (node: number) => Promise<CallbackHealth>;
}> {
  const receiver = await CallbackReceiver.start();
  const app = { ...APP, callbackUrl: receiver.url, callbackSecret: SECRET };
  const h = await startHarness({
    apps: otherApp ? [app, OTHER_APP] : [app],
    callbacks: { retryDelaysMs: [5, 10, 20, 40, 80] },
  });
  assert.equal(h.servers.length, 3, 'the file runs spread over three nodes');
  const stats = async (node: number): Promise<CallbackHealth> => {
    const res = await fetch(`${h.servers[node]!.httpUrl}/healthz`);
    return ((await res.json()) as { callbacks: CallbackHealth }).callbacks;
  };
  return { h, receiver, stats };
}

/**
 * Waits until no node has a callback pending and the receiver has recorded every delivery the nodes count
 * (it records an answer once written, which may be a moment after the node read it); returns each node's
 * figures and their sum.
 */
async function allDelivered(
  receiver: CallbackReceiver,
  stats: (node: number) => Promise<CallbackHealth>,
): Promise<{ all: CallbackHealth[]; delivered: number }> {
  await waitFor(async () => {
    const all = await Promise.all([0, 1, 2].map(stats));
    return all.every((s) => s.pending === 0);
  }, 'every node idle');
  const all = await Promise.all([0, 1, 2].map(stats));
  const delivered = all.reduce((n, s) => n + s.delivered, 0);
  await receiver.until(() => receiver.accepted.length >= delivered, 'every delivery recorded');
  return { all, delivered };
}

describe('server callbacks of a room spread over three nodes', () => {
  let h: Harness;
  let receiver: CallbackReceiver;
  let stats: (node: number) => Promise<CallbackHealth>;
  before(async () => {
    ({ h, receiver, stats } = await startCluster(true));
  });
  after(async () => {
    await h.close();
    await receiver.close();
  });

  it("sends every event once, a crashed node's logout and stream close by its reaper", async () => {
    const clients = [await h.connect(), await h.connect(), await h.connect()];
    const [c0, c1, c2] = clients as [(typeof clients)[0], (typeof clients)[0], (typeof clients)[0]];
    assert.deepEqual(
      clients.map((c) => h.nodeIndexOf(c)),
      [0, 1, 2],
    );
    for (const [i, c] of clients.entries()) {
      assert.equal((await c.request('login', loginFrame('spread', `u${i}`))).code, 0);
    }
    assert.equal((await c2.request('publish', { roomID: 'spread', streamID: 'cam2' })).code, 0);
    assert.equal((await c1.request('logout', { roomID: 'spread' })).code, 0);

    h.states[2]!.crash();
    await receiver.until(
      () => receiver.accepted.some((b) => b.event === 'room_logout' && b.user_account === 'u2'),
      'the crashed node’s user logged out by its reaper',
    );
    assert.equal((await c0.request('logout', { roomID: 'spread' })).code, 0);
    await receiver.until(() => receiver.accepted.some((b) => b.event === 'room_close'), 'room_close');

    // Every live node has sent what it queued, and the crashed one sends nothing more.
    const { delivered } = await allDelivered(receiver, stats);
    const got = receiver.accepted;
    assert.equal(got.length, delivered);
    for (const b of got) assert.equal(b.signature, expectedSignature(SECRET, b.timestamp, b.nonce));

    const key = (b: CallbackBody) =>
      `${b.event}:${b.user_account ?? b.user_id ?? b.id_name ?? ''}:${b.room_seq ?? b.user_update_seq ?? ''}`;
    assert.deepEqual(got.map(key).sort(), [
      'room_close::8',
      'room_create:u0:1',
      'room_login:u0:1',
      'room_login:u1:2',
      'room_login:u2:3',
      'room_logout:u0:8',
      'room_logout:u1:5',
      'room_logout:u2:7',
      'stream_close:u2:',
      'stream_create:u2:',
    ]);
    const reaped = got.find((b) => b.event === 'room_logout' && b.user_account === 'u2')!;
    assert.equal(reaped.reason, 1, 'a heartbeat timeout');
    assert.equal(got.find((b) => b.event === 'stream_close')!.type, 1);
    assert.equal(got.find((b) => b.event === 'room_close')!.close_reason, 0);
  });
});

describe('server callbacks of a login that replaces a session on another node', () => {
  let h: Harness;
  let receiver: CallbackReceiver;
  let stats: (node: number) => Promise<CallbackHealth>;
  before(async () => {
    ({ h, receiver, stats } = await startCluster(false));
  });
  after(async () => {
    await h.close();
    await receiver.close();
  });

  it("sends the replaced session's logout and stream close once, from the replaced session's node", async () => {
    const oldClient = await h.connect();
    let newClient = await h.connect();
    while (h.nodeIndexOf(newClient) === h.nodeIndexOf(oldClient)) newClient = await h.connect();
    const oldNode = h.nodeIndexOf(oldClient);
    const newNode = h.nodeIndexOf(newClient);

    assert.equal((await oldClient.request('login', loginFrame('rep', 'dup'))).code, 0);
    assert.equal((await oldClient.request('publish', { roomID: 'rep', streamID: 'cam' })).code, 0);
    await receiver.until(() => receiver.accepted.some((b) => b.event === 'stream_create'), 'stream_create');
    const kicked = oldClient.waitEvent('kickout');
    assert.equal((await newClient.request('login', loginFrame('rep', 'dup'))).code, 0);
    // Published at once, the new session may take the streamID over before the old node has removed it.
    assert.equal((await newClient.request('publish', { roomID: 'rep', streamID: 'cam' })).code, 0);
    await kicked;
    await receiver.until(
      () => receiver.accepted.filter((b) => b.event === 'room_logout').length === 1,
      'the replaced session logged out',
    );
    assert.equal((await newClient.request('logout', { roomID: 'rep' })).code, 0);
    await receiver.until(() => receiver.accepted.some((b) => b.event === 'room_close'), 'room_close');

    const { all } = await allDelivered(receiver, stats);
    const got = receiver.accepted;
    assert.deepEqual(got.map((b) => b.event).sort(), [
      'room_close',
      'room_create',
      'room_login',
      'room_login',
      'room_logout',
      'room_logout',
      'stream_close',
      'stream_close',
      'stream_create',
      'stream_create',
    ]);
    const [oldIn, newIn] = got.filter((b) => b.event === 'room_login');
    const replaced = got.filter((b) => b.event === 'room_logout' && b.session_id === oldIn!.session_id);
    assert.equal(replaced.length, 1);
    assert.equal(replaced[0]!.reason, 2, 'kicked out');
    const ownLogout = got.filter((b) => b.event === 'room_logout' && b.session_id === newIn!.session_id);
    assert.equal(ownLogout.length, 1);
    assert.equal(ownLogout[0]!.reason, 0);
    assert.deepEqual(
      got
        .filter((b) => b.event === 'stream_close')
        .map((b) => b.type)
        .sort(),
      [0, 2],
    );
    // The old node sent its session's five events (create, login, stream create, and the two of the
    // replacement); the new node its own five; the third node none.
    assert.equal(all[oldNode]!.delivered, 5);
    assert.equal(all[newNode]!.delivered, 5);
    assert.equal(all[3 - oldNode - newNode]!.delivered, 0);
  });
});
