/**
 * Reconnection and kickout against a real server, with a TCP proxy between the SDK and the server to cut or
 * freeze the network. The engine has no test hooks: everything here is what an app would see.
 */
import assert from 'node:assert/strict';
import { after, afterEach, test } from 'node:test';
import type { RunningServer } from '@parley/server';
import {
  ExponentialBackoffPolicy,
  type ReconnectPolicy,
  silentLogger,
  ZegoExpressEngine,
} from '../src/index.js';
import { startTestServer, token, uniqueRoom } from './support/fixtures.js';

const AUDIO_ONLY = { camera: { audio: true, video: false } };

import { TcpProxy } from './support/TcpProxy.js';
import { EventLog, waitFor } from './support/waitFor.js';

const closers: Array<() => unknown> = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});
after(() => ZegoExpressEngine.destroyEngine());

const fastRetry = new ExponentialBackoffPolicy({
  initialDelayMs: 30,
  maxDelayMs: 100,
  giveUpAfterMs: 20_000,
});

async function setup(options: { reconnectGraceMs?: number; heartbeatIntervalMs?: number } = {}): Promise<{
  server: RunningServer;
  proxy: TcpProxy;
}> {
  const server = await startTestServer({
    rooms: { reconnectGraceMs: options.reconnectGraceMs },
    signaling: { heartbeatIntervalMs: options.heartbeatIntervalMs },
  });
  closers.push(() => server.close());
  const proxy = await TcpProxy.start(server.port);
  closers.push(() => proxy.close());
  return { server, proxy };
}

function engine(url: string, reconnectPolicy: ReconnectPolicy = fastRetry): ZegoExpressEngine {
  const e = new ZegoExpressEngine(1234567, url, { logger: silentLogger, reconnectPolicy });
  closers.push(() => e.destroyEngine());
  return e;
}

async function login(e: ZegoExpressEngine, roomID: string, userID: string): Promise<void> {
  await e.loginRoom(roomID, token(userID), { userID }, { userUpdate: true });
}

async function publish(e: ZegoExpressEngine, streamID: string): Promise<void> {
  const ok = waitFor(e, 'publisherStateUpdate', (r) => r.streamID === streamID && r.state === 'PUBLISHING');
  e.startPublishingStream(streamID, await e.createZegoStream(AUDIO_ONLY));
  await ok;
}

test('a cut within the grace period: RECONNECTING, RECONNECTED, and the missed events replayed once', async () => {
  const { server, proxy } = await setup({ reconnectGraceMs: 5000 });
  const room = uniqueRoom();
  const flaky = engine(proxy.url);
  const steady = engine(server.url);
  await login(flaky, room, 'flaky');
  await login(steady, room, 'steady');
  await publish(flaky, 'flaky-cam');
  const flakyLog = new EventLog(flaky, [
    'roomStateChanged',
    'roomStateUpdate',
    'roomStreamUpdate',
    'IMRecvBroadcastMessage',
    'publisherStateUpdate',
  ]);
  const steadyLog = new EventLog(steady, ['roomUserUpdate', 'roomStreamUpdate']);

  proxy.pause();
  const reconnecting = waitFor(flaky, 'roomStateChanged', (_r, reason) => reason === 'RECONNECTING');
  proxy.cutAll();
  await reconnecting;

  // While flaky is away, things happen in the room; the server keeps them for flaky's session.
  await publish(steady, 'steady-cam');
  assert.equal((await steady.sendBroadcastMessage(room, 'while you were away')).errorCode, 0);

  const reconnected = waitFor(flaky, 'roomStateChanged', (_r, reason) => reason === 'RECONNECTED');
  const replayed = waitFor(flaky, 'IMRecvBroadcastMessage');
  proxy.resume();
  await reconnected;
  await replayed;

  assert.deepEqual(
    flakyLog.entries.map((e) =>
      e[0] === 'IMRecvBroadcastMessage' ? [e[0], e[2][0].message] : e.slice(0, 5),
    ),
    [
      ['roomStateChanged', room, 'RECONNECTING', 0, ''],
      ['roomStateUpdate', room, 'CONNECTING', 0, ''],
      ['roomStateChanged', room, 'RECONNECTED', 0, ''],
      ['roomStateUpdate', room, 'CONNECTED', 0, ''],
      [
        'roomStreamUpdate',
        room,
        'ADD',
        [{ streamID: 'steady-cam', user: { userID: 'steady', userName: '' }, extraInfo: '' }],
        '',
      ],
      ['IMRecvBroadcastMessage', 'while you were away'],
    ],
  );
  // The others never saw flaky leave, nor its stream go.
  assert.deepEqual(steadyLog.entries, []);

  // The session carries on: a new event arrives once, and flaky can still act.
  const next = waitFor(flaky, 'IMRecvBroadcastMessage', (_r, m) => m[0].message === 'after');
  await steady.sendBroadcastMessage(room, 'after');
  await next;
  assert.equal(flakyLog.of('IMRecvBroadcastMessage').length, 2);
  const fromFlaky = waitFor(steady, 'IMRecvBroadcastMessage');
  assert.equal((await flaky.sendBroadcastMessage(room, 'back')).errorCode, 0);
  assert.equal((await fromFlaky)[1][0].message, 'back');
});

