import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ErrorCode } from '@parley/protocol';
import { type Harness, loginFrame, startHarness, token } from './support/harness.js';

describe('streams', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(() => h.close());

  it('announces a published stream to the others, with its extra info, and to late joiners as one ADD', async () => {
    const pub = await h.login('s-room', 'publisher');
    const viewer = await h.login('s-room', 'viewer');
    assert.equal(
      (await pub.request('publish', { roomID: 's-room', streamID: 'cam', extraInfo: '{"v":1}' })).code,
      0,
    );
    assert.equal((await pub.request('publish', { roomID: 's-room', streamID: 'screen' })).code, 0);
    const add = await viewer.waitEvent('streamUpdate', (e) => e.updateType === 'ADD');
    assert.deepEqual(add.streams, [
      { streamID: 'cam', user: { userID: 'publisher', userName: 'name-publisher' }, extraInfo: '{"v":1}' },
    ]);
    const late = await h.login('s-room', 'late');
    const welcome = await late.waitEvent('streamUpdate', (e) => e.updateType === 'ADD');
    assert.deepEqual(welcome.streams.map((s) => s.streamID).sort(), ['cam', 'screen']);
    await pub.sync();
    assert.equal(pub.events('streamUpdate').length, 0, 'a publisher is not told of its own streams');

    assert.equal((await pub.request('setStreamExtraInfo', { streamID: 'cam', extraInfo: 'v2' })).code, 0);
    const upd = await viewer.waitEvent('streamExtraInfoUpdate');
    assert.deepEqual(upd.streams[0], {
      streamID: 'cam',
      user: { userID: 'publisher', userName: 'name-publisher' },
      extraInfo: 'v2',
    });

    assert.equal((await pub.request('unpublish', { streamID: 'cam' })).code, 0);
    const del = await viewer.waitEvent('streamUpdate', (e) => e.updateType === 'DELETE');
    assert.deepEqual(del.reasons, [{ stream_id: 'cam', code: 1 }]);

    assert.equal((await pub.request('logout', { roomID: 's-room' })).code, 0);
    const del2 = await late.waitEvent(
      'streamUpdate',
      (e) => e.updateType === 'DELETE' && e.streams[0]?.streamID === 'screen',
    );
    assert.deepEqual(del2.reasons, [{ stream_id: 'screen', code: 1 }]);
  });

  it('keeps streamIDs unique in the AppID', async () => {
    const a = await h.login('dup-1', 'dup-a');
    const b = await h.login('dup-2', 'dup-b');
    assert.equal((await a.request('publish', { roomID: 'dup-1', streamID: 'shared' })).code, 0);
    assert.equal(
      (await a.request('publish', { roomID: 'dup-1', streamID: 'shared' })).code,
      0,
      'idempotent for its owner',
    );
    assert.equal(
      (await b.request('publish', { roomID: 'dup-2', streamID: 'shared' })).code,
      ErrorCode.STREAM_ID_DUPLICATE,
    );
    assert.equal((await b.request('unpublish', { streamID: 'shared' })).code, ErrorCode.STREAM_NOT_FOUND);
    assert.equal(
      (await b.request('setStreamExtraInfo', { streamID: 'shared', extraInfo: 'x' })).code,
      ErrorCode.STREAM_NOT_FOUND,
    );
  });

  it("enforces the token's publish privilege and stream list", async () => {
    const noPublish = token('np', {
      payload: { roomId: 'priv', canLogin: true, canPublish: false, streamIdList: null },
    });
    const np = await h.login('priv', 'np', { token: noPublish });
    assert.equal(
      (await np.request('publish', { roomID: 'priv', streamID: 'np-1' })).code,
      ErrorCode.TOKEN_NO_PUBLISH_PRIVILEGE,
    );

    const listed = token('ls', {
      payload: { roomId: 'priv', canLogin: true, canPublish: true, streamIdList: ['ok-1'] },
    });
    const ls = await h.login('priv', 'ls', { token: listed });
    assert.equal(
      (await ls.request('publish', { roomID: 'priv', streamID: 'other' })).code,
      ErrorCode.PUBLISH_AUTH_FAILED,
    );
    assert.equal((await ls.request('publish', { roomID: 'priv', streamID: 'ok-1' })).code, 0);
  });

  it('needs a login, and a membership of the room', async () => {
    const anon = await h.connect();
    assert.equal(
      (await anon.request('publish', { roomID: 'r', streamID: 's' })).code,
      ErrorCode.NOT_LOGGED_IN,
    );
    const c = await h.login('member', 'mem');
    assert.equal(
      (await c.request('publish', { roomID: 'not-mine', streamID: 's' })).code,
      ErrorCode.NOT_IN_ROOM,
    );
    assert.equal(
      (await c.request('publish', { roomID: 'member', streamID: 'bad id' })).code,
      ErrorCode.STREAM_ID_INVALID,
    );
    assert.equal(
      (await c.request('publish', { roomID: 'member', streamID: 's', extraInfo: 'x'.repeat(1025) })).code,
      ErrorCode.EXTRA_INFO_TOO_LONG,
    );
  });

  it('renews a token, and an expired grant can no longer publish', async () => {
    const c = await h.connect();
    const reply = await c.request(
      'login',
      loginFrame('renew', 'renewer', { token: token('renewer', { ttl: 600 }) }),
    );
    assert.equal(reply.code, 0);
    const renewed = await c.request('renewToken', {
      roomID: 'renew',
      token: token('renewer', { ttl: 7200 }),
    });
    assert.equal(renewed.code, 0);
    const expire = (renewed.data as { tokenExpire: number }).tokenExpire;
    assert.ok(Math.abs(expire - (Date.now() / 1000 + 7200)) < 5);
    assert.equal(
      (await c.request('renewToken', { roomID: 'renew', token: token('someone-else') })).code,
      ErrorCode.TOKEN_USER_MISMATCH,
    );
    assert.equal(
      (await c.request('renewToken', { roomID: 'renew', token: 'junk' })).code,
      ErrorCode.TOKEN_INVALID,
    );
  });
});
