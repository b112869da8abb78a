import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ErrorCode } from '@parley/protocol';
import {
  appSignLoginFrame,
  type Harness,
  loginFrame,
  OTHER_APP,
  startHarness,
  token,
} from './support/harness.js';

describe('login', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(() => h.close());

  async function refusal(fields: (c: Awaited<ReturnType<Harness['connect']>>) => Record<string, unknown>) {
    const c = await h.connect();
    const reply = await c.request('login', fields(c));
    return reply.code;
  }

  it('logs in with a Token04 and replies with a resumable session', async () => {
    const c = await h.connect();
    const reply = await c.request('login', loginFrame('login-ok', 'alice'));
    assert.equal(reply.code, 0);
    const data = reply.data as { sessionID: string; resumeKey: string; tokenExpire: number };
    assert.ok(data.sessionID.length >= 16);
    assert.ok(data.resumeKey.length >= 32);
    assert.ok(Math.abs(data.tokenExpire - (Date.now() / 1000 + 3600)) < 5);
  });

  it('refuses a wrong AppID, a bad, expired or foreign token with their codes', async () => {
    assert.equal(await refusal(() => ({ ...loginFrame('r', 'u1'), appID: 999 })), ErrorCode.APP_ID_INVALID);
    assert.equal(await refusal(() => loginFrame('r', 'u1', { token: '04garbage' })), ErrorCode.TOKEN_INVALID);
    assert.equal(
      await refusal(() => loginFrame('r', 'u1', { token: token('u1', { app: OTHER_APP }) })),
      ErrorCode.TOKEN_INVALID,
    );
    assert.equal(
      await refusal(() =>
        loginFrame('r', 'u1', {
          token: token('u1', { ttl: 60, issuedAt: Math.floor(Date.now() / 1000) - 120 }),
        }),
      ),
      ErrorCode.TOKEN_EXPIRED,
    );
    assert.equal(
      await refusal(() => loginFrame('r', 'u1', { token: token('somebody-else') })),
      ErrorCode.TOKEN_USER_MISMATCH,
    );
  });

  it('enforces the room and login privileges of the token payload', async () => {
    const other = token('u1', {
      payload: { roomId: 'elsewhere', canLogin: true, canPublish: true, streamIdList: null },
    });
    assert.equal(await refusal(() => loginFrame('here', 'u1', { token: other })), ErrorCode.TOKEN_INVALID);
    const noLogin = token('u1', {
      payload: { roomId: '', canLogin: false, canPublish: true, streamIdList: null },
    });
    assert.equal(await refusal(() => loginFrame('here', 'u1', { token: noLogin })), ErrorCode.TOKEN_INVALID);
    const anyRoom = token('u1', {
      payload: { roomId: '', canLogin: true, canPublish: false, streamIdList: null },
    });
    assert.equal(await refusal(() => loginFrame('here', 'u1', { token: anyRoom })), 0);
  });

  it('accepts an AppSign proof over its own nonce only', async () => {
    assert.equal(await refusal((c) => appSignLoginFrame(c, 'sign', 'signer')), 0);
    assert.equal(
      await refusal((c) => appSignLoginFrame(c, 'sign', 'signer2', 'ef'.repeat(32))),
      ErrorCode.APP_SIGN_WRONG,
    );
    // A proof made for another socket's nonce is worthless here.
    const first = await h.connect();
    const stolen = appSignLoginFrame(first, 'sign', 'signer3');
    assert.equal(await refusal(() => stolen), ErrorCode.APP_SIGN_WRONG);
  });

  it('checks identifiers with the codes of express-api.md §1', async () => {
    const cases: [Record<string, unknown>, number][] = [
      [{ roomID: '' }, ErrorCode.ROOM_ID_EMPTY],
      [{ roomID: 'has space' }, ErrorCode.ROOM_ID_INVALID],
      [{ roomID: 'r'.repeat(129) }, ErrorCode.ROOM_ID_TOO_LONG],
      [{ user: { userID: '' } }, ErrorCode.USER_ID_EMPTY],
      [{ user: { userID: 'u'.repeat(65) } }, ErrorCode.USER_ID_TOO_LONG],
      [{ user: { userID: 'u1', userName: 'n'.repeat(257) } }, ErrorCode.USER_NAME_TOO_LONG],
    ];
    for (const [patch, code] of cases) {
      assert.equal(
        await refusal(() => ({ ...loginFrame('ids', 'u1'), ...patch })),
        code,
        JSON.stringify(patch),
      );
    }
  });

  it('tells members who asked for user updates, and gives a late joiner the current users as one ADD', async () => {
    const a = await h.login('users', 'ua', { userUpdate: true });
    const quiet = await h.login('users', 'uq', { userUpdate: false });
    const b = await h.login('users', 'ub', { userUpdate: true });
    const added = await a.waitEvent(
      'userUpdate',
      (e) => e.updateType === 'ADD' && e.users[0]?.userID === 'ub',
    );
    assert.deepEqual(added.users, [{ userID: 'ub', userName: 'name-ub' }]);
    const welcome = await b.waitEvent('userUpdate', (e) => e.updateType === 'ADD');
    assert.deepEqual(welcome.users.map((u) => u.userID).sort(), ['ua', 'uq']);
    await quiet.sync();
    assert.equal(quiet.events('userUpdate').length, 0);

    assert.equal((await b.request('logout', { roomID: 'users' })).code, 0);
    const gone = await a.waitEvent('userUpdate', (e) => e.updateType === 'DELETE');
    assert.deepEqual(gone.users, [{ userID: 'ub', userName: 'name-ub' }]);
  });

  it("limits a room's members by the first user's maxMemberCount", async () => {
    await h.login('small', 'm1', { maxMemberCount: 2 });
    await h.login('small', 'm2', { maxMemberCount: 10 });
    assert.equal(
      await refusal(() => loginFrame('small', 'm3', { maxMemberCount: 10 })),
      ErrorCode.ROOM_MEMBER_LIMIT,
    );
  });

  it('keeps rooms and AppIDs apart', async () => {
    const a = await h.login('iso', 'same-user');
    const other = await h.login('iso', 'other-user', { app: OTHER_APP });
    const neighbour = await h.login('iso-2', 'n1');
    // The same userID in another AppID is another user: no kickout.
    const otherSame = await h.login('iso', 'same-user', { app: OTHER_APP });
    await h.login('iso', 'late');
    await a.waitEvent('userUpdate', (e) => e.users.some((u) => u.userID === 'late'));
    await Promise.all([other.sync(), neighbour.sync(), otherSame.sync(), a.sync()]);
    assert.ok(!a.events('userUpdate').some((e) => e.users.some((u) => u.userID === 'other-user')));
    assert.ok(!other.events('userUpdate').some((e) => e.users.some((u) => u.userID === 'late')));
    assert.equal(neighbour.events('userUpdate').length, 0);
    assert.equal(a.events('kickout').length, 0);
    assert.equal(otherSame.events('kickout').length, 0);
  });

  it('creates a room on first login and removes it when the last member leaves', async () => {
    const rooms = async () =>
      ((await (await fetch(`${h.server.httpUrl}/healthz`)).json()) as { rooms: number }).rooms;
    const start = await rooms();
    const c = await h.login('ephemeral', 'e1');
    assert.equal(await rooms(), start + 1);
    assert.equal((await c.request('logout', { roomID: 'ephemeral' })).code, 0);
    assert.equal(await rooms(), start);
    assert.equal((await c.request('logout', { roomID: 'ephemeral' })).code, ErrorCode.NOT_LOGGED_IN);
  });

  it('lets one socket join several rooms as the same user only', async () => {
    const c = await h.login('multi-1', 'mu');
    assert.equal((await c.request('login', loginFrame('multi-2', 'mu'))).code, 0);
    assert.equal((await c.request('login', loginFrame('multi-2', 'mu'))).code, ErrorCode.INPUT_PARAMETER);
    assert.equal((await c.request('login', loginFrame('multi-3', 'not-mu'))).code, ErrorCode.INPUT_PARAMETER);
  });
});