test('a silent network is detected by the heartbeat (1102001) and recovered', async () => {
  const { server, proxy } = await setup({ heartbeatIntervalMs: 100, reconnectGraceMs: 5000 });
  const room = uniqueRoom();
  const flaky = engine(proxy.url);
  const steady = engine(server.url);
  await login(flaky, room, 'frozen');
  await login(steady, room, 'watcher');
  const steadyLog = new EventLog(steady, ['roomUserUpdate']);

  const reconnecting = waitFor(flaky, 'roomStateChanged', (_r, reason) => reason === 'RECONNECTING');
  const reconnected = waitFor(flaky, 'roomStateChanged', (_r, reason) => reason === 'RECONNECTED');
  proxy.freeze();
  assert.equal((await reconnecting)[2], 1102001);
  await reconnected;
  assert.deepEqual(steadyLog.entries, []);
  const msg = waitFor(flaky, 'IMRecvBroadcastMessage');
  await steady.sendBroadcastMessage(room, 'still here?');
  assert.equal((await msg)[1][0].message, 'still here?');
});

test('past the grace period the server has forgotten the session: the engine logs in again and republishes', async () => {
  const { server, proxy } = await setup({ reconnectGraceMs: 300 });
  const room = uniqueRoom();
  const flaky = engine(proxy.url);
  const steady = engine(server.url);
  await login(flaky, room, 'late');
  await login(steady, room, 'observer');
  await publish(flaky, 'late-cam');
  const log = new EventLog(flaky, [
    'roomStateChanged',
    'roomStateUpdate',
    'roomUserUpdate',
    'roomStreamUpdate',
    'publisherStateUpdate',
  ]);

  proxy.pause();
  const reconnecting = waitFor(flaky, 'roomStateChanged', (_r, reason) => reason === 'RECONNECTING');
  // The server ends the session when the grace period is over: the observer sees the stream and the user go.
  const streamGone = waitFor(steady, 'roomStreamUpdate', (_r, type) => type === 'DELETE');
  const userGone = waitFor(steady, 'roomUserUpdate', (_r, type) => type === 'DELETE');
  proxy.cutAll();
  await reconnecting;
  assert.deepEqual(JSON.parse((await streamGone)[3]), {
    stream_delete_reason: [{ stream_id: 'late-cam', code: 5 }],
  });
  await userGone;
  const steadyLog = new EventLog(steady, ['roomUserUpdate', 'roomStreamUpdate']);

  // The resume is refused (1002053): the engine logs in again with the login's token and publishes again.
  const publishing = waitFor(flaky, 'publisherStateUpdate', (r) => r.state === 'PUBLISHING');
  const userBack = waitFor(steady, 'roomUserUpdate', (_r, type) => type === 'ADD');
  const streamBack = waitFor(steady, 'roomStreamUpdate', (_r, type) => type === 'ADD');
  proxy.resume();
  await publishing;
  assert.deepEqual((await userBack).slice(1), ['ADD', [{ userID: 'late', userName: '' }]]);
  assert.deepEqual((await streamBack)[2], [
    { streamID: 'late-cam', user: { userID: 'late', userName: '' }, extraInfo: '' },
  ]);
  assert.deepEqual(log.entries, [
    ['roomStateChanged', room, 'RECONNECTING', 0, ''],
    ['roomStateUpdate', room, 'CONNECTING', 0, ''],
    // The server lost the stream with the session: it is published again on a new connection.
    [
      'publisherStateUpdate',
      { streamID: 'late-cam', state: 'PUBLISH_REQUESTING', errorCode: 1103030, extendedData: '' },
    ],
    ['roomStateChanged', room, 'RECONNECTED', 0, ''],
    ['roomStateUpdate', room, 'CONNECTED', 0, ''],
    // The observer never left, so the app is told of no change in the room.
    ['publisherStateUpdate', { streamID: 'late-cam', state: 'PUBLISHING', errorCode: 0, extendedData: '' }],
  ]);
  assert.deepEqual(
    steadyLog.entries.map((e) => e.slice(0, 3)),
    [
      ['roomUserUpdate', room, 'ADD'],
      ['roomStreamUpdate', room, 'ADD'],
    ],
  );

  // The new session is a full one: messages flow both ways, and stopping the stream is announced.
  const fromFlaky = waitFor(steady, 'IMRecvBroadcastMessage');
  assert.equal((await flaky.sendBroadcastMessage(room, 'back again')).errorCode, 0);
  assert.equal((await fromFlaky)[1][0].message, 'back again');
  const stopped = waitFor(steady, 'roomStreamUpdate', (_r, type) => type === 'DELETE');
  assert.equal(flaky.stopPublishingStream('late-cam'), true);
  assert.deepEqual(JSON.parse((await stopped)[3]), {
    stream_delete_reason: [{ stream_id: 'late-cam', code: 1 }],
  });
});

