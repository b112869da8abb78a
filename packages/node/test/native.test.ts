/** The native face against a real server: AppSign logins, numeric events, the Cocos handler object. */
import assert from 'node:assert/strict';
import { after, afterEach, before, test } from 'node:test';
import type { RunningServer } from '@parley/server';
import { silentLogger, type ZegoEventHandler, ZegoExpressEngine } from '../src/index.js';
import { APP, startTestServer, token, uniqueRoom } from './support/fixtures.js';

const AUDIO_ONLY = { camera: { audio: true, video: false } };

import { EventLog, waitFor } from './support/waitFor.js';

let server: RunningServer;
const webEngines: ZegoExpressEngine[] = [];

before(async () => {
  server = await startTestServer();
});
afterEach(async () => {
  await ZegoExpressEngine.destroyEngine();
  for (const e of webEngines.splice(0)) e.destroyEngine();
});
after(() => server.close());

function profile(appSign = APP.appSign) {
  return { appID: APP.appID, appSign, scenario: 0, server: server.url, parley: { logger: silentLogger } };
}

function webPeer(): ZegoExpressEngine {
  const e = new ZegoExpressEngine(APP.appID, server.url, { logger: silentLogger });
  webEngines.push(e);
  return e;
}

test('seed 002 flow: AppSign login, numeric room events, publishing seen by a web peer', async () => {
  const room = uniqueRoom();
  const engine = await ZegoExpressEngine.createEngineWithProfile(profile());
  const log = new EventLog(engine, [
    'roomStateUpdate',
    'roomStateChanged',
    'roomUserUpdate',
    'publisherStateUpdate',
  ]);
  engine.enableCamera(false);
  assert.deepEqual(
    await engine.loginRoom(room, { userID: 'id1', userName: 'user1' }, { isUserStatusNotify: true }),
    {
      errorCode: 0,
      extendedData: '',
    },
  );
  assert.deepEqual(log.entries, [
    ['roomStateChanged', room, 0, 0, ''],
    ['roomStateUpdate', room, 1, 0, ''],
    ['roomStateChanged', room, 1, 0, ''],
    ['roomStateUpdate', room, 2, 0, ''],
  ]);

  const peer = webPeer();
  const joined = waitFor(engine, 'roomUserUpdate');
  await peer.loginRoom(room, token('web1'), { userID: 'web1' }, { userUpdate: true });
  assert.deepEqual(await joined, [room, 0, [{ userID: 'web1', userName: '' }]]);

  const seen = waitFor(peer, 'roomStreamUpdate', (_r, type) => type === 'ADD');
  const publishing = waitFor(engine, 'publisherStateUpdate', (_s, state) => state === 2);
  engine.startPublishingStream('native-s1');
  await publishing;
  assert.deepEqual(log.of('publisherStateUpdate'), [
    ['native-s1', 1, 0, ''],
    ['native-s1', 2, 0, ''],
  ]);
  assert.equal((await seen)[2][0].streamID, 'native-s1');
  assert.equal((await seen)[2][0].user.userID, 'id1');

  const extra = waitFor(peer, 'streamExtraInfoUpdate');
  assert.deepEqual(await engine.setStreamExtraInfo('hello'), { errorCode: 0 });
  assert.equal((await extra)[1][0].extraInfo, 'hello');

  const deleted = waitFor(peer, 'roomStreamUpdate', (_r, type) => type === 'DELETE');
  engine.stopPublishingStream();
  assert.deepEqual(JSON.parse((await deleted)[3]), {
    stream_delete_reason: [{ stream_id: 'native-s1', code: 1 }],
  });
  assert.deepEqual(log.of('publisherStateUpdate').at(-1), ['native-s1', 0, 0, '']);

  const left = waitFor(peer, 'roomUserUpdate', (_r, type) => type === 'DELETE');
  const logout = await engine.logoutRoom(room);
  assert.equal(logout.errorCode, 0);
  await left;
  assert.deepEqual(log.of('roomStateChanged').at(-1), [room, 7, 0, '']);
});

test('seed 004 flow: a Cocos handler object gets onXxx callbacks; Electron names work with on()', async () => {
  const room = uniqueRoom();
  const calls: unknown[][] = [];
  class Component implements ZegoEventHandler {
    onDebugError(errorCode: number, funcName: string, info: string): void {
      calls.push(['debugError', errorCode, funcName, info]);
    }
    onRoomStateChanged(roomID: string, reason: number, errorCode: number): void {
      calls.push(['roomStateChanged', roomID, reason, errorCode]);
    }
    onRoomStreamUpdate(
      roomID: string,
      updateType: number,
      streamList: { streamID: string }[],
      extendedData: string,
    ): void {
      calls.push(['roomStreamUpdate', roomID, updateType, streamList.map((s) => s.streamID), extendedData]);
    }
  }
  const engine = ZegoExpressEngine.createEngine(profile(), new Component());
  assert.equal(ZegoExpressEngine.instance(), engine);
  const electron: unknown[][] = [];
  engine.on('onRoomUserUpdate', (roomID, updateType, users) =>
    electron.push([roomID, updateType, users.length]),
  );

  const peer = webPeer();
  await peer.loginRoom(room, token('web2'), { userID: 'web2' });
  const pub = waitFor(peer, 'publisherStateUpdate', (r) => r.state === 'PUBLISHING');
  peer.startPublishingStream('web2-cam', await peer.createZegoStream(AUDIO_ONLY));
  await pub;

  const stream = waitFor(engine, 'roomStreamUpdate');
  const user = waitFor(engine, 'onRoomUserUpdate');
  assert.equal(
    (await engine.loginRoom(room, { userID: 'cocos1' }, { isUserStatusNotify: true })).errorCode,
    0,
  );
  await Promise.all([stream, user]);
  assert.deepEqual(calls, [
    ['roomStateChanged', room, 0, 0],
    ['roomStateChanged', room, 1, 0],
    ['roomStreamUpdate', room, 0, ['web2-cam'], ''],
  ]);
  assert.deepEqual(electron, [[room, 0, 1]]);

  // Misuse is reported through onDebugError.
  await engine.loginRoom(room, { userID: 'someone-else' });
  assert.equal(calls.at(-1)?.[0], 'debugError');
  assert.equal(calls.at(-1)?.[1], 1100001);
});

