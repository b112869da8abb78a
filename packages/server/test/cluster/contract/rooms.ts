/** Contract: room membership — joins, leaves, the member limit, replaced members, forgotten rooms. */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { StreamDeleteReason } from '@parley/protocol';
import { APP, type MakeCluster, member, Recorder, roomInfo, sortBy, stream } from './support.js';

const byUser = <T extends { userID: string }>(list: T[]) => sortBy(list, (m) => m.userID);

export function roomTests(open: MakeCluster): void {
  it('joins and leaves reach every watching node in order, with increasing seq; the snapshot is the room after the join', async () => {
    const [a, b] = (await open()).nodes;
    const onA = new Recorder(a);
    const onB = new Recorder(b);
    await a.watchRoom(APP, 'r');
    await b.watchRoom(APP, 'r');
    const u1 = member('u1', a);
    const u2 = member('u2', b);

    const first = await a.joinRoom(APP, 'r', u1, 0);
    assert.deepEqual(first, {
      ok: true,
      replaced: null,
      created: true,
      snapshot: { seq: 1, members: [u1], streams: [], extraInfo: [] },
    });
    const second = await b.joinRoom(APP, 'r', u2, 0);
    assert.ok(second.ok);
    assert.equal(second.created, false);
    assert.equal(second.snapshot.seq, 2);
    assert.deepEqual(byUser(second.snapshot.members), [u1, u2]);
    assert.deepEqual(await a.leaveRoom(APP, 'r', 'u1', u1.sessionID, StreamDeleteReason.StoppedPublishing), {
      seq: 3,
      roomClosed: false,
    });

    const expected = [
      { origin: a.nodeID, seq: 1, kind: 'join', member: u1, replaced: null },
      { origin: b.nodeID, seq: 2, kind: 'join', member: u2, replaced: null },
      { origin: a.nodeID, seq: 3, kind: 'leave', member: u1, reason: StreamDeleteReason.StoppedPublishing },
    ];
    assert.deepEqual(await onB.events('r', 3), expected);
    // A node receives its own events too.
    assert.deepEqual(await onA.events('r', 3), expected);
    assert.deepEqual(await a.roomSnapshot(APP, 'r'), { seq: 3, members: [u2], streams: [], extraInfo: [] });
    // A room of the same ID in another AppID is another room.
    assert.deepEqual(await a.roomSnapshot(APP + 1, 'r'), { seq: 0, members: [], streams: [], extraInfo: [] });
  });

  it("a member of the same userID replaces the old session's; the old session's late leave changes and publishes nothing", async () => {
    const [a, b] = (await open()).nodes;
    const onB = new Recorder(b);
    await b.watchRoom(APP, 'r');
    const old = member('u', a, 'old');
    const current = member('u', b, 'current');
    await a.joinRoom(APP, 'r', member('other', a), 0);
    await a.joinRoom(APP, 'r', old, 0);
    const joined = await b.joinRoom(APP, 'r', current, 0);
    assert.ok(joined.ok);
    assert.deepEqual(joined.replaced, old);
    assert.deepEqual(byUser(joined.snapshot.members), byUser([current, member('other', a)]));
    // The same session joining again replaces nobody.
    const again = await b.joinRoom(APP, 'r', current, 0);
    assert.ok(again.ok);
    assert.equal(again.replaced, null);

    // A late leave of the replaced session removes nothing and says so.
    assert.equal(await a.leaveRoom(APP, 'r', 'u', 'old', StreamDeleteReason.KickedOut), null);
    assert.equal(
      (await b.leaveRoom(APP, 'r', 'u', 'current', StreamDeleteReason.StoppedPublishing))?.roomClosed,
      false,
    );
    const events = await onB.events('r', 5);
    assert.deepEqual(
      events.map((e) => [e.seq, e.kind]),
      [
        [1, 'join'],
        [2, 'join'],
        [3, 'join'],
        [4, 'join'],
        [5, 'leave'],
      ],
    );
    assert.deepEqual(events[2], { origin: b.nodeID, seq: 3, kind: 'join', member: current, replaced: old });
    assert.deepEqual(events[3], { origin: b.nodeID, seq: 4, kind: 'join', member: current, replaced: null });
    assert.deepEqual(events[4], {
      origin: b.nodeID,
      seq: 5,
      kind: 'leave',
      member: current,
      reason: StreamDeleteReason.StoppedPublishing,
    });
    assert.deepEqual((await b.roomSnapshot(APP, 'r')).members, [member('other', a)]);
  });

  it('of 20 joins at once from two nodes into a room of 5, exactly 5 get in; the limit holds for later joins', async () => {
    const [a, b] = (await open()).nodes;
    const users = Array.from({ length: 20 }, (_, i) => member(`u${i}`, i % 2 === 0 ? a : b));
    const results = await Promise.all(users.map((u, i) => (i % 2 === 0 ? a : b).joinRoom(APP, 'full', u, 5)));
    const admitted = users.filter((_, i) => results[i]!.ok);
    assert.equal(admitted.length, 5);
    for (const result of results) if (!result.ok) assert.deepEqual(result, { ok: false, reason: 'full' });
    const snapshot = await a.roomSnapshot(APP, 'full');
    assert.deepEqual(byUser(snapshot.members), byUser(admitted));
    assert.equal(snapshot.seq, 5);

    // A member's new session still gets in (it replaces the old one); a newcomer does not, whatever limit it asks.
    const relogin = member(admitted[0]!.userID, b, 'relogin');
    const replaced = await b.joinRoom(APP, 'full', relogin, 5);
    assert.ok(replaced.ok);
    assert.deepEqual(replaced.replaced, admitted[0]);
    assert.deepEqual(await a.joinRoom(APP, 'full', member('late', a), 100), { ok: false, reason: 'full' });
    assert.equal((await a.roomSnapshot(APP, 'full')).members.length, 5);
  });

  it('a room kept only by a stream takes the limit of its first member', async () => {
    const [a] = (await open()).nodes;
    const owner = member('owner', a);
    assert.deepEqual(await a.claimStream(APP, stream('s', 'kept', owner, { announced: false })), {
      ok: true,
    });
    assert.ok((await a.joinRoom(APP, 'kept', member('first', a), 1)).ok);
    assert.deepEqual(await a.joinRoom(APP, 'kept', member('second', a), 1), { ok: false, reason: 'full' });
  });

  it('an empty room is forgotten with what it had: a room of the same ID starts afresh', async () => {
    const cluster = await open();
    const [a, b] = cluster.nodes;
    const u = member('u', a);
    await a.claimUser(APP, 'u', { nodeID: a.nodeID, sessionID: u.sessionID });
    await a.joinRoom(APP, 'r', u, 3);
    assert.equal(await a.setRoomExtraInfo(APP, 'r', roomInfo('k', 'v', u), 5), true);
    const message = { fromUser: { userID: 'u', userName: u.userName }, message: 'hi', sendTime: 1 };
    assert.equal(await a.broadcast(APP, 'r', message), 1);
    assert.equal(await a.broadcast(APP, 'r', message), 2);
    // A stream its session never removed.
    await a.claimStream(APP, stream('left-behind', 'r', u));
    const left = await a.leaveRoom(APP, 'r', 'u', u.sessionID, StreamDeleteReason.StoppedPublishing);
    assert.equal(left?.roomClosed, true);
    await a.releaseUser(APP, 'u', u.sessionID);

    assert.deepEqual(await cluster.contents(), []);
    assert.equal(await b.findStream(APP, 'left-behind'), null);
    assert.deepEqual(await b.roomSnapshot(APP, 'r'), { seq: 0, members: [], streams: [], extraInfo: [] });
    const again = await b.joinRoom(APP, 'r', member('v', b), 1);
    assert.deepEqual(again, {
      ok: true,
      replaced: null,
      created: true,
      snapshot: { seq: 1, members: [member('v', b)], streams: [], extraInfo: [] },
    });
    // The new room has the new member's limit, and its messages count from 1 again.
    assert.deepEqual(await b.joinRoom(APP, 'r', member('w', b), 1), { ok: false, reason: 'full' });
    assert.equal(await b.broadcast(APP, 'r', message), 1);
  });

  it('IDs that look like key names stay apart', async () => {
    const [a] = (await open()).nodes;
    const rooms = ['r', 'r:m', 'r%3Am', 'r:s', 'r:x', 'r:1:u', '%', "~!@#$%^&*()_+=-`;',.<>/\\"];
    for (const [i, roomID] of rooms.entries()) {
      assert.ok((await a.joinRoom(APP, roomID, member(`${roomID}:${i}`, a), 0)).ok);
    }
    for (const [i, roomID] of rooms.entries()) {
      assert.deepEqual((await a.roomSnapshot(APP, roomID)).members, [member(`${roomID}:${i}`, a)], roomID);
    }
  });
}
