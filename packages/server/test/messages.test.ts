import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ErrorCode } from '@parley/protocol';
import { startHarness } from './support/harness.js';

describe('room messages', () => {
  it('broadcasts to the other members with sender, time and id', async () => {
    const h = await startHarness();
    try {
      const a = await h.login('chat', 'ca');
      const b = await h.login('chat', 'cb');
      const outsider = await h.login('chat-2', 'cc');
      const reply = await a.request('broadcast', { roomID: 'chat', message: '你好' });
      assert.equal(reply.code, 0);
      const ev = await b.waitEvent('broadcast');
      assert.equal(ev.roomID, 'chat');
      assert.equal(ev.messages.length, 1);
      const m = ev.messages[0]!;
      assert.deepEqual(m.fromUser, { userID: 'ca', userName: 'name-ca' });
      assert.equal(m.message, '你好');
      assert.equal(m.messageID, (reply.data as { messageID: number }).messageID);
      assert.ok(Math.abs(m.sendTime - Date.now()) < 5000);
      await Promise.all([a.sync(), outsider.sync()]);
      assert.equal(a.events('broadcast').length, 0);
      assert.equal(outsider.events('broadcast').length, 0);
    } finally {
      await h.close();
    }
  });

  it('sends custom commands to the listed users only, or to everybody else when none are listed', async () => {
    const h = await startHarness();
    try {
      const a = await h.login('cmd', 'ka');
      const b = await h.login('cmd', 'kb');
      const c = await h.login('cmd', 'kc');
      assert.equal(
        (await a.request('customCommand', { roomID: 'cmd', command: 'mute', toUserIDs: ['kb', 'nobody'] }))
          .code,
        0,
      );
      const got = await b.waitEvent('customCommand');
      assert.deepEqual(got, {
        type: 'customCommand',
        roomID: 'cmd',
        fromUser: { userID: 'ka', userName: 'name-ka' },
        command: 'mute',
      });
      await c.sync();
      assert.equal(c.events('customCommand').length, 0);
      assert.equal(
        (await a.request('customCommand', { roomID: 'cmd', command: 'all', toUserIDs: [] })).code,
        0,
      );
      await c.waitEvent('customCommand', (e) => e.command === 'all');
      await b.waitEvent('customCommand', (e) => e.command === 'all');
    } finally {
      await h.close();
    }
  });

  it('keeps room extra info, tells the others, and gives it to late joiners', async () => {
    const h = await startHarness();
    try {
      const a = await h.login('xi', 'xa');
      const b = await h.login('xi', 'xb');
      assert.equal(
        (await a.request('setRoomExtraInfo', { roomID: 'xi', key: 'topic', value: 'launch' })).code,
        0,
      );
      const ev = await b.waitEvent('roomExtraInfoUpdate');
      assert.equal(ev.infos[0]?.key, 'topic');
      assert.equal(ev.infos[0]?.value, 'launch');
      assert.deepEqual(ev.infos[0]?.updateUser, { userID: 'xa', userName: 'name-xa' });
      const late = await h.login('xi', 'xc');
      const welcome = await late.waitEvent('roomExtraInfoUpdate');
      assert.deepEqual(
        welcome.infos.map((i) => [i.key, i.value]),
        [['topic', 'launch']],
      );
    } finally {
      await h.close();
    }
  });

  it('refuses empty, oversized and too frequent messages with their codes', async () => {
    const h = await startHarness({ rooms: { roomMessagesPerSecond: 5 } });
    try {
      const a = await h.login('limits', 'la');
      assert.equal(
        (await a.request('broadcast', { roomID: 'limits', message: '' })).code,
        ErrorCode.MESSAGE_EMPTY,
      );
      assert.equal(
        (await a.request('broadcast', { roomID: 'limits', message: 'x'.repeat(1025) })).code,
        ErrorCode.MESSAGE_TOO_LONG,
      );
      assert.equal(
        (await a.request('broadcast', { roomID: 'not-joined', message: 'x' })).code,
        ErrorCode.NOT_IN_ROOM,
      );
      const codes: number[] = [];
      for (let i = 0; i < 10; i++)
        codes.push((await a.request('broadcast', { roomID: 'limits', message: `m${i}` })).code);
      assert.ok(
        codes.slice(0, 5).every((c) => c === 0),
        `first five accepted: ${codes}`,
      );
      assert.ok(codes.includes(ErrorCode.MESSAGE_TOO_FREQUENT), `later ones throttled: ${codes}`);
      // The limit is the room's: another room is not affected.
      const other = await h.login('limits-2', 'lb');
      assert.equal((await other.request('broadcast', { roomID: 'limits-2', message: 'fine' })).code, 0);
    } finally {
      await h.close();
    }
  });
});
