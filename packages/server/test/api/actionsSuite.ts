/**
 * What each server API action does, seen by RawClient users. Run on one node by apiActions.test.ts and spread over
 * three nodes (users on every node, each call answered by another node in turn) by apiActionsMemory.test.ts and
 * apiActionsRedis.test.ts.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ErrorCode } from '@parley/protocol';
import { ApiClient, ApiCode } from '../../src/index.js';
import { waitFor } from '../sfu/support/waitFor.js';
import { APP, type Harness, startHarness } from '../support/harness.js';
import type { RawClient } from '../support/RawClient.js';

describe('server API actions', () => {
  let h: Harness;
  let calls = 0;
  before(async () => {
    // The rate limits have a test of their own (apiAuth.test.ts); here they would only stop the tests' polling.
    h = await startHarness({ api: { ratePerSecond: () => 100_000 } });
  });
  after(() => h.close());

  /** A client of the next node in turn, so that in a cluster the calls are answered by every node. */
  const api = (): ApiClient => {
    const server = h.servers[calls++ % h.servers.length]!;
    return new ApiClient({ baseUrl: server.httpUrl, appID: APP.appID, serverSecret: APP.serverSecret });
  };
  /** Logs `n` users in to `roomID` (on the nodes in turn). */
  const users = (roomID: string, n: number): Promise<RawClient[]> =>
    Promise.all(Array.from({ length: n }, (_, i) => h.login(roomID, `${roomID}-u${i}`)));

  it('DescribeUserNum and DescribeUsers count and find users on every node', async () => {
    await users('count', 4);
    const nums = await api().data('DescribeUserNum', { RoomId: ['count', 'nobody-here'] });
    assert.deepEqual(nums.UserCountList, [
      { RoomId: 'count', UserCount: 4, AdminUserCount: 0 },
      { RoomId: 'nobody-here', UserCount: 0, AdminUserCount: 0 },
    ]);
    const found = await api().data('DescribeUsers', {
      RoomId: 'count',
      UserId: ['count-u3', 'count-u0', 'ghost'],
    });
    assert.deepEqual(found.UserStatusList, [
      { UserId: 'count-u3', UserName: 'name-count-u3', Status: 1 },
      { UserId: 'count-u0', UserName: 'name-count-u0', Status: 1 },
      { UserId: 'ghost', UserName: '', Status: 2 },
    ]);
  });

  it('DescribeUserList pages through every user once with Marker and Limit, in either order', async () => {
    await users('paged', 7);
    const all = Array.from({ length: 7 }, (_, i) => `paged-u${i}`);
    for (const mode of [0, 1] as const) {
      const seen: string[] = [];
      let marker = '';
      let pages = 0;
      do {
        const page = await api().data('DescribeUserList', {
          RoomId: 'paged',
          Mode: mode,
          Limit: 3,
          Marker: marker,
        });
        assert.ok(page.UserList.length <= 3);
        seen.push(...page.UserList.map((u) => u.UserId));
        marker = page.Marker;
        pages++;
      } while (marker !== '');
      assert.equal(pages, 3);
      assert.deepEqual(seen, mode === 0 ? all : [...all].reverse());
    }
  });

  it('DescribeSimpleStreamList and DescribeRTCStreamState see streams published on any node', async () => {
    const [a, b] = await users('streams', 2);
    assert.equal(
      (await a!.request('publish', { roomID: 'streams', streamID: 'st-a', extraInfo: 'ea' })).code,
      0,
    );
    assert.equal((await b!.request('publish', { roomID: 'streams', streamID: 'st-b' })).code, 0);
    const list = await api().data('DescribeSimpleStreamList', { RoomId: 'streams' });
    assert.deepEqual(list.StreamList, [
      { StreamId: 'st-a', UserId: 'streams-u0', UserName: 'name-streams-u0', ExtraInfo: 'ea' },
      { StreamId: 'st-b', UserId: 'streams-u1', UserName: 'name-streams-u1', ExtraInfo: '' },
    ]);
    const state = await api().data('DescribeRTCStreamState', { StreamId: 'st-b' });
    assert.equal(state.RoomId, 'streams');
    assert.equal(state.UserId, 'streams-u1');
    assert.equal(state.State, 1);
    assert.equal(
      (await api().call('DescribeRTCStreamState', { StreamId: 'no-such' })).Code,
      ApiCode.INPUT_PARAMETER,
    );
  });

  it('KickoutUser kicks users on any node with 1002055 and the reason; the others see them leave', async () => {
    const [stay, go1, go2] = await users('kick', 3);
    const data = await api().data('KickoutUser', {
      RoomId: 'kick',
      UserId: ['kick-u1', 'kick-u2', 'kick-nobody'],
      CustomReason: 'spamming',
    });
    assert.deepEqual(data.KickedUserIds, ['kick-u1', 'kick-u2']);
    for (const c of [go1!, go2!]) {
      const ev = await c.waitEvent('kickout');
      assert.equal(ev.code, ErrorCode.KICKED_BY_SERVER);
      assert.equal(ev.customReason, 'spamming');
      await c.waitClose();
    }
    await waitFor(async () => {
      const left = stay!
        .events('userUpdate')
        .filter((e) => e.updateType === 'DELETE')
        .flatMap((e) => e.users);
      return left.length === 2;
    }, 'the remaining user sees both leave');
    // A member's node tells its neighbours before the shared state has dropped it: the count follows shortly.
    await waitFor(async () => {
      const nums = await api().data('DescribeUserNum', { RoomId: ['kick'] });
      return nums.UserCountList[0]!.UserCount === 1;
    }, 'the room counts one user');
    const nobody = await api().call('KickoutUser', { RoomId: 'kick', UserId: ['kick-u1'] });
    assert.equal(nobody.Code, ApiCode.USER_NOT_FOUND);
  });

  it('CloseRoom kicks every member on every node and deletes their streams; a closed room does not exist', async () => {
    const members = await users('closing', 3);
    const outsider = await h.login('elsewhere', 'outsider');
    assert.equal(
      (await members[0]!.request('publish', { roomID: 'closing', streamID: 'closing-st' })).code,
      0,
    );
    const data = await api().data('CloseRoom', { RoomId: 'closing', CustomReason: 'the show is over' });
    assert.equal(data.UserCount, 3);
    for (const c of members) {
      const ev = await c.waitEvent('kickout');
      assert.equal(ev.code, ErrorCode.KICKED_BY_SERVER);
      assert.equal(ev.customReason, 'the show is over');
    }
    await waitFor(async () => {
      const reply = await api().data('DescribeUserNum', { RoomId: ['closing'] });
      return reply.UserCountList[0]!.UserCount === 0;
    }, 'the room is empty');
    await waitFor(async () => {
      const reply = await api().data('DescribeSimpleStreamList', { RoomId: 'closing' });
      return reply.StreamList.length === 0;
    }, 'the room has no streams');
    assert.equal((await api().call('CloseRoom', { RoomId: 'closing' })).Code, ApiCode.ROOM_NOT_FOUND);
    // A user of another room is left alone.
    await outsider.sync();
    assert.equal(outsider.events('kickout').length, 0);
  });

  it('SendBroadcastMessage reaches every member on every node with one messageID', async () => {
    const members = await users('bcast', 3);
    const { MessageId } = await api().data('SendBroadcastMessage', {
      RoomId: 'bcast',
      UserId: 'server-bot',
      UserName: 'Bot',
      MessageCategory: 1,
      MessageContent: 'hello from the server',
    });
    for (const c of members) {
      const ev = await c.waitEvent('broadcast');
      assert.deepEqual(
        ev.messages.map((m) => [m.messageID, m.message, m.fromUser]),
        [[MessageId, 'hello from the server', { userID: 'server-bot', userName: 'Bot' }]],
      );
    }
    const tooLong = await api().call('SendBroadcastMessage', {
      RoomId: 'bcast',
      UserId: 'bot',
      MessageContent: 'x'.repeat(1025),
    });
    assert.equal(tooLong.Code, ApiCode.INPUT_PARAMETER);
  });

  it('SendBarrageMessage reaches every member on every node with one string messageID', async () => {
    const members = await users('barrage', 3);
    const { MessageId } = await api().data('SendBarrageMessage', {
      RoomId: 'barrage',
      UserId: 'server-bot',
      MessageContent: 'flying',
    });
    assert.match(MessageId, /^[0-9a-f]{16}$/);
    for (const c of members) {
      const ev = await c.waitEvent('barrage');
      assert.deepEqual(
        ev.messages.map((m) => [m.messageID, m.message, m.fromUser]),
        [[MessageId, 'flying', { userID: 'server-bot', userName: 'server-bot' }]],
      );
    }
  });

  it('SendCustomCommand reaches the listed members only, or every member without a list', async () => {
    const members = await users('cmd', 3);
    await api().data('SendCustomCommand', {
      RoomId: 'cmd',
      FromUserId: 'server-bot',
      ToUserId: ['cmd-u1', 'cmd-u2'],
      MessageContent: 'to two',
    });
    for (const c of [members[1]!, members[2]!]) {
      const ev = await c.waitEvent('customCommand');
      assert.equal(ev.command, 'to two');
      assert.equal(ev.fromUser.userID, 'server-bot');
    }
    await api().data('SendCustomCommand', {
      RoomId: 'cmd',
      FromUserId: 'server-bot',
      MessageContent: 'to all',
    });
    for (const c of members) await c.waitEvent('customCommand', (e) => e.command === 'to all');
    // The first member got the second command only (events arrive in order on its socket).
    assert.deepEqual(
      members[0]!.events('customCommand').map((e) => e.command),
      ['to all'],
    );
  });

  it('a nonce used on one node is refused on every node', async () => {
    const first = h.servers[0]!;
    const last = h.servers[h.servers.length - 1]!;
    const client = new ApiClient({
      baseUrl: first.httpUrl,
      appID: APP.appID,
      serverSecret: APP.serverSecret,
    });
    const params = client.signedParams('DescribeUserNum');
    const query = `${new URLSearchParams(params).toString()}&RoomId[]=r`;
    const once = (await (await fetch(`${first.httpUrl}/?${query}`)).json()) as { Code: number };
    assert.equal(once.Code, 0);
    const replay = (await (await fetch(`${last.httpUrl}/?${query}`)).json()) as { Code: number };
    assert.equal(replay.Code, ApiCode.SIGNATURE_INVALID);
  });
});
