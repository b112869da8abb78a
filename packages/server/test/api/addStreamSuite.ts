/**
 * AddStream and DeleteStream, seen by RawClient users. Run on one node by apiAddStream.test.ts and spread over
 * three nodes (the users on every node, each call answered by another node in turn) by apiAddStreamMemory.test.ts
 * and apiAddStreamRedis.test.ts; there, the node that answered an AddStream also crashes.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ErrorCode, StreamDeleteReason } from '@parley/protocol';
import { ApiClient, ApiCode } from '../../src/index.js';
import { waitFor } from '../sfu/support/waitFor.js';
import { CallbackReceiver } from '../support/CallbackReceiver.js';
import { APP, type Harness, OTHER_APP, startHarness } from '../support/harness.js';
import type { RawClient } from '../support/RawClient.js';

const BOT = { userID: 'bot', userName: 'Bot' };

describe('server API: AddStream and DeleteStream', () => {
  let h: Harness;
  let receiver: CallbackReceiver;
  let calls = 0;
  before(async () => {
    receiver = await CallbackReceiver.start();
    h = await startHarness({
      apps: [{ ...APP, callbackUrl: receiver.url, callbackSecret: 'add-stream-secret' }, OTHER_APP],
      api: { ratePerSecond: () => 100_000 },
    });
  });
  after(async () => {
    await h.close();
    await receiver.close();
  });

  /** A client of node `i`, or of the next node in turn, so that in a cluster the calls reach every node. */
  const api = (i?: number): ApiClient => {
    const server = h.servers[i ?? calls++ % h.servers.length]!;
    return new ApiClient({ baseUrl: server.httpUrl, appID: APP.appID, serverSecret: APP.serverSecret });
  };
  /** Logs `n` users in to `roomID` (on the nodes in turn). */
  const users = (roomID: string, n: number): Promise<RawClient[]> =>
    Promise.all(Array.from({ length: n }, (_, i) => h.login(roomID, `${roomID}-u${i}`)));
  const add = (roomID: string, streamID: string, i?: number) =>
    api(i).call('AddStream', {
      RoomId: roomID,
      UserId: BOT.userID,
      UserName: BOT.userName,
      StreamId: streamID,
      ExtraInfo: '{"cdn":"rtmp://127.0.0.1/live"}',
    });
  const seesAdd = (c: RawClient, streamID: string) =>
    c.waitEvent(
      'streamUpdate',
      (e) => e.updateType === 'ADD' && e.streams.some((s) => s.streamID === streamID),
    );
  const seesDelete = (c: RawClient, streamID: string) =>
    c.waitEvent(
      'streamUpdate',
      (e) => e.updateType === 'DELETE' && e.streams.some((s) => s.streamID === streamID),
    );
  const wire = (streamID: string) => ({
    streamID,
    user: BOT,
    extraInfo: '{"cdn":"rtmp://127.0.0.1/live"}',
  });

  it('adds a signaling-only stream every member sees, late joiners too; players are told it has no media; DeleteStream removes it (reason 6)', async () => {
    const members = await users('as', 3);
    assert.equal((await add('as', 'as-cdn')).Code, 0);
    for (const c of members) assert.deepEqual((await seesAdd(c, 'as-cdn')).streams, [wire('as-cdn')]);
    const late = await h.login('as', 'as-late');
    assert.deepEqual((await seesAdd(late, 'as-cdn')).streams, [wire('as-cdn')]);
    const list = await api().data('DescribeSimpleStreamList', { RoomId: 'as' });
    assert.deepEqual(list.StreamList, [
      { StreamId: 'as-cdn', UserId: 'bot', UserName: 'Bot', ExtraInfo: '{"cdn":"rtmp://127.0.0.1/live"}' },
    ]);
    for (const c of [...members, late]) {
      const play = await c.request('play', { streamID: 'as-cdn' });
      assert.equal(play.code, ErrorCode.PLAY_STREAM_NOT_FOUND);
      assert.match(play.msg ?? '', /no media/);
    }

    assert.deepEqual(
      await api().data('DeleteStream', { RoomId: 'as', UserId: 'bot', StreamId: 'as-cdn' }),
      {},
    );
    for (const c of [...members, late]) {
      const del = await seesDelete(c, 'as-cdn');
      assert.deepEqual(del.reasons, [{ stream_id: 'as-cdn', code: StreamDeleteReason.RemovedByServer }]);
    }
    assert.deepEqual((await api().data('DescribeSimpleStreamList', { RoomId: 'as' })).StreamList, []);
    const again = await api().call('DeleteStream', { RoomId: 'as', UserId: 'bot', StreamId: 'as-cdn' });
    assert.equal(again.Code, ApiCode.INPUT_PARAMETER);
  });

  it('refuses a streamID in use both ways, a room nobody is in, and deleting a user’s stream', async () => {
    const [u0, u1] = await users('dup', 2);
    assert.equal((await u0!.request('publish', { roomID: 'dup', streamID: 'dup-user' })).code, 0);
    await seesAdd(u1!, 'dup-user');
    const taken = await add('dup', 'dup-user');
    assert.equal(taken.Code, ApiCode.INPUT_PARAMETER);
    assert.match(taken.Message, /exists already/);
    const mine = await api().call('DeleteStream', { RoomId: 'dup', UserId: 'bot', StreamId: 'dup-user' });
    assert.equal(mine.Code, ApiCode.INPUT_PARAMETER);
    assert.match(mine.Message, /a user's/);

    assert.equal((await add('dup', 'dup-srv')).Code, 0);
    await seesAdd(u1!, 'dup-srv');
    // A user publishing it, even as the user it is shown as, and the server adding it again are refused.
    for (const c of [u0!, u1!]) {
      assert.equal(
        (await c.request('publish', { roomID: 'dup', streamID: 'dup-srv' })).code,
        ErrorCode.STREAM_ID_DUPLICATE,
      );
    }
    assert.equal((await add('dup', 'dup-srv')).Code, ApiCode.INPUT_PARAMETER);
    const bot = await h.login('dup', 'bot');
    assert.equal(
      (await bot.request('publish', { roomID: 'dup', streamID: 'dup-srv' })).code,
      ErrorCode.STREAM_ID_DUPLICATE,
    );

    assert.equal((await add('nobody-here', 'x-srv')).Code, ApiCode.ROOM_NOT_FOUND);
    assert.equal(
      (await api().call('AddStream', { RoomId: 'dup', UserId: 'bot', StreamId: 'bad stream/id' })).Code,
      ApiCode.INPUT_PARAMETER,
    );
    assert.equal(
      (await api().call('AddStream', { RoomId: 'dup', StreamId: 's' })).Code,
      ApiCode.INPUT_PARAMETER,
    );
  });

  it('sends stream_create and stream_close once, from the node that answered', async () => {
    const [u] = await users('cb', 1);
    assert.equal((await add('cb', 'cb-srv')).Code, 0);
    await seesAdd(u!, 'cb-srv');
    await api().data('DeleteStream', { RoomId: 'cb', UserId: 'bot', StreamId: 'cb-srv' });
    const ofStream = () => receiver.accepted.filter((b) => b.stream_id === 'cb-srv');
    await receiver.until(() => ofStream().some((b) => b.event === 'stream_close'), 'stream_close');
    // Every node has sent what it queued: no second copy is on its way.
    await waitFor(async () => {
      const all = await Promise.all(
        h.servers.map(async (s) => {
          const res = await fetch(`${s.httpUrl}/healthz`);
          return ((await res.json()) as { callbacks: { pending: number } }).callbacks.pending;
        }),
      );
      return all.every((pending) => pending === 0);
    }, 'every node idle');
    // Sent by the nodes that answered each call, so they may arrive in either order.
    const got = ofStream()
      .map((b) => [b.event, b.user_id, b.event === 'stream_close' ? b.type : b.extra_info])
      .sort((a, b) => String(a[0]).localeCompare(String(b[0])));
    assert.deepEqual(got, [
      ['stream_close', 'bot', 3],
      ['stream_create', 'bot', '{"cdn":"rtmp://127.0.0.1/live"}'],
    ]);
  });

  it('is removed by ForbidRTCStream (reason 6)', async () => {
    const [u] = await users('fbs', 1);
    assert.equal((await add('fbs', 'fbs-srv')).Code, 0);
    await seesAdd(u!, 'fbs-srv');
    await api().data('ForbidRTCStream', { StreamId: 'fbs-srv' });
    const del = await seesDelete(u!, 'fbs-srv');
    assert.deepEqual(del.reasons, [{ stream_id: 'fbs-srv', code: StreamDeleteReason.RemovedByServer }]);
    await api().data('ResumeRTCStream', { StreamId: 'fbs-srv' });
  });

  it('goes with its room when the last member leaves', async () => {
    const [u] = await users('gone', 1);
    assert.equal((await add('gone', 'gone-srv')).Code, 0);
    await seesAdd(u!, 'gone-srv');
    assert.equal((await u!.request('logout', { roomID: 'gone' })).code, 0);
    const state = await api().call('DescribeRTCStreamState', { StreamId: 'gone-srv' });
    assert.equal(state.Code, ApiCode.INPUT_PARAMETER, 'the stream is gone with the room');
    const back = await h.login('gone', 'gone-back');
    await back.sync();
    assert.equal(back.events('streamUpdate').length, 0);
    assert.equal((await add('gone', 'gone-srv')).Code, 0, 'its streamID is free again');
  });

  if (process.env.PARLEY_TEST_SPREAD) {
    // Last: a crashed node stays crashed for the rest of the file.
    it('stays when the node that added it crashes and is reaped', async () => {
      const members = await users('crash', 3);
      const doomed = h.nodeIndexOf(members[0]!);
      assert.equal((await add('crash', 'crash-srv', doomed)).Code, 0);
      for (const c of members) await seesAdd(c, 'crash-srv');
      h.states[doomed]!.crash();
      const watchers = members.filter((c) => h.nodeIndexOf(c) !== doomed);
      for (const w of watchers) {
        await w.waitEvent(
          'userUpdate',
          (e) => e.updateType === 'DELETE' && e.users.some((u) => u.userID === 'crash-u0'),
          10_000,
        );
      }
      const alive = (doomed + 1) % h.servers.length;
      const list = await api(alive).data('DescribeSimpleStreamList', { RoomId: 'crash' });
      assert.deepEqual(
        list.StreamList.map((s) => s.StreamId),
        ['crash-srv'],
      );
      for (const w of watchers) {
        assert.equal(w.events('streamUpdate').filter((e) => e.updateType === 'DELETE').length, 0);
      }
      await api(alive).data('DeleteStream', { RoomId: 'crash', UserId: 'bot', StreamId: 'crash-srv' });
      for (const w of watchers) await seesDelete(w, 'crash-srv');
    });
  }
});