test('kicked out while away: the resume reports KICKOUT 1002050, not RECONNECT_FAILED', async () => {
  const { server, proxy } = await setup({ reconnectGraceMs: 5000 });
  const room = uniqueRoom();
  const away = engine(proxy.url);
  await login(away, room, 'twin');
  const log = new EventLog(away, ['roomStateChanged']);
  proxy.pause();
  const reconnecting = waitFor(away, 'roomStateChanged', (_r, reason) => reason === 'RECONNECTING');
  proxy.cutAll();
  await reconnecting;
  // The same userID logs in elsewhere while the first engine cannot reach the server.
  const other = engine(server.url);
  await login(other, room, 'twin');
  const kicked = waitFor(away, 'roomStateChanged', (_r, reason) => reason === 'KICKOUT');
  proxy.resume();
  assert.deepEqual(await kicked, [room, 'KICKOUT', 1002050, '']);
  assert.ok(!log.of('roomStateChanged').some(([, reason]) => reason === 'RECONNECT_FAILED'));
});

test('a policy that gives up ends the rooms with RECONNECT_FAILED 1002053', async () => {
  const { proxy } = await setup({ reconnectGraceMs: 5000 });
  const room = uniqueRoom();
  const attempts: number[] = [];
  const flaky = engine(proxy.url, {
    nextRetryDelayInMs: ({ retryCount }) => {
      attempts.push(retryCount);
      return retryCount < 3 ? 10 : null;
    },
  });
  await login(flaky, room, 'quitter');
  proxy.pause();
  const failed = waitFor(flaky, 'roomStateChanged', (_r, reason) => reason === 'RECONNECT_FAILED');
  proxy.cutAll();
  assert.deepEqual(await failed, [room, 'RECONNECT_FAILED', 1002053, '']);
  assert.deepEqual(attempts, [0, 1, 2, 3]);
});

