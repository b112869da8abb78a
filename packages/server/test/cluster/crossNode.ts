/**
 * What only a cluster can get wrong, with users on three nodes (clients connect to the nodes in turn: the n-th
 * connection goes to node n mod 3). Run by crossNodeMemory.test.ts and crossNodeRedis.test.ts, which choose the
 * shared state (support/clusterSpread.ts).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ErrorCode } from '@parley/protocol';
import { waitFor } from '../sfu/support/waitFor.js';
import { type Harness, loginFrame, startHarness } from '../support/harness.js';
import { health, ok, playMedia, publishMedia } from '../support/mediaSignaling.js';
import type { RawClient } from '../support/RawClient.js';

describe('a room spread over three nodes', () => {
  let h: Harness;
  const peers: { close(): Promise<void> }[] = [];
  before(async () => {
    h = await startHarness({ rooms: { onlineCountIntervalMs: 100 }, cluster: { pipeLingerMs: 300 } });
    assert.equal(h.servers.length, 3, 'the file runs spread over three nodes');
  });
  after(async () => {
    await Promise.all(peers.map((p) => p.close()));
    await h.close();
  });

  /** Connects the next `n` clients (so their nodes are known: the k-th of them is on node (start + k) mod 3). */
  const clients = (n: number): Promise<RawClient[]> =>
    Promise.all(Array.from({ length: n }, () => h.connect()));

  it('replaces a user who logs in again on another node: kickout 1002050, the others see it leave and come back', async () => {
    const [first, watcher, second] = await clients(3);
    assert.equal((await first!.request('login', loginFrame('twin', 'tw'))).code, 0);
    assert.equal((await watcher!.request('login', loginFrame('twin', 'watcher'))).code, 0);
    await watcher!.waitEvent('userUpdate', (e) => e.users.some((u) => u.userID === 'tw'));
    assert.equal((await first!.request('publish', { roomID: 'twin', streamID: 'tw-cam' })).code, 0);
    await watcher!.waitEvent('streamUpdate', (e) => e.updateType === 'ADD');

    assert.equal((await second!.request('login', loginFrame('twin', 'tw'))).code, 0);
    const kick = await first!.waitEvent('kickout');
    assert.equal(kick.code, ErrorCode.KICKED_REPEAT_LOGIN);
    const del = await watcher!.waitEvent('streamUpdate', (e) => e.updateType === 'DELETE');
    assert.deepEqual(del.reasons, [{ stream_id: 'tw-cam', code: 3 }]);
    await waitFor(() => watcher!.events('userUpdate').length >= 3, 'the watcher sees tw leave and come back');
    const updates = watcher!
      .events('userUpdate')
      .map((e) => `${e.updateType} ${e.users.map((u) => u.userID)}`);
    assert.deepEqual(updates.slice(-2), ['DELETE tw', 'ADD tw']);
    // The stream's ID is free again, for the user's new session only.
    assert.equal((await second!.request('publish', { roomID: 'twin', streamID: 'tw-cam' })).code, 0);
  });

  it('lets exactly maxMemberCount users in when they log in at once on every node', async () => {
    const users = await clients(12);
    const replies = await Promise.all(
      users.map((c, i) => c.request('login', loginFrame('crowded', `crowd-${i}`, { maxMemberCount: 5 }))),
    );
    const codes = replies.map((r) => r.code);
    assert.equal(codes.filter((c) => c === 0).length, 5, `codes: ${codes}`);
    assert.equal(codes.filter((c) => c === ErrorCode.ROOM_MEMBER_LIMIT).length, 7);
  });

  it('keeps streamIDs unique in the AppID across nodes', async () => {
    const [a, b] = await clients(2);
    assert.equal((await a!.request('login', loginFrame('uniq-a', 'ua'))).code, 0);
    assert.equal((await b!.request('login', loginFrame('uniq-b', 'ub'))).code, 0);
    assert.equal((await a!.request('publish', { roomID: 'uniq-a', streamID: 'only-one' })).code, 0);
    assert.equal(
      (await b!.request('publish', { roomID: 'uniq-b', streamID: 'only-one' })).code,
      ErrorCode.STREAM_ID_DUPLICATE,
    );
    assert.equal((await a!.request('unpublish', { streamID: 'only-one' })).code, 0);
    assert.equal((await b!.request('publish', { roomID: 'uniq-b', streamID: 'only-one' })).code, 0);
  });

  it('numbers broadcasts uniquely in the room, delivers commands to their addressee only, counts every node', async () => {
    const [s0, s1, s2] = await clients(3);
    for (const [i, c] of [s0!, s1!, s2!].entries()) {
      assert.equal((await c.request('login', loginFrame('chat', `chat-${i}`))).code, 0);
    }
    const count = await s0!.waitEvent('onlineCount', (e) => e.count === 3);
    assert.equal(count.count, 3);
    const sent = await Promise.all(
      [s0!, s1!, s2!].flatMap((c) =>
        Array.from({ length: 3 }, (_, k) => c.request('broadcast', { roomID: 'chat', message: `m${k}` })),
      ),
    );
    const ids = sent.map((r) => (r.data as { messageID: number }).messageID);
    assert.equal(new Set(ids).size, 9, `messageIDs ${ids}`);
    await waitFor(
      () => s0!.events('broadcast').length === 6,
      'node 0 gets the six broadcasts of the other nodes',
    );
    const seen = s0!.events('broadcast').map((e) => e.messages[0]!.messageID);
    assert.ok(seen.every((id) => ids.includes(id)));

    assert.equal(
      (await s0!.request('customCommand', { roomID: 'chat', command: 'psst', toUserIDs: ['chat-2'] })).code,
      0,
    );
    const got = await s2!.waitEvent('customCommand');
    assert.deepEqual(got.fromUser, { userID: 'chat-0', userName: 'name-chat-0' });
    await s1!.sync();
    assert.equal(s1!.events('customCommand').length, 0);
  });

  it('shows a late joiner on another node the room extra info and streams as they are now', async () => {
    const [setter, late] = await clients(2);
    assert.equal((await setter!.request('login', loginFrame('late-room', 'setter'))).code, 0);
    await setter!.request('setRoomExtraInfo', { roomID: 'late-room', key: 'topic', value: 'one' });
    await setter!.request('setRoomExtraInfo', { roomID: 'late-room', key: 'topic', value: 'two' });
    await setter!.request('publish', { roomID: 'late-room', streamID: 'late-cam', extraInfo: 'e1' });
    await setter!.request('setStreamExtraInfo', { streamID: 'late-cam', extraInfo: 'e2' });
    assert.equal((await late!.request('login', loginFrame('late-room', 'late'))).code, 0);
    const info = await late!.waitEvent('roomExtraInfoUpdate');
    assert.deepEqual(
      info.infos.map((i) => [i.key, i.value]),
      [['topic', 'two']],
    );
    const streams = await late!.waitEvent('streamUpdate');
    assert.deepEqual(streams.streams, [
      { streamID: 'late-cam', user: { userID: 'setter', userName: 'name-setter' }, extraInfo: 'e2' },
    ]);
  });

  it('pipes a stream to a player on another node: one pipe for all its players there, media in order', async () => {
    const [publisherClient, p1, p2] = await clients(3);
    const pub = publisherClient!;
    // p1 and p2 on the two other nodes; a third player on p1's node shares its pipe.
    const p3 = await h.reconnect(p1!);
    for (const [i, c] of [pub, p1!, p2!, p3].entries()) {
      assert.equal((await c.request('login', loginFrame('piped', `piped-${i}`))).code, 0);
    }
    const publisher = await publishMedia(pub, 'piped', 'piped-cam');
    peers.push(publisher);
    const stop = publisher.pump(5);
    try {
      await p1!.waitEvent('streamUpdate', (e) => e.updateType === 'ADD');
      const players = [];
      for (const c of [p1!, p2!, p3]) {
        const { player, data } = await playMedia(c, 'piped-cam');
        peers.push(player);
        players.push(player);
        assert.equal(data['audio'], 'OPEN');
      }
      for (const player of players) {
        await waitFor(
          () => player.received.audio.length > 20 && player.received.video.some((r) => r.keyframe),
          'audio and a keyframe at every player',
        );
        const audio = player.received.audio.map((r) => r.counter);
        for (let i = 1; i < audio.length; i++)
          assert.equal(audio[i], audio[i - 1]! + 1, 'in order, none missing');
      }
      // A mute on the origin reaches the players on the other nodes.
      ok(await pub.request('streamMediaState', { streamID: 'piped-cam', video: 'MUTE' }));
      for (const c of [p1!, p2!, p3]) await c.waitEvent('streamMediaState', (e) => e.video === 'MUTE');
      // The origin holds the publisher and one pipe per other node, whatever the number of players there.
      const origin = h.servers[h.nodeIndexOf(pub)]!;
      assert.equal((await health(origin)).mediaTransports, 3);
      // Once the last player of a node stops, its pipe goes after pipeLingerMs; the other node's stays.
      ok(await p2!.request('stopPlay', { streamID: 'piped-cam' }));
      await waitFor(
        async () => (await health(origin)).mediaTransports === 2,
        "the idle node's pipe to close",
      );
      ok(await p1!.request('stopPlay', { streamID: 'piped-cam' }));
      assert.equal((await health(origin)).mediaTransports, 2, 'a node with a player left keeps its pipe');
      ok(await p3.request('stopPlay', { streamID: 'piped-cam' }));
      await waitFor(async () => (await health(origin)).mediaTransports === 1, 'the last pipe to close');
    } finally {
      stop();
    }
    ok(await pub.request('unpublish', { streamID: 'piped-cam' }));
    await p2!.waitEvent('streamUpdate', (e) => e.updateType === 'DELETE');
  });

  it('removes the users and streams of a node that died, with reason 2, and keeps nothing of it', async () => {
    const [doomed, watcher] = (await clients(2)) as [RawClient, RawClient];
    assert.equal((await watcher.request('login', loginFrame('doom', 'survivor'))).code, 0);
    assert.equal((await doomed.request('login', loginFrame('doom', 'victim'))).code, 0);
    assert.equal((await doomed.request('publish', { roomID: 'doom', streamID: 'victim-cam' })).code, 0);
    await watcher.waitEvent('streamUpdate', (e) => e.updateType === 'ADD');

    const node = h.nodeIndexOf(doomed);
    assert.notEqual(node, h.nodeIndexOf(watcher));
    h.states[node]!.crash();
    const del = await watcher.waitEvent('streamUpdate', (e) => e.updateType === 'DELETE', 10_000);
    assert.deepEqual(del.reasons, [{ stream_id: 'victim-cam', code: 2 }]);
    await watcher.waitEvent(
      'userUpdate',
      (e) => e.updateType === 'DELETE' && e.users[0]?.userID === 'victim',
      10_000,
    );
    const alive = h.states.find((_, i) => i !== node)!;
    assert.ok(!(await alive.liveNodes()).includes(h.states[node]!.nodeID));
    const snapshot = await alive.roomSnapshot(1234567, 'doom');
    assert.deepEqual(
      snapshot.members.map((m) => m.userID),
      ['survivor'],
    );
    assert.deepEqual(snapshot.streams, []);
    assert.equal(await alive.findStream(1234567, 'victim-cam'), null);
  });
});
