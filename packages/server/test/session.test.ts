import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CloseCode, ErrorCode } from '@parley/protocol';
import { type Harness, loginFrame, startHarness, token } from './support/harness.js';
import type { RawClient } from './support/RawClient.js';

async function withHarness(options: Parameters<typeof startHarness>[0], fn: (h: Harness) => Promise<void>) {
  const h = await startHarness(options);
  try {
    await fn(h);
  } finally {
    await h.close();
  }
}

async function loginData(h: Harness, roomID: string, userID: string) {
  const c = await h.connect();
  const reply = await c.request('login', loginFrame(roomID, userID));
  assert.equal(reply.code, 0);
  return { client: c, ...(reply.data as { sessionID: string; resumeKey: string }) };
}

describe('sessions', () => {
  it('a second login of the same userID kicks the first out and deletes its streams with reason 3', () =>
    withHarness({}, async (h) => {
      const first = await h.login('kick', 'twin');
      assert.equal((await first.request('publish', { roomID: 'kick', streamID: 'twin-cam' })).code, 0);
      const observer = await h.login('kick', 'observer');
      await h.login('elsewhere', 'twin');
      const kick = await first.waitEvent('kickout');
      assert.deepEqual(kick, {
        type: 'kickout',
        roomID: 'kick',
        code: ErrorCode.KICKED_REPEAT_LOGIN,
        msg: kick.msg,
      });
      assert.equal((await first.waitClose()).code, CloseCode.Kicked);
      const del = await observer.waitEvent('streamUpdate', (e) => e.updateType === 'DELETE');
      assert.deepEqual(del.reasons, [{ stream_id: 'twin-cam', code: 3 }]);
      await observer.waitEvent(
        'userUpdate',
        (e) => e.updateType === 'DELETE' && e.users[0]?.userID === 'twin',
      );
    }));

  it('a session resumes within the grace period, gets what it missed, and nobody sees it leave', () =>
    withHarness({ rooms: { reconnectGraceMs: 5000 } }, async (h) => {
      const a = await loginData(h, 'resume', 'ra');
      const b = await h.login('resume', 'rb');
      await a.client.waitEvent('userUpdate', (e) => e.users[0]?.userID === 'rb');
      const lastSeq = a.client.lastSeq();
      await a.client.cut();
      assert.equal((await b.request('publish', { roomID: 'resume', streamID: 'while-away' })).code, 0);
      assert.equal((await b.request('broadcast', { roomID: 'resume', message: 'hello?' })).code, 0);

      const again = await h.reconnect(a.client);
      const reply = await again.request('resume', {
        sessionID: a.sessionID,
        resumeKey: a.resumeKey,
        lastSeq,
      });
      assert.equal(reply.code, 0);
      assert.deepEqual(reply.data, { roomIDs: ['resume'] });
      const add = await again.waitEvent('streamUpdate');
      assert.equal(add.streams[0]?.streamID, 'while-away');
      const msg = await again.waitEvent('broadcast');
      assert.equal(msg.messages[0]?.message, 'hello?');
      await b.sync();
      assert.equal(b.events('userUpdate').filter((e) => e.updateType === 'DELETE').length, 0);
      // The resumed session is live: it can act in its room.
      assert.equal((await again.request('broadcast', { roomID: 'resume', message: 'back' })).code, 0);
      await b.waitEvent('broadcast', (e) => e.messages[0]?.message === 'back');
    }));

  it('a resume with a wrong key is refused and does not disturb the session', () =>
    withHarness({ rooms: { reconnectGraceMs: 5000 } }, async (h) => {
      const a = await loginData(h, 'wrong-key', 'wk');
      const thief = await h.connect();
      const r = await thief.request('resume', {
        sessionID: a.sessionID,
        resumeKey: 'x'.repeat(32),
        lastSeq: 0,
      });
      assert.equal(r.code, ErrorCode.RECONNECT_FAILED);
      assert.equal(
        (await a.client.request('broadcast', { roomID: 'wrong-key', message: 'still here' })).code,
        0,
      );
    }));

  it('a session kicked out while its socket was away is told so when it tries to resume', () =>
    withHarness({ rooms: { reconnectGraceMs: 5000 } }, async (h) => {
      const a = await loginData(h, 'kick-away', 'twin-away');
      await a.client.cut();
      await h.login('kick-away', 'twin-away');
      const again = await h.reconnect(a.client);
      const reply = await again.request('resume', {
        sessionID: a.sessionID,
        resumeKey: a.resumeKey,
        lastSeq: 0,
      });
      assert.equal(reply.code, ErrorCode.KICKED_REPEAT_LOGIN);
      // Only once, and only with the right key.
      const twice = await again.request('resume', {
        sessionID: a.sessionID,
        resumeKey: a.resumeKey,
        lastSeq: 0,
      });
      assert.equal(twice.code, ErrorCode.RECONNECT_FAILED);
    }));

  it('past the grace period the user and its streams are deleted (reason 5) and a resume fails with 1002053', () =>
    withHarness({ rooms: { reconnectGraceMs: 150 } }, async (h) => {
      const a = await loginData(h, 'grace', 'ga');
      assert.equal((await a.client.request('publish', { roomID: 'grace', streamID: 'ga-cam' })).code, 0);
      const b = await h.login('grace', 'gb');
      await a.client.cut();
      const del = await b.waitEvent('streamUpdate', (e) => e.updateType === 'DELETE');
      assert.deepEqual(del.reasons, [{ stream_id: 'ga-cam', code: 5 }]);
      await b.waitEvent('userUpdate', (e) => e.updateType === 'DELETE' && e.users[0]?.userID === 'ga');
      const again = await h.reconnect(a.client);
      const reply = await again.request('resume', {
        sessionID: a.sessionID,
        resumeKey: a.resumeKey,
        lastSeq: 0,
      });
      assert.equal(reply.code, ErrorCode.RECONNECT_FAILED);
    }));

  it('a silent socket is dropped after the heartbeat timeout and its streams go with reason 2', () =>
    withHarness(
      { signaling: { heartbeatIntervalMs: 100, heartbeatTimeoutMs: 400 }, rooms: { reconnectGraceMs: 100 } },
      async (h) => {
        const silent = await h.login('hb', 'silent');
        assert.equal((await silent.request('publish', { roomID: 'hb', streamID: 'silent-cam' })).code, 0);
        const alive = await h.login('hb', 'alive');
        const beat = setInterval(() => alive.sendRaw({ t: 'hb', ack: alive.lastSeq() }), 100);
        try {
          const del = await alive.waitEvent('streamUpdate', (e) => e.updateType === 'DELETE');
          assert.deepEqual(del.reasons, [{ stream_id: 'silent-cam', code: 2 }]);
          await silent.waitClose();
          assert.ok(!alive.isClosed);
        } finally {
          clearInterval(beat);
        }
      },
    ));

  it('warns 30 s before the token expires', () =>
    withHarness({}, async (h) => {
      const c = await h.connect();
      const reply = await c.request('login', loginFrame('expiry', 'ex', { token: token('ex', { ttl: 31 }) }));
      assert.equal(reply.code, 0);
      const warn = await c.waitEvent('tokenWillExpire', () => true, 5000);
      assert.equal(warn.roomID, 'expiry');
      assert.ok(warn.remainSeconds >= 28 && warn.remainSeconds <= 30, `remainSeconds ${warn.remainSeconds}`);
    }));

  it('reports the online user count of each room periodically', () =>
    withHarness({ rooms: { onlineCountIntervalMs: 100 } }, async (h) => {
      const a = await h.login('count', 'c1');
      await h.login('count', 'c2');
      const ev = await a.waitEvent('onlineCount', (e) => e.count === 2);
      assert.equal(ev.roomID, 'count');
    }));

  it('replays nothing twice: the acked events are forgotten', () =>
    withHarness({ rooms: { reconnectGraceMs: 5000 } }, async (h) => {
      const a = await loginData(h, 'ack', 'aa');
      const b: RawClient = await h.login('ack', 'ab');
      await a.client.waitEvent('userUpdate');
      await b.request('broadcast', { roomID: 'ack', message: 'one' });
      await a.client.waitEvent('broadcast');
      const seen = a.client.lastSeq();
      await a.client.sync();
      await a.client.cut();
      await b.request('broadcast', { roomID: 'ack', message: 'two' });
      const again = await h.reconnect(a.client);
      assert.equal(
        (await again.request('resume', { sessionID: a.sessionID, resumeKey: a.resumeKey, lastSeq: seen }))
          .code,
        0,
      );
      const two = await again.waitEvent('broadcast');
      assert.equal(two.messages[0]?.message, 'two');
      await again.sync();
      assert.equal(again.events('broadcast').length, 1);
      assert.equal(again.events('userUpdate').length, 0);
    }));
});