test('logging out while reconnecting stops the reconnection', async () => {
  const { proxy } = await setup({ reconnectGraceMs: 5000 });
  const room = uniqueRoom();
  const flaky = engine(proxy.url, new ExponentialBackoffPolicy({ initialDelayMs: 50, maxDelayMs: 50 }));
  await login(flaky, room, 'leaver');
  proxy.pause();
  const reconnecting = waitFor(flaky, 'roomStateChanged', (_r, reason) => reason === 'RECONNECTING');
  proxy.cutAll();
  await reconnecting;
  const log = new EventLog(flaky, ['roomStateChanged']);
  flaky.logoutRoom(room);
  assert.deepEqual(log.entries, [['roomStateChanged', room, 'LOGOUT', 0, '']]);
  proxy.resume();
  // No RECONNECTED may follow: a later login works on a fresh session.
  await login(flaky, room, 'leaver');
  assert.deepEqual(
    log.entries.map((e) => e[2]),
    ['LOGOUT', 'LOGINING', 'LOGINED'],
  );
});

test('a second login of the same userID kicks the first: KICKOUT 1002050, no reconnection', async () => {
  const { server } = await setup();
  const rooms = [uniqueRoom(), uniqueRoom()];
  const first = engine(server.url);
  const observer = engine(server.url);
  for (const room of rooms) await login(first, room, 'twin');
  await login(observer, rooms[0]!, 'observer2');
  await publish(first, 'twin-cam');
  const log = new EventLog(first, ['roomStateChanged', 'roomStateUpdate', 'publisherStateUpdate']);

  const kicked = waitFor(first, 'roomStateChanged', (r, reason) => r === rooms[1] && reason === 'KICKOUT');
  const streamGone = waitFor(observer, 'roomStreamUpdate', (_r, type) => type === 'DELETE');
  const second = engine(server.url);
  await login(second, rooms[0]!, 'twin');
  await kicked;
  assert.deepEqual(JSON.parse((await streamGone)[3]), {
    stream_delete_reason: [{ stream_id: 'twin-cam', code: 3 }],
  });
  assert.deepEqual(
    log.entries.filter((e) => e[0] !== 'publisherStateUpdate'),
    [
      ['roomStateChanged', rooms[0], 'KICKOUT', 1002050, ''],
      ['roomStateUpdate', rooms[0], 'DISCONNECTED', 1002050, ''],
      ['roomStateChanged', rooms[1], 'KICKOUT', 1002050, ''],
      ['roomStateUpdate', rooms[1], 'DISCONNECTED', 1002050, ''],
    ],
  );
  assert.deepEqual(log.of('publisherStateUpdate'), [
    [{ streamID: 'twin-cam', state: 'NO_PUBLISH', errorCode: 1002050, extendedData: '' }],
  ]);
  // The second engine is the one in the room now.
  assert.equal((await second.sendBroadcastMessage(rooms[0]!, 'mine now')).errorCode, 0);
  assert.equal((await first.sendBroadcastMessage(rooms[0]!, 'still mine?')).errorCode, 1002002);
});

test('the native face goes through the same reconnection with numeric reasons', async () => {
  const { proxy } = await setup({ reconnectGraceMs: 5000 });
  const room = uniqueRoom();
  const native = ZegoExpressEngine.createEngine({
    appID: 1234567,
    appSign: 'ab'.repeat(32),
    scenario: 0,
    server: proxy.url,
    parley: { logger: silentLogger, reconnectPolicy: fastRetry },
  });
  closers.push(() => ZegoExpressEngine.destroyEngine());
  assert.equal((await native.loginRoom(room, { userID: 'native-flaky' })).errorCode, 0);
  const log = new EventLog(native, ['roomStateChanged']);
  proxy.pause();
  const reconnecting = waitFor(native, 'roomStateChanged', (_r, reason) => reason === 3);
  proxy.cutAll();
  await reconnecting;
  const reconnected = waitFor(native, 'roomStateChanged', (_r, reason) => reason === 4);
  proxy.resume();
  await reconnected;
  assert.deepEqual(log.of('roomStateChanged'), [
    [room, 3, 0, ''],
    [room, 4, 0, ''],
  ]);
});
