/** Contract: live nodes, a clean exit, a crash and the reaping of dead nodes, and restore. */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { StreamDeleteReason } from '@parley/protocol';
import type {
  NodeHoldings,
  ReapedRoomEvent,
  RoomEvent,
  SharedState,
} from '../../../src/cluster/SharedState.js';
import { APP, type MakeCluster, member, Recorder, roomInfo, sortBy, stream } from './support.js';

/** Gives `node` a user in two rooms (one shared with `other`), streams and extra info; returns what it holds. */
async function populate(node: SharedState, other: SharedState): Promise<NodeHoldings> {
  const u = member('u', node);
  const v = member('v', other);
  await node.claimUser(APP, 'u', { nodeID: node.nodeID, sessionID: u.sessionID });
  await other.claimUser(APP, 'v', { nodeID: other.nodeID, sessionID: v.sessionID });
  await other.joinRoom(APP, 'shared', v, 0);
  await node.joinRoom(APP, 'shared', u, 0);
  await node.joinRoom(APP, 'own', u, 0);
  const shown = stream('shown', 'shared', u);
  const hidden = stream('hidden', 'shared', u, { announced: false });
  const elsewhere = stream('elsewhere', 'own', u);
  for (const s of [shown, hidden, elsewhere]) await node.claimStream(APP, s);
  await other.claimStream(APP, stream('theirs', 'shared', v));
  const info = roomInfo('topic', 'x', u);
  await node.setRoomExtraInfo(APP, 'shared', info, 10);
  return {
    users: [{ appID: APP, userID: 'u', holder: { nodeID: node.nodeID, sessionID: u.sessionID } }],
    members: [
      { appID: APP, roomID: 'shared', maxMemberCount: 0, member: u },
      { appID: APP, roomID: 'own', maxMemberCount: 0, member: u },
    ],
    streams: [shown, hidden, elsewhere].map((s) => ({ appID: APP, stream: s })),
    extraInfo: [{ appID: APP, roomID: 'shared', info }],
  };
}

/** Checks the events a node's removal published in the shared room (after what populate() published there). */
function assertRemoved(events: RoomEvent[], node: SharedState, reason: number): void {
  const removal = events.slice(5);
  assert.deepEqual(
    removal.map((e) => [e.origin, e.kind, 'reason' in e ? e.reason : null]),
    [
      [node.nodeID, 'streamDelete', reason],
      [node.nodeID, 'leave', reason],
    ],
  );
  const [deleted, left] = removal;
  assert.ok(deleted?.kind === 'streamDelete' && left?.kind === 'leave');
  assert.deepEqual(
    deleted.streams.map((s) => s.streamID),
    ['shown'],
  );
  assert.deepEqual(left.member, member('u', node));
}

/** Checks that `other`'s entries are untouched by the removal of another node's. */
async function assertOtherIntact(other: SharedState, cluster: { leftovers(id: string): Promise<string[]> }) {
  const snapshot = await other.roomSnapshot(APP, 'shared');
  assert.deepEqual(snapshot.members, [member('v', other)]);
  assert.deepEqual(
    snapshot.streams.map((s) => s.streamID),
    ['theirs'],
  );
  assert.deepEqual(snapshot.extraInfo, [roomInfo('topic', 'x', member('u', other))]);
  assert.notDeepEqual(await cluster.leftovers(other.nodeID), []);
}

