/**
 * RedisState when Redis goes away: operations fail at once while it is down, `disconnected` then
 * `reconnected(lost)` tell the rooms layer, and restore() writes a node's entries back — after a Redis restart,
 * after this node was reaped while it was silent, and when the node no longer holds some of them.
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { StreamDeleteReason } from '@parley/protocol';
import type { RedisState } from '../../src/cluster/redis/RedisState.js';
import {
  type NodeHoldings,
  type SharedState,
  SharedStateUnavailable,
} from '../../src/cluster/SharedState.js';
import { RedisProcess, skipWithoutRedis } from '../support/redis/RedisProcess.js';
import { APP, member, next, Recorder, roomInfo, sortBy, stream } from './contract/support.js';
import { openRedisCluster, type RedisCluster } from './support/redisCluster.js';

const skip = skipWithoutRedis();
let server: RedisProcess;
const clusters: RedisCluster[] = [];

before(async () => {
  if (!skip) server = await RedisProcess.start();
});
afterEach(async () => {
  for (const cluster of clusters.splice(0)) await cluster.close();
});
after(async () => {
  await server?.close();
});

async function open(nodes = 2): Promise<RedisCluster> {
  const cluster = await openRedisCluster(server, { nodes });
  clusters.push(cluster);
  return cluster;
}

/** What populate() gives `node`: a user in two rooms, streams in both, extra info in the shared one. */
function holdingsOf(node: SharedState): NodeHoldings {
  const u = member('u', node);
  return {
    users: [{ appID: APP, userID: 'u', holder: { nodeID: node.nodeID, sessionID: u.sessionID } }],
    members: [
      { appID: APP, roomID: 'shared', maxMemberCount: 0, member: u },
      { appID: APP, roomID: 'own', maxMemberCount: 0, member: u },
    ],
    streams: [
      stream('shown', 'shared', u),
      stream('hidden', 'shared', u, { announced: false }),
      stream('elsewhere', 'own', u),
    ].map((s) => ({ appID: APP, stream: s })),
    extraInfo: [{ appID: APP, roomID: 'shared', info: roomInfo('topic', 'x', u) }],
  };
}

/** Writes `holdings` the way the rooms layer would have, op by op. */
async function populate(node: SharedState, holdings: NodeHoldings): Promise<void> {
  for (const u of holdings.users) await node.claimUser(u.appID, u.userID, u.holder);
  for (const m of holdings.members) await node.joinRoom(m.appID, m.roomID, m.member, m.maxMemberCount);
  for (const s of holdings.streams) await node.claimStream(s.appID, s.stream);
  for (const x of holdings.extraInfo) await node.setRoomExtraInfo(x.appID, x.roomID, x.info, 10);
}

/** The other node's part: a user, a membership of the shared room and a stream there. */
function otherHoldings(node: SharedState): NodeHoldings {
  const v = member('v', node);
  return {
    users: [{ appID: APP, userID: 'v', holder: { nodeID: node.nodeID, sessionID: v.sessionID } }],
    members: [{ appID: APP, roomID: 'shared', maxMemberCount: 0, member: v }],
    streams: [{ appID: APP, stream: stream('theirs', 'shared', v) }],
    extraInfo: [],
  };
}

const sorted = <T extends { userID: string }>(list: T[]) => sortBy(list, (x) => x.userID);

