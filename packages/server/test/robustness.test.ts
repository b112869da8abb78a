import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CloseCode, ErrorCode, type ErrorFrame, type ReplyFrame } from '@parley/protocol';
import { type Harness, startHarness } from './support/harness.js';

describe('bad input', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({
      signaling: { maxFrameBytes: 4096, framesPerSecond: 50 },
      rooms: { reconnectGraceMs: 200 },
    });
  });
  after(() => h.close());

  it('answers malformed JSON, unknown types, wrong types and binary frames with errors and stays open', async () => {
    const c = await h.connect();
    c.sendRaw('{not json');
    const e1 = (await c.waitFrame((f) => f.t === 'error')) as ErrorFrame;
    assert.equal(e1.code, ErrorCode.INPUT_PARAMETER);
    assert.match(e1.msg, /malformed JSON/);
    c.sendRaw({ t: 'teleport', id: 5 });
    const r = (await c.waitFrame((f) => f.t === 'reply' && f.id === 5)) as ReplyFrame;
    assert.equal(r.code, ErrorCode.INPUT_PARAMETER);
    // Every field is wrong; the first one the schema declares (roomID) decides the code.
    const wrong = await c.request('login', { appID: 'x', roomID: 5, user: 'u', auth: {} });
    assert.equal(wrong.code, ErrorCode.ROOM_ID_INVALID);
    const shapeless = await c.request('login', { appID: 1, roomID: 'r', user: 'u', auth: {} });
    assert.equal(shapeless.code, ErrorCode.INPUT_PARAMETER);
    c.sendRaw(Buffer.from([1, 2, 3]));
    await c.waitFrame((f) => f.t === 'error' && /binary/.test(f.msg));
    assert.equal((await c.request('broadcast', { roomID: 'r', message: 'm' })).code, ErrorCode.NOT_LOGGED_IN);
    assert.ok(!c.isClosed);
  });

  it('closes a socket that sends an oversized frame with 1009, and nobody else notices', async () => {
    const bystander = await h.login('big', 'bystander');
    const c = await h.connect();
    c.sendRaw('x'.repeat(5000));
    assert.equal((await c.waitClose()).code, CloseCode.TooBig);
    assert.equal((await bystander.request('broadcast', { roomID: 'big', message: 'ok' })).code, 0);
  });

  it('throttles a flood, then closes the flooder with 1008, while its room mates carry on', async () => {
    const mate = await h.login('flood', 'mate');
    const flooder = await h.login('flood', 'flooder');
    for (let i = 0; i < 400; i++)
      flooder.sendRaw({ t: 'broadcast', id: 1000 + i, roomID: 'flood', message: 'spam' });
    await flooder.waitFrame((f) => f.t === 'error' && f.code === ErrorCode.MESSAGE_TOO_FREQUENT);
    assert.equal((await flooder.waitClose()).code, CloseCode.PolicyViolation);
    assert.equal((await mate.request('setRoomExtraInfo', { roomID: 'flood', key: 'k', value: 'v' })).code, 0);
    // The flooder's session is treated like any lost socket: gone after the grace period.
    await mate.waitEvent('userUpdate', (e) => e.updateType === 'DELETE' && e.users[0]?.userID === 'flooder');
    const health = (await (await fetch(`${h.server.httpUrl}/healthz`)).json()) as { status: string };
    assert.equal(health.status, 'ok');
  });

  it('closes a socket that keeps sending garbage, without harming others', async () => {
    const other = await h.login('garbage', 'calm');
    const c = await h.connect();
    for (let i = 0; i < 60; i++) c.sendRaw(`garbage ${i}`);
    assert.equal((await c.waitClose()).code, CloseCode.PolicyViolation);
    await other.sync();
    assert.ok(!other.isClosed);
  });

  it('refuses upgrades on other paths and serves /healthz', async () => {
    const res = await fetch(`${h.server.httpUrl}/healthz`);
    assert.equal(res.status, 200);
    const body = (await res.json()) as Record<string, unknown>;
    assert.equal(body['status'], 'ok');
    assert.equal(typeof body['connections'], 'number');
    assert.equal((await fetch(`${h.server.httpUrl}/nope`)).status, 404);
    const { WebSocket } = await import('ws');
    const ws = new WebSocket(h.server.url.replace('/ws', '/other'));
    const err = await new Promise<Error>((resolve) => ws.once('error', resolve));
    assert.match(err.message, /404/);
  });

  it('closes a socket that never logs in, and only that one', async () => {
    const quick = await startHarness({ signaling: { loginTimeoutMs: 200 } });
    try {
      const member = await quick.login('patient', 'member');
      const idle = await quick.connect();
      assert.equal((await idle.waitClose()).code, CloseCode.LoginTimeout);
      // The member's socket opened before the idle one, so it is past the deadline too: a session exempts it.
      assert.equal((await member.request('broadcast', { roomID: 'patient', message: 'still here' })).code, 0);
    } finally {
      await quick.close();
    }
  });
});