test('a wrong AppSign is refused with 1001005', async () => {
  const engine = ZegoExpressEngine.createEngine(profile('cd'.repeat(32)));
  const failed = waitFor(engine, 'roomStateChanged', (_r, reason) => reason === 2);
  assert.deepEqual(await engine.loginRoom(uniqueRoom(), { userID: 'u1' }), {
    errorCode: 1001005,
    extendedData: '',
  });
  assert.equal((await failed)[2], 1001005);
});

test('token logins on the native face; an expired token is 1002078 there', async () => {
  const engine = ZegoExpressEngine.createEngine({ ...profile(), appSign: '' });
  const room = uniqueRoom();
  const noAuth = await engine.loginRoom(room, { userID: 'nt1' });
  assert.equal(noAuth.errorCode, 1001001, 'no AppSign and no token');
  const expired = token('nt1', { issuedAt: Math.floor(Date.now() / 1000) - 7200 });
  const failed = waitFor(engine, 'roomStateUpdate', (_r, state) => state === 0);
  assert.equal((await engine.loginRoom(room, { userID: 'nt1' }, { token: expired })).errorCode, 1002078);
  assert.deepEqual(await failed, [room, 0, 1002078, '']);
  assert.equal((await engine.loginRoom(room, { userID: 'nt1' }, { token: token('nt1') })).errorCode, 0);
});

test('the token warning is roomTokenWillExpire(roomID, remainSeconds); renewToken takes (roomID, token)', async () => {
  const engine = ZegoExpressEngine.createEngine(profile());
  const room = uniqueRoom();
  const warned = waitFor(engine, 'roomTokenWillExpire');
  assert.equal(
    (await engine.loginRoom(room, { userID: 'nt2' }, { token: token('nt2', { ttl: 31 }) })).errorCode,
    0,
  );
  const [roomID, remain] = await warned;
  assert.equal(roomID, room);
  assert.ok(remain > 0 && remain <= 31);
  const debug = new EventLog(engine, ['debugError']);
  engine.renewToken(room, token('nt2'));
  engine.renewToken('not-my-room', token('nt2'));
  assert.deepEqual(
    debug.of('debugError').map((d) => d[0]),
    [1002002],
  );
});

test('messages on the native face resolve with error codes', async () => {
  const engine = ZegoExpressEngine.createEngine(profile());
  const room = uniqueRoom();
  await engine.loginRoom(room, { userID: 'nm1' });
  const peer = webPeer();
  await peer.loginRoom(room, token('nm2'), { userID: 'nm2' });
  const msg = waitFor(peer, 'IMRecvBroadcastMessage');
  const sent = await engine.sendBroadcastMessage(room, 'from native');
  assert.equal(sent.errorCode, 0);
  assert.equal((await msg)[1][0].message, 'from native');
  const cmd = waitFor(peer, 'IMRecvCustomCommand');
  assert.deepEqual(await engine.sendCustomCommand(room, 'cmd', [{ userID: 'nm2' }]), { errorCode: 0 });
  assert.equal((await cmd)[2], 'cmd');
  const got = waitFor(engine, 'IMRecvBroadcastMessage');
  await peer.sendBroadcastMessage(room, 'from web');
  assert.equal((await got)[1][0].fromUser.userID, 'nm2');
  assert.deepEqual(await engine.setRoomExtraInfo(room, 'k', 'v'), { errorCode: 0 });
  assert.deepEqual(await engine.sendBroadcastMessage(room, ''), { errorCode: 1009001, messageID: 0 });
  assert.deepEqual(await engine.setStreamExtraInfo('x'), { errorCode: 1004002 });
});

test('the server address can come from PARLEY_SERVER', async () => {
  const saved = process.env['PARLEY_SERVER'];
  process.env['PARLEY_SERVER'] = server.url;
  try {
    const engine = await ZegoExpressEngine.createEngineWithProfile({
      appID: APP.appID,
      appSign: APP.appSign,
      scenario: 0,
    });
    assert.equal((await engine.loginRoom(uniqueRoom(), { userID: 'env1' })).errorCode, 0);
  } finally {
    if (saved === undefined) delete process.env['PARLEY_SERVER'];
    else process.env['PARLEY_SERVER'] = saved;
  }
});