export function nodeTests(open: MakeCluster): void {
  it('liveNodes lists the started nodes; a closed node is gone from it', async () => {
    const [a, b, c] = (await open({ nodes: 3 })).nodes;
    assert.deepEqual((await a.liveNodes()).sort(), [a.nodeID, b.nodeID, c.nodeID].sort());
    await b.close();
    await b.close();
    assert.deepEqual((await c.liveNodes()).sort(), [a.nodeID, c.nodeID].sort());
  });

  it("close() removes the node's entries with their events (reason StoppedPublishing)", async () => {
    const cluster = await open();
    const [a, b] = cluster.nodes;
    const onB = new Recorder(b);
    await b.watchRoom(APP, 'shared');
    await populate(a, b);
    await a.close();
    assertRemoved(await onB.events('shared', 7), a, StreamDeleteReason.StoppedPublishing);
    assert.deepEqual(await cluster.leftovers(a.nodeID), []);
    assert.deepEqual(await b.roomSnapshot(APP, 'own'), { seq: 0, members: [], streams: [], extraInfo: [] });
    assert.equal(await b.claimUser(APP, 'u', { nodeID: b.nodeID, sessionID: 'new' }), null);
    await assertOtherIntact(b, cluster);
  });

  it('a crashed node is reaped once, by whichever node gets there first, with its events (reason HeartbeatTimeout)', async () => {
    const cluster = await open({ nodes: 3 });
    const [a, b, c] = cluster.nodes;
    const onB = new Recorder(b);
    const onC = new Recorder(c);
    await b.watchRoom(APP, 'shared');
    await c.watchRoom(APP, 'shared');
    await populate(a, b);
    assert.deepEqual(await b.reapDeadNodes(), [], 'nobody is dead yet');
    const told: { node: string; events: ReapedRoomEvent[] }[] = [];
    for (const n of [b, c]) n.on('reaped', (events) => told.push({ node: n.nodeID, events }));
    await cluster.crash(a);
    await cluster.expire(a);
    const reaped = await Promise.all([b.reapDeadNodes(), c.reapDeadNodes()]);
    assert.deepEqual(reaped.flat(), [a.nodeID]);
    assert.deepEqual(await b.reapDeadNodes(), []);
    // Only the reaper is told what its reap removed, with the rooms it closed (watched or not).
    const reaper = reaped[0]!.length > 0 ? b : c;
    assert.equal(told.length, 1);
    assert.equal(told[0]!.node, reaper.nodeID);
    assert.deepEqual(
      sortBy(
        told[0]!.events.map((r) => [
          r.appID,
          r.roomID,
          r.event.kind,
          r.event.kind === 'leave'
            ? r.event.member.userID
            : r.event.kind === 'streamDelete'
              ? r.event.streams.map((x) => x.streamID).join()
              : '',
          r.roomClosed,
        ]),
        (x) => `${x[1]}:${x[2]}`,
      ),
      [
        [APP, 'own', 'leave', 'u', true],
        [APP, 'own', 'streamDelete', 'elsewhere', false],
        [APP, 'shared', 'leave', 'u', false],
        [APP, 'shared', 'streamDelete', 'shown', false],
      ],
    );
    assertRemoved(await onB.events('shared', 7), a, StreamDeleteReason.HeartbeatTimeout);
    // Both watchers saw the same events, once.
    await b.broadcast(APP, 'shared', { fromUser: { userID: 'v', userName: 'v' }, message: 'm', sendTime: 0 });
    assert.deepEqual(await onC.events('shared', 8), await onB.events('shared', 8));
    assert.equal(onC.of('shared').length, 8);
    assert.deepEqual(await cluster.leftovers(a.nodeID), []);
    assert.deepEqual((await b.liveNodes()).sort(), [b.nodeID, c.nodeID].sort());
    await assertOtherIntact(b, cluster);
  });

  it('a node reaps a crashed node by itself once the timeout has passed', async () => {
    // The node that crashes never reaps (its timeout is long), so only b's timer can remove anything; b's timeout
    // is long enough that no pause of this process while a is still writing makes a look dead early.
    const cluster = await open({ nodes: 2, heartbeatMs: 100, nodeTimeoutMs: [60_000, 1000] });
    const [a, b] = cluster.nodes;
    const onB = new Recorder(b);
    await b.watchRoom(APP, 'shared');
    await populate(a, b);
    await cluster.crash(a);
    assertRemoved(await onB.events('shared', 7), a, StreamDeleteReason.HeartbeatTimeout);
    assert.deepEqual(await cluster.leftovers(a.nodeID), []);
    assert.deepEqual(await b.liveNodes(), [b.nodeID]);
  });

  it('restore() with what the node holds changes nothing and publishes nothing', async () => {
    const [a, b] = (await open()).nodes;
    const onB = new Recorder(b);
    await b.watchRoom(APP, 'shared');
    const holdings = await populate(a, b);
    const before = await b.roomSnapshot(APP, 'shared');
    await a.restore(holdings);
    await a.broadcast(APP, 'shared', { fromUser: { userID: 'u', userName: 'u' }, message: 'm', sendTime: 0 });
    const events = await onB.events('shared', 6);
    assert.equal(events[5]!.kind, 'broadcast');
    const after = await b.roomSnapshot(APP, 'shared');
    const sorted = (s: typeof before) => ({
      ...s,
      members: sortBy(s.members, (m) => m.userID),
      streams: sortBy(s.streams, (x) => x.streamID),
    });
    assert.deepEqual(sorted(after), sorted({ ...before, seq: before.seq + 1 }));
    assert.deepEqual(await a.findStream(APP, 'elsewhere'), holdings.streams[2]!.stream);
  });
}
