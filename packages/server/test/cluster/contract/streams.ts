/** Contract: streams — claims, takeovers, announcements, updates, removals. */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { StreamDeleteReason } from '@parley/protocol';
import type { RoomEvent } from '../../../src/cluster/SharedState.js';
import { APP, type MakeCluster, member, Recorder, sortBy, stream } from './support.js';

const MARK = { fromUser: { userID: 'mark', userName: 'mark' }, message: 'mark', sendTime: 0 };

/** The kinds and seqs of events, without the joins a test made to set its room up. */
const digest = (events: RoomEvent[]) => events.filter((e) => e.kind !== 'join').map((e) => [e.seq, e.kind]);

export function streamTests(open: MakeCluster): void {
  it('claimStream adds an announced stream with streamAdd and an unannounced one quietly; findStream finds both', async () => {
    const [a, b] = (await open()).nodes;
    const onB = new Recorder(b);
    await b.watchRoom(APP, 'r');
    const u = member('u', a);
    await a.joinRoom(APP, 'r', u, 0);
    const shown = stream('shown', 'r', u, { extraInfo: 'x', media: 'none' });
    const hidden = stream('hidden', 'r', u, { announced: false });
    assert.deepEqual(await a.claimStream(APP, shown), { ok: true });
    assert.deepEqual(await a.claimStream(APP, hidden), { ok: true });
    await a.broadcast(APP, 'r', MARK);

    const events = await onB.events('r', 3);
    assert.deepEqual(events[1], { origin: a.nodeID, seq: 2, kind: 'streamAdd', streams: [shown] });
    assert.equal(events[2]!.kind, 'broadcast');
    assert.deepEqual(await b.findStream(APP, 'shown'), shown);
    assert.deepEqual(await b.findStream(APP, 'hidden'), hidden);
    assert.equal(await b.findStream(APP, 'nothing'), null);
    assert.equal(await b.findStream(APP + 1, 'shown'), null);
    const snapshot = await b.roomSnapshot(APP, 'r');
    assert.deepEqual(
      sortBy(snapshot.streams, (s) => s.streamID),
      [hidden, shown],
    );
  });

  it("another user's streamID is refused with its holder; the same user's new session takes it over", async () => {
    const [a, b] = (await open()).nodes;
    const onB = new Recorder(b);
    await b.watchRoom(APP, 'r');
    await b.watchRoom(APP, 'other');
    const old = member('u', a, 'old');
    await a.joinRoom(APP, 'r', old, 0);
    const held = stream('s', 'r', old, { extraInfo: 'old one' });
    await a.claimStream(APP, held);

    const stranger = member('stranger', b);
    const refused = await b.claimStream(APP, stream('s', 'r', stranger));
    assert.deepEqual(refused, { ok: false, holder: held });
    // The same session claiming it again keeps it.
    assert.deepEqual(await a.claimStream(APP, held), { ok: true });

    // The user logged in again on another node, into another room.
    const current = member('u', b, 'current');
    await b.joinRoom(APP, 'other', current, 0);
    const taken = stream('s', 'other', current, { extraInfo: 'new one' });
    assert.deepEqual(await b.claimStream(APP, taken), { ok: true });
    assert.deepEqual(await a.findStream(APP, 's'), taken);

    const inR = await onB.events('r', 4);
    assert.deepEqual(digest(inR), [
      [2, 'streamAdd'],
      [3, 'streamAdd'],
      [4, 'streamDelete'],
    ]);
    assert.deepEqual(inR[3], {
      origin: b.nodeID,
      seq: 4,
      kind: 'streamDelete',
      streams: [held],
      reason: StreamDeleteReason.RepeatLogin,
    });
    const inOther = await onB.events('other', 2);
    assert.deepEqual(inOther[1], { origin: b.nodeID, seq: 2, kind: 'streamAdd', streams: [taken] });
    assert.deepEqual((await a.roomSnapshot(APP, 'r')).streams, []);

    // An unannounced stream taken over leaves without an event.
    await a.claimStream(APP, stream('quiet', 'r', old, { announced: false }));
    await b.claimStream(APP, stream('quiet', 'other', current, { announced: false }));
    await a.broadcast(APP, 'r', MARK);
    assert.deepEqual(digest(await onB.events('r', 5)).at(-1), [5, 'broadcast']);
  });

  it('updateStream: announcing publishes streamAdd once, new extra info of an announced stream streamUpdate; media states, repeats and other sessions publish nothing', async () => {
    const [a, b] = (await open()).nodes;
    const onB = new Recorder(b);
    await b.watchRoom(APP, 'r');
    const u = member('u', a);
    await a.joinRoom(APP, 'r', u, 0);
    await a.claimStream(APP, stream('s', 'r', u, { announced: false }));

    await a.updateStream(APP, 's', u.sessionID, { audio: 'MUTE' });
    await a.updateStream(APP, 's', u.sessionID, { extraInfo: 'before' });
    await a.updateStream(APP, 's', u.sessionID, { announced: true });
    await a.updateStream(APP, 's', u.sessionID, { announced: true, video: 'MUTE' });
    await a.updateStream(APP, 's', u.sessionID, { extraInfo: 'after' });
    await a.updateStream(APP, 's', u.sessionID, { extraInfo: 'after' });
    await a.updateStream(APP, 's', 'someone else', { extraInfo: 'stolen', announced: false });
    // A patch may name fields it leaves alone.
    await a.updateStream(APP, 's', u.sessionID, { extraInfo: undefined, audio: 'OPEN' });
    await a.updateStream(APP, 'nothing', u.sessionID, { announced: true });
    await a.broadcast(APP, 'r', MARK);

    const events = await onB.events('r', 4);
    assert.deepEqual(digest(events), [
      [2, 'streamAdd'],
      [3, 'streamUpdate'],
      [4, 'broadcast'],
    ]);
    const added = stream('s', 'r', u, { extraInfo: 'before' });
    assert.deepEqual(events[1], {
      origin: a.nodeID,
      seq: 2,
      kind: 'streamAdd',
      streams: [{ ...added, audio: 'MUTE' }],
    });
    const updated = { ...added, extraInfo: 'after', audio: 'MUTE', video: 'MUTE' } as const;
    assert.deepEqual(events[2], { origin: a.nodeID, seq: 3, kind: 'streamUpdate', streams: [updated] });
    assert.deepEqual(await b.findStream(APP, 's'), { ...updated, audio: 'OPEN' });
  });

  it("removeStreams removes only the session's streams of that room, with one streamDelete of the announced ones", async () => {
    const [a, b] = (await open()).nodes;
    const onB = new Recorder(b);
    await b.watchRoom(APP, 'r');
    const u = member('u', a);
    const v = member('v', b);
    await a.joinRoom(APP, 'r', u, 0);
    await a.joinRoom(APP, 'r2', u, 0);
    await b.joinRoom(APP, 'r', v, 0);
    const s1 = stream('s1', 'r', u);
    const s2 = stream('s2', 'r', u, { announced: false });
    const s3 = stream('s3', 'r', u, { extraInfo: 'three' });
    const s4 = stream('s4', 'r', v);
    const s5 = stream('s5', 'r2', u);
    for (const s of [s1, s2, s3, s5]) await a.claimStream(APP, s);
    await b.claimStream(APP, s4);

    assert.deepEqual(
      await a.removeStreams(
        APP,
        'r',
        ['s1', 's2', 's3'],
        'someone else',
        StreamDeleteReason.StoppedPublishing,
      ),
      [],
    );
    assert.deepEqual(
      await a.removeStreams(APP, 'r', [], u.sessionID, StreamDeleteReason.StoppedPublishing),
      [],
    );
    const ids = ['s1', 's2', 's3', 's4', 's5', 'nothing'];
    // Only what the session owns in the room is removed, and named in the answer.
    const removed = await a.removeStreams(APP, 'r', ids, u.sessionID, StreamDeleteReason.StoppedPublishing);
    assert.deepEqual([...removed].sort(), ['s1', 's2', 's3']);
    await a.broadcast(APP, 'r', MARK);

    const events = await onB.events('r', 7);
    assert.deepEqual(digest(events), [
      [3, 'streamAdd'],
      [4, 'streamAdd'],
      [5, 'streamAdd'],
      [6, 'streamDelete'],
      [7, 'broadcast'],
    ]);
    const deleted = events[5]!;
    assert.ok(deleted.kind === 'streamDelete');
    assert.equal(deleted.reason, StreamDeleteReason.StoppedPublishing);
    assert.deepEqual(
      sortBy(deleted.streams, (s) => s.streamID),
      [s1, s3],
    );
    for (const id of ['s1', 's2', 's3']) assert.equal(await b.findStream(APP, id), null, id);
    assert.deepEqual(await b.findStream(APP, 's4'), s4);
    assert.deepEqual(await b.findStream(APP, 's5'), s5);
    assert.deepEqual((await b.roomSnapshot(APP, 'r')).streams, [s4]);
  });
}