describe('RedisState when Redis goes away', { skip }, () => {
  it('fails every operation at once while Redis is down, and after its restart both nodes restore their entries', async () => {
    const cluster = await open();
    const [a, b] = cluster.nodes as [RedisState, RedisState];
    const mine = holdingsOf(a);
    const theirs = otherHoldings(b);
    await populate(b, theirs);
    await populate(a, mine);
    await b.watchRoom(APP, 'shared');

    const down = [next(a, 'disconnected'), next(b, 'disconnected')];
    await server.kill();
    await Promise.all(down);
    assert.equal(a.available, false);
    const u = member('u', a);
    const fromUser = { userID: 'u', userName: u.userName };
    const ops: [string, () => Promise<unknown>][] = [
      ['claimUser', () => a.claimUser(APP, 'w', { nodeID: a.nodeID, sessionID: 'w' })],
      ['releaseUser', () => a.releaseUser(APP, 'u', u.sessionID)],
      ['joinRoom', () => a.joinRoom(APP, 'shared', member('w', a), 0)],
      ['leaveRoom', () => a.leaveRoom(APP, 'shared', 'u', u.sessionID, StreamDeleteReason.StoppedPublishing)],
      ['roomSnapshot', () => a.roomSnapshot(APP, 'shared')],
      ['claimStream', () => a.claimStream(APP, stream('new', 'shared', u))],
      ['updateStream', () => a.updateStream(APP, 'shown', u.sessionID, { extraInfo: 'y' })],
      ['removeStreams', () => a.removeStreams(APP, 'shared', ['shown'], u.sessionID, 1)],
      ['findStream', () => a.findStream(APP, 'shown')],
      ['setRoomExtraInfo', () => a.setRoomExtraInfo(APP, 'shared', roomInfo('k', 'v', u), 10)],
      ['broadcast', () => a.broadcast(APP, 'shared', { fromUser, message: 'm', sendTime: 0 })],
      [
        'publishRoom',
        () => a.publishRoom(APP, 'shared', { kind: 'command', fromUser, command: 'c', toUserIDs: [] }),
      ],
      ['watchRoom', () => a.watchRoom(APP, 'other')],
      ['sendToNode', () => a.sendToNode(b.nodeID, 'hello')],
      ['liveNodes', () => a.liveNodes()],
      ['reapDeadNodes', () => a.reapDeadNodes()],
      ['restore', () => a.restore(mine)],
    ];
    // Redis is still down while these run: none of them waits for it to come back.
    for (const [name, op] of ops) await assert.rejects(op(), SharedStateUnavailable, name);

    const onB = new Recorder(b);
    const back = [next(a, 'reconnected'), next(b, 'reconnected')];
    await server.restart();
    assert.deepEqual(await Promise.all(back), [[true], [true]]);
    assert.equal(a.available, true);
    assert.deepEqual(await a.liveNodes(), [], 'a node lost by Redis is alive again only once it restored');

    await b.restore(theirs);
    await a.restore(mine);
    assert.deepEqual((await a.liveNodes()).sort(), [a.nodeID, b.nodeID].sort());
    const snapshot = await b.roomSnapshot(APP, 'shared');
    assert.deepEqual(sorted(snapshot.members), [u, member('v', b)]);
    assert.deepEqual(
      sortBy(snapshot.streams, (s) => s.streamID),
      [mine.streams[1]!.stream, mine.streams[0]!.stream, theirs.streams[0]!.stream],
    );
    assert.deepEqual(snapshot.extraInfo, [roomInfo('topic', 'x', u)]);
    assert.deepEqual(await b.findStream(APP, 'elsewhere'), mine.streams[2]!.stream);
    assert.deepEqual(
      await b.claimUser(APP, 'u', { nodeID: b.nodeID, sessionID: 'probe' }),
      mine.users[0]!.holder,
    );

    // b watched the room through the outage: it saw the room come back, event by event, from seq 1.
    const events = await onB.events('shared', 5);
    assert.deepEqual(
      events.map((e) => [e.seq, e.origin, e.kind]),
      [
        [1, b.nodeID, 'join'],
        [2, b.nodeID, 'streamAdd'],
        [3, a.nodeID, 'join'],
        [4, a.nodeID, 'streamAdd'],
        [5, a.nodeID, 'extraInfo'],
      ],
    );
    assert.deepEqual(events[2], { origin: a.nodeID, seq: 3, kind: 'join', member: u, replaced: null });
    assert.deepEqual(events[3], {
      origin: a.nodeID,
      seq: 4,
      kind: 'streamAdd',
      streams: [mine.streams[0]!.stream],
    });
  });

  it('a node reaped while it was silent finds out at its next heartbeat and restores itself', async () => {
    const cluster = await open();
    const [a, b] = cluster.nodes as [RedisState, RedisState];
    const mine = holdingsOf(a);
    await populate(b, otherHoldings(b));
    await populate(a, mine);
    const onB = new Recorder(b);
    await b.watchRoom(APP, 'shared');

    // a's heartbeats are a minute apart: to b it looks dead as soon as its beat is made old.
    await cluster.expire(a);
    assert.deepEqual(await b.reapDeadNodes(), [a.nodeID]);
    assert.deepEqual(await cluster.leftovers(a.nodeID), []);
    const lost = next(a, 'reconnected');
    await a.heartbeatNow();
    assert.deepEqual(await lost, [true]);

    await a.restore(mine);
    let reports = 0;
    a.on('reconnected', () => reports++);
    await a.heartbeatNow();
    assert.equal(reports, 0, 'registered again: the next beat reports nothing');
    assert.deepEqual((await b.liveNodes()).sort(), [a.nodeID, b.nodeID].sort());
    const fromUser = { userID: 'v', userName: 'v' };
    await b.broadcast(APP, 'shared', { fromUser, message: 'mark', sendTime: 0 });
    const events = await onB.events('shared', 5);
    assert.deepEqual(
      events.map((e) => [e.kind, 'reason' in e ? e.reason : null]),
      [
        ['streamDelete', StreamDeleteReason.HeartbeatTimeout],
        ['leave', StreamDeleteReason.HeartbeatTimeout],
        ['join', null],
        ['streamAdd', null],
        // The room's extra info stayed with the room (b's member kept it): nothing to write back.
        ['broadcast', null],
      ],
    );
    const snapshot = await b.roomSnapshot(APP, 'shared');
    assert.deepEqual(sorted(snapshot.members), [member('u', a), member('v', b)]);
    assert.deepEqual(
      snapshot.extraInfo,
      mine.extraInfo.map((x) => x.info),
    );
  });

  it('restore() removes what the node no longer holds, with events, and leaves what another node took meanwhile', async () => {
    const cluster = await open();
    const [a, b] = cluster.nodes as [RedisState, RedisState];
    const mine = holdingsOf(a);
    await populate(b, otherHoldings(b));
    await populate(a, mine);
    await a.claimUser(APP, 'gone', { nodeID: a.nodeID, sessionID: 'gone' });
    // While a could not reach Redis (say), a session of b took a userID a still lists.
    await a.claimUser(APP, 'taken', { nodeID: a.nodeID, sessionID: 'old' });
    await b.claimUser(APP, 'taken', { nodeID: b.nodeID, sessionID: 'new' });
    const onB = new Recorder(b);
    await b.watchRoom(APP, 'shared');

    // a no longer holds the user 'gone', its membership of 'own' with the stream there, nor the stream 'shown'.
    const now: NodeHoldings = {
      users: [...mine.users, { appID: APP, userID: 'taken', holder: { nodeID: a.nodeID, sessionID: 'old' } }],
      members: mine.members.filter((m) => m.roomID === 'shared'),
      streams: mine.streams.filter((s) => s.stream.streamID === 'hidden'),
      extraInfo: mine.extraInfo,
    };
    await a.restore(now);
    const [deleted] = await onB.events('shared', 1);
    assert.deepEqual(deleted, {
      origin: a.nodeID,
      seq: 6,
      kind: 'streamDelete',
      streams: [mine.streams[0]!.stream],
      reason: StreamDeleteReason.StoppedPublishing,
    });
    assert.equal(await b.findStream(APP, 'shown'), null);
    assert.equal(await b.findStream(APP, 'elsewhere'), null);
    assert.deepEqual(await b.roomSnapshot(APP, 'own'), { seq: 0, members: [], streams: [], extraInfo: [] });
    assert.equal(await b.claimUser(APP, 'gone', { nodeID: b.nodeID, sessionID: 'mine now' }), null);
    assert.deepEqual(await b.claimUser(APP, 'taken', { nodeID: b.nodeID, sessionID: 'new' }), null);
    const left = await cluster.leftovers(a.nodeID);
    assert.equal(left.filter((row) => row.includes('"hidden"') || row.includes(':hidden')).length > 0, true);
    assert.equal(
      left.some((row) => row.includes('gone') || row.includes('taken') || row.includes('own')),
      false,
    );
  });

  it('a Redis that stops answering fails operations after the command timeout, and serves them again once it answers', async () => {
    const cluster = await open(1);
    const a = await cluster.addNode({ commandTimeoutMs: 100 });
    await a.joinRoom(APP, 'r', member('u', a), 0);
    await server.freeze();
    try {
      await assert.rejects(a.roomSnapshot(APP, 'r'), SharedStateUnavailable);
      await assert.rejects(a.joinRoom(APP, 'r', member('v', a), 0), SharedStateUnavailable);
    } finally {
      server.thaw();
    }
    // A command that timed out may still be done once Redis runs again: the store, not the timeout, says what
    // happened, and a later operation sees it.
    assert.ok((await a.joinRoom(APP, 'r', member('w', a), 0)).ok);
    const members = (await a.roomSnapshot(APP, 'r')).members.map((m) => m.userID).sort();
    assert.deepEqual(members, ['u', 'v', 'w']);
  });

  it('a dropped subscriber connection comes back with every watched room, and reports reconnected(lost=false)', async () => {
    const cluster = await open();
    const [a, b] = cluster.nodes as [RedisState, RedisState];
    const onB = new Recorder(b);
    await b.watchRoom(APP, 'r');
    const name = `${cluster.prefix}${b.nodeID}:sub`.replace(/[^0-9A-Za-z_.:-]/g, '_');
    const clients = (await cluster.redis.client('LIST')) as string;
    const line = clients.split('\n').find((l) => l.includes(` name=${name} `));
    assert.ok(line, `b's subscriber connection in CLIENT LIST:\n${clients}`);
    const id = /\bid=(\d+)/.exec(line)![1]!;
    const down = next(b, 'disconnected');
    const back = next(b, 'reconnected');
    await cluster.redis.client('KILL', 'ID', id);
    await down;
    assert.deepEqual(await back, [false]);
    await a.joinRoom(APP, 'r', member('u', a), 0);
    assert.deepEqual(
      (await onB.events('r', 1)).map((e) => e.kind),
      ['join'],
    );
  });
});
