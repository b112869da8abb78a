import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkLoginInput, checkToken, silentLogger, WebFace, type WebSocketCtor } from '../src/index.js';

/** A WebSocket that must never be constructed: local checks fail before any network traffic. */
const NoNetwork = class {
  constructor() {
    throw new Error('the network was used');
  }
} as unknown as WebSocketCtor;

function engine(): WebFace {
  return new WebFace(1234, 'ws://127.0.0.1:9/ws', { WebSocket: NoNetwork, logger: silentLogger });
}

test('checkLoginInput gives the Express code of the first bad field', () => {
  assert.equal(checkLoginInput('room1', { userID: 'u1', userName: 'Ann' }), 0);
  assert.equal(checkLoginInput('', { userID: 'u1' }), 1002011);
  assert.equal(checkLoginInput('r'.repeat(129), { userID: 'u1' }), 1002013);
  assert.equal(checkLoginInput('room 1', { userID: 'u1' }), 1002012);
  assert.equal(checkLoginInput('room1', { userID: '' }), 1002005);
  assert.equal(checkLoginInput('room1', null), 1002005);
  assert.equal(checkLoginInput('room1', { userID: 'u 1' }), 1002006);
  assert.equal(checkLoginInput('room1', { userID: 'u'.repeat(65) }), 1002007);
  assert.equal(checkLoginInput('room1', { userID: 'u1', userName: 'n'.repeat(257) }), 1002010);
  assert.equal(checkToken(''), 1102016);
  assert.equal(checkToken('04abc'), 0);
});

test('web loginRoom rejects bad input at once with {code, msg} and emits no state change', async (t) => {
  const zg = engine();
  t.after(() => zg.destroyEngine());
  const states: unknown[] = [];
  zg.on('roomStateChanged', (...args) => states.push(args));
  const cases: [Parameters<WebFace['loginRoom']>, number][] = [
    [['', 'tok', { userID: 'u1' }], 1002011],
    [['room 1', 'tok', { userID: 'u1' }], 1002012],
    [['room1', 'tok', { userID: '' }], 1002005],
    [['room1', 'tok', { userID: 'u'.repeat(65) }], 1002007],
    [['room1', '', { userID: 'u1' }], 1102016],
    [['room1', 'tok', { userID: 'u1' }, { maxMemberCount: -1 }], 1100001],
  ];
  for (const [args, code] of cases) {
    await assert.rejects(zg.loginRoom(...args), (err: any) => {
      assert.equal(err.code, code, `loginRoom(${JSON.stringify(args)})`);
      assert.equal(typeof err.msg, 'string');
      return true;
    });
  }
  assert.deepEqual(states, []);
});

test('web publishing before login fails with false and NO_PUBLISH carrying the code', (t) => {
  const zg = engine();
  t.after(() => zg.destroyEngine());
  const updates: any[] = [];
  zg.on('publisherStateUpdate', (r) => updates.push(r));
  assert.equal(zg.startPublishingStream('s1'), false);
  assert.equal(zg.startPublishingStream('bad id!'), false);
  assert.equal(zg.startPublishingStream(''), false);
  assert.equal(zg.startPublishingStream('s'.repeat(257)), false);
  assert.deepEqual(
    updates.map((u) => [u.streamID, u.state, u.errorCode]),
    [
      ['s1', 'NO_PUBLISH', 1000002],
      ['bad id!', 'NO_PUBLISH', 1000016],
      ['', 'NO_PUBLISH', 1000015],
      ['s'.repeat(257), 'NO_PUBLISH', 1000014],
    ],
  );
  assert.equal(zg.stopPublishingStream('s1'), false);
});

test('web room requests outside a room resolve with the error code instead of rejecting', async (t) => {
  const zg = engine();
  t.after(() => zg.destroyEngine());
  assert.equal((await zg.sendBroadcastMessage('room1', 'hi')).errorCode, 1002002);
  assert.equal((await zg.sendBroadcastMessage('room1', '')).errorCode, 1009001);
  assert.equal((await zg.sendBroadcastMessage('room1', 'x'.repeat(1025))).errorCode, 1009002);
  assert.equal((await zg.sendBroadcastMessage('', 'hi')).errorCode, 1002011);
  assert.equal((await zg.sendCustomCommand('room1', 'cmd', ['u2'])).errorCode, 1002002);
  assert.equal((await zg.sendCustomCommand('room1', 'cmd', ['bad user'])).errorCode, 1002006);
  assert.equal((await zg.setRoomExtraInfo('room1', 'k', 'v')).errorCode, 1002002);
  assert.equal((await zg.setRoomExtraInfo('room1', 'a-very-long-key', 'v')).errorCode, 1100001);
  assert.equal((await zg.setStreamExtraInfo('s1', 'info')).errorCode, 1004002);
  assert.equal(zg.renewToken('tok'), false);
  assert.equal(zg.renewToken(''), false);
});

test('the constructor checks appID, server and WebSocket', () => {
  assert.throws(() => new WebFace(0, 'ws://x/ws', { WebSocket: NoNetwork }), { code: 1001004 });
  assert.throws(() => new WebFace(1, 'ftp://x', { WebSocket: NoNetwork }), TypeError);
  assert.throws(() => new WebFace(1, '', { WebSocket: NoNetwork }), TypeError);
  const g = globalThis as { WebSocket?: unknown };
  const saved = g.WebSocket;
  g.WebSocket = undefined;
  try {
    assert.throws(() => new WebFace(1, 'ws://x/ws'), TypeError);
  } finally {
    g.WebSocket = saved;
  }
});

test('calls after destroyEngine fail clearly', async () => {
  const zg = engine();
  zg.destroyEngine();
  zg.destroyEngine(); // idempotent
  await assert.rejects(zg.loginRoom('room1', 'tok', { userID: 'u1' }), /destroyed/);
  await assert.rejects(zg.sendBroadcastMessage('room1', 'hi'), /destroyed/);
  assert.throws(() => zg.startPublishingStream('s1'), /destroyed/);
  assert.throws(() => zg.logoutRoom(), /destroyed/);
});
