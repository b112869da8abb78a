/** Contract: room extra info, broadcast messages, commands, watching rooms and messages between nodes. */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { APP, type MakeCluster, member, Recorder, roomInfo, sortBy } from './support.js';

export function messageTests(open: MakeCluster): void {
  it('setRoomExtraInfo sets a key unless the room has maxKeys others, and publishes extraInfo', async () => {
    const [a, b] = (await open()).nodes;
    const onB = new Recorder(b);
    await b.watchRoom(APP, 'r');
    const u = member('u', a);
    assert.equal(await a.setRoomExtraInfo(APP, 'r', roomInfo('k1', 'v', u), 2), false, 'no room yet');
    await a.joinRoom(APP, 'r', u, 0);
    assert.equal(await a.setRoomExtraInfo(APP, 'r', roomInfo('k1', 'one', u), 2), true);
    assert.equal(await b.setRoomExtraInfo(APP, 'r', roomInfo('k2', 'two', u), 2), true);
    assert.equal(await b.setRoomExtraInfo(APP, 'r', roomInfo('k3', 'three', u), 2), false, 'full');
    assert.equal(await a.setRoomExtraInfo(APP, 'r', roomInfo('k1', 'uno', u), 2), true, 'an existing key');

    const events = await onB.events('r', 4);
    assert.deepEqual(events.slice(1), [
      { origin: a.nodeID, seq: 2, kind: 'extraInfo', info: roomInfo('k1', 'one', u) },
      { origin: b.nodeID, seq: 3, kind: 'extraInfo', info: roomInfo('k2', 'two', u) },
      { origin: a.nodeID, seq: 4, kind: 'extraInfo', info: roomInfo('k1', 'uno', u) },
    ]);
    const snapshot = await b.roomSnapshot(APP, 'r');
    assert.deepEqual(
      sortBy(snapshot.extraInfo, (i) => i.key),
      [roomInfo('k1', 'uno', u), roomInfo('k2', 'two', u)],
    );
  });

  it('broadcast messageIDs are unique and increase with the room’s order, across nodes sending at once', async () => {
    const [a, b] = (await open()).nodes;
    const onB = new Recorder(b);
    await b.watchRoom(APP, 'r');
    await a.joinRoom(APP, 'r', member('u', a), 0);
    const fromUser = { userID: 'u', userName: 'name of u' };
    const ids = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        (i % 2 === 0 ? a : b).broadcast(APP, 'r', { fromUser, message: `m${i}`, sendTime: 1000 + i }),
      ),
    );
    assert.deepEqual(
      [...ids].sort((x, y) => x - y),
      Array.from({ length: 30 }, (_, i) => i + 1),
    );
    const events = (await onB.events('r', 31)).slice(1);
    assert.deepEqual(
      events.map((e) => (e.kind === 'broadcast' ? e.messageID : -1)),
      Array.from({ length: 30 }, (_, i) => i + 1),
    );
    assert.deepEqual(
      events.map((e) => e.seq),
      Array.from({ length: 30 }, (_, i) => i + 2),
    );
    const i = ids.indexOf(7);
    assert.deepEqual(events[6], {
      origin: (i % 2 === 0 ? a : b).nodeID,
      seq: 8,
      kind: 'broadcast',
      fromUser,
      message: `m${i}`,
      sendTime: 1000 + i,
      messageID: 7,
    });
  });

  it('publishRoom publishes a command in a room that exists, and nothing in one that does not', async () => {
    const [a, b] = (await open()).nodes;
    const onB = new Recorder(b);
    await b.watchRoom(APP, 'r');
    await b.watchRoom(APP, 'nobody');
    await a.joinRoom(APP, 'r', member('u', a), 0);
    const fromUser = { userID: 'u', userName: 'name of u' };
    await a.publishRoom(APP, 'nobody', { kind: 'command', fromUser, command: 'lost', toUserIDs: [] });
    await a.publishRoom(APP, 'r', { kind: 'command', fromUser, command: 'to all', toUserIDs: [] });
    await b.publishRoom(APP, 'r', { kind: 'command', fromUser, command: 'to two', toUserIDs: ['v', 'w:1'] });
    const events = await onB.events('r', 3);
    assert.deepEqual(events.slice(1), [
      { origin: a.nodeID, seq: 2, kind: 'command', fromUser, command: 'to all', toUserIDs: [] },
      { origin: b.nodeID, seq: 3, kind: 'command', fromUser, command: 'to two', toUserIDs: ['v', 'w:1'] },
    ]);
    // A message in a room nobody is in reaches its watchers but keeps nothing.
    assert.equal(await a.broadcast(APP, 'nobody', { fromUser, message: 'echo', sendTime: 0 }), 1);
    const [echo] = await onB.events('nobody', 1);
    assert.equal(echo!.kind, 'broadcast');
    assert.deepEqual(await a.roomSnapshot(APP, 'nobody'), {
      seq: 0,
      members: [],
      streams: [],
      extraInfo: [],
    });
  });

  it('publishRoom publishes a barrage message with the messageID its sender made', async () => {
    const [a, b] = (await open()).nodes;
    const onB = new Recorder(b);
    await b.watchRoom(APP, 'r');
    await a.joinRoom(APP, 'r', member('u', a), 0);
    const fromUser = { userID: 'bot', userName: 'Bot' };
    const barrage = { kind: 'barrage', fromUser, message: 'wow', sendTime: 5, messageID: 'b-1' } as const;
    await a.publishRoom(APP, 'r', barrage);
    const events = await onB.events('r', 2);
    assert.deepEqual(events[1], { origin: a.nodeID, seq: 2, ...barrage });
  });

  it('a watched room delivers every event after watchRoom resolves; after unwatchRoom, none', async () => {
    const [a, b] = (await open()).nodes;
    const onB = new Recorder(b);
    await a.joinRoom(APP, 'x', member('u', a), 0);
    await a.joinRoom(APP, 'y', member('u', a), 0);
    const fromUser = { userID: 'u', userName: 'name of u' };
    await a.broadcast(APP, 'x', { fromUser, message: 'before', sendTime: 0 });
    await b.watchRoom(APP, 'x');
    await b.watchRoom(APP, 'y');
    await a.broadcast(APP, 'x', { fromUser, message: 'watched', sendTime: 0 });
    assert.deepEqual(
      (await onB.events('x', 1)).map((e) => e.seq),
      [3],
    );
    await b.unwatchRoom(APP, 'x');
    await b.unwatchRoom(APP, 'x');
    await a.broadcast(APP, 'x', { fromUser, message: 'unwatched', sendTime: 0 });
    await a.broadcast(APP, 'y', { fromUser, message: 'still watched', sendTime: 0 });
    // The events of one store reach a node in the order they were published, so y's came after x's would have.
    await onB.events('y', 1);
    assert.equal(onB.of('x').length, 1);
    await b.watchRoom(APP, 'x');
    await a.broadcast(APP, 'x', { fromUser, message: 'watched again', sendTime: 0 });
    assert.deepEqual(
      (await onB.events('x', 2)).map((e) => e.seq),
      [3, 5],
    );
  });

  it('sendToNode delivers a JSON value to that node only; a message to a node that is not alive is dropped', async () => {
    const [a, b, c] = (await open({ nodes: 3 })).nodes;
    const onA = new Recorder(a);
    const onB = new Recorder(b);
    const onC = new Recorder(c);
    await a.sendToNode('nobody', { lost: true });
    await a.sendToNode(b.nodeID, { kind: 'kick', sessionID: 's:1', list: [1, 'two', null] });
    await a.sendToNode(b.nodeID, 'text');
    await c.sendToNode(b.nodeID, null);
    await c.sendToNode(b.nodeID, undefined);
    await c.sendToNode(a.nodeID, { back: 1 });
    assert.deepEqual(await onB.nodeMessages(4), [
      { from: a.nodeID, body: { kind: 'kick', sessionID: 's:1', list: [1, 'two', null] } },
      { from: a.nodeID, body: 'text' },
      { from: c.nodeID, body: null },
      { from: c.nodeID, body: undefined },
    ]);
    assert.deepEqual(await onA.nodeMessages(1), [{ from: c.nodeID, body: { back: 1 } }]);
    // Messages to one node arrive in order: had c received any of the others, they would come before this one.
    await a.sendToNode(c.nodeID, 'last');
    assert.deepEqual(await onC.nodeMessages(1), [{ from: a.nodeID, body: 'last' }]);
    assert.equal(onC.messages.length, 1);
  });
}
