/**
 * Contract: the streams the server API adds (AddStream) — owned by SERVER_NODE_ID, which no node's exit, reap or
 * restore touches, never taken over, only added to a room with members, and gone with their room.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { StreamDeleteReason } from '@parley/protocol';
import { SERVER_NODE_ID, type StreamEntry, serverStreamSession } from '../../../src/cluster/SharedState.js';
import { APP, type MakeCluster, member, Recorder, stream } from './support.js';

function serverStream(streamID: string, roomID: string, userID: string): StreamEntry {
  const owner = {
    userID,
    userName: `name of ${userID}`,
    nodeID: SERVER_NODE_ID,
    sessionID: serverStreamSession(streamID),
  };
  return { ...stream(streamID, roomID, owner, { media: 'none' }), audio: 'MUTE', video: 'MUTE' };
}

export function serverStreamTests(open: MakeCluster): void {
  it('a server stream needs a room with members; it is announced and refuses every other claim of its streamID', async () => {
    const [a, b] = (await open()).nodes;
    const s = serverStream('srv', 'r', 'u');
    assert.deepEqual(await a.claimStream(APP, s), { ok: false, holder: null });
    assert.equal(await b.findStream(APP, 'srv'), null);
    assert.deepEqual((await b.roomSnapshot(APP, 'r')).streams, []);

    const onB = new Recorder(b);
    await b.watchRoom(APP, 'r');
    const u = member('u', b);
    await b.joinRoom(APP, 'r', u, 0);
    assert.deepEqual(await a.claimStream(APP, s), { ok: true });
    const events = await onB.events('r', 2);
    assert.deepEqual(events[1], { origin: a.nodeID, seq: 2, kind: 'streamAdd', streams: [s] });
    assert.deepEqual(await b.findStream(APP, 'srv'), s);
    // Nobody takes it over, not even a session of the user it is shown as, nor the server itself again.
    assert.deepEqual(await b.claimStream(APP, stream('srv', 'r', u)), { ok: false, holder: s });
    assert.deepEqual(await b.claimStream(APP, s), { ok: false, holder: s });
    // And it takes nothing over: a user's stream refuses a server claim of the same user.
    const own = stream('own', 'r', u);
    await b.claimStream(APP, own);
    assert.deepEqual(await a.claimStream(APP, serverStream('own', 'r', 'u')), { ok: false, holder: own });
    assert.deepEqual(await a.findStream(APP, 'own'), own);
  });

  it('no node owns it: the node that added it may die and be reaped, the stream stays until removed as the server', async () => {
    const cluster = await open({ nodes: 3 });
    const [a, b, c] = cluster.nodes;
    const onC = new Recorder(c);
    await c.watchRoom(APP, 'r');
    await c.joinRoom(APP, 'r', member('u', c), 0);
    const s = serverStream('srv', 'r', 'bot');
    assert.deepEqual(await a.claimStream(APP, s), { ok: true });
    await cluster.crash(a);
    await cluster.expire(a);
    assert.deepEqual(await b.reapDeadNodes(), [a.nodeID]);
    assert.deepEqual(await cluster.leftovers(a.nodeID), []);
    assert.deepEqual(await c.findStream(APP, 'srv'), s);
    // The stream's entry is all the store holds of '@server': no index of a node lists it.
    assert.equal((await cluster.leftovers(SERVER_NODE_ID)).length, 1);
    // A user's session cannot remove it; the server's own session can.
    assert.deepEqual(
      await b.removeStreams(APP, 'r', ['srv'], 'u@c', StreamDeleteReason.StoppedPublishing),
      [],
    );
    const removed = await b.removeStreams(
      APP,
      'r',
      ['srv'],
      serverStreamSession('srv'),
      StreamDeleteReason.RemovedByServer,
    );
    assert.deepEqual(removed, ['srv']);
    const events = await onC.events('r', 3);
    assert.deepEqual(events[2], {
      origin: b.nodeID,
      seq: 3,
      kind: 'streamDelete',
      streams: [s],
      reason: StreamDeleteReason.RemovedByServer,
    });
    assert.equal(await c.findStream(APP, 'srv'), null);
  });

  it('a server stream goes with its room when the last member leaves', async () => {
    const cluster = await open();
    const [a, b] = cluster.nodes;
    const u = member('u', b);
    await b.joinRoom(APP, 'r', u, 0);
    assert.deepEqual(await a.claimStream(APP, serverStream('srv', 'r', 'bot')), { ok: true });
    await b.leaveRoom(APP, 'r', 'u', u.sessionID, StreamDeleteReason.StoppedPublishing);
    assert.equal(await a.findStream(APP, 'srv'), null);
    assert.deepEqual(await cluster.contents(), []);
  });
}
