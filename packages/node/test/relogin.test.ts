/**
 * A server that lost every session — it was restarted — and the engines that come back to it on their own: they
 * log in again with their login's credentials (or the newest renewed token), publish and play again, and tell
 * the app RECONNECTED and how each room changed meanwhile. The servers run in this process and restart on the
 * same port; TCP proxies hold engines away so that they come back in a known order. restart.test.ts does the
 * same with `parley serve` killed for real.
 */
import assert from 'node:assert/strict';
import { after, afterEach, test } from 'node:test';
import type { RunningServer, ServerOptions } from '@parley/server';
import type { ZegoEventHandler } from '../src/index.js';
import { ExponentialBackoffPolicy, silentLogger, ZegoExpressEngine } from '../src/index.js';
import { FrameLog } from './e2e/support/media.js';
import { APP, health, startTestServer, token, uniqueRoom } from './support/fixtures.js';
import { TcpProxy } from './support/TcpProxy.js';
import { EventLog, until, waitFor } from './support/waitFor.js';

const AUDIO_ONLY = { camera: { audio: true, video: false } };
const ROOM_EVENTS = ['roomStateChanged', 'roomStateUpdate', 'roomUserUpdate', 'roomStreamUpdate'];
const MEDIA_STATES = ['publisherStateUpdate', 'playerStateUpdate'];

const closers: Array<() => unknown> = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});
after(() => ZegoExpressEngine.destroyEngine());

/** Quick retries: a test's engines come back within a few tens of milliseconds of being let through. */
const fastRetry = new ExponentialBackoffPolicy({
  initialDelayMs: 30,
  maxDelayMs: 100,
  giveUpAfterMs: 30_000,
});

/** A server that can be restarted on its port; `close` at the end of the test stops whichever one runs. */
class RestartableServer {
  private constructor(
    public current: RunningServer,
    private readonly options: Partial<ServerOptions>,
  ) {}

  static async start(options: Partial<ServerOptions> = {}): Promise<RestartableServer> {
    const server = new RestartableServer(await startTestServer(options), options);
    closers.push(() => server.current.close());
    return server;
  }

  get port(): number {
    return this.current.port;
  }

  get url(): string {
    return this.current.url;
  }

  /** Stops the server (every session is lost) and starts a new one on the same port. */
  async restart(between: () => unknown = () => {}): Promise<void> {
    await this.current.close();
    await between();
    this.current = await startTestServer({ ...this.options, port: this.port });
  }
}

async function proxyTo(server: RestartableServer): Promise<TcpProxy> {
  const proxy = await TcpProxy.start(server.port);
  closers.push(() => proxy.close());
  return proxy;
}

function engine(url: string): ZegoExpressEngine {
  const e = new ZegoExpressEngine(APP.appID, url, { logger: silentLogger, reconnectPolicy: fastRetry });
  closers.push(() => e.destroyEngine());
  return e;
}

async function login(e: ZegoExpressEngine, roomID: string, userID: string, loginToken = token(userID)) {
  await e.loginRoom(roomID, loginToken, { userID }, { userUpdate: true });
}

async function publish(e: ZegoExpressEngine, streamID: string): Promise<void> {
  const ok = waitFor(e, 'publisherStateUpdate', (r) => r.streamID === streamID && r.state === 'PUBLISHING');
  e.startPublishingStream(streamID, await e.createZegoStream(AUDIO_ONLY));
  await ok;
}

const user = (userID: string) => ({ userID, userName: '' });
const stream = (streamID: string, userID: string) => ({ streamID, user: user(userID), extraInfo: '' });
const pubState = (streamID: string, state: string, errorCode = 0) => [
  'publisherStateUpdate',
  { streamID, state, errorCode, extendedData: '' },
];
const playState = (streamID: string, state: string, errorCode = 0) => [
  'playerStateUpdate',
  { streamID, state, errorCode, extendedData: '' },
];
const gone = (...ids: string[]) =>
  JSON.stringify({ stream_delete_reason: ids.map((stream_id) => ({ stream_id, code: 5 })) });

const isRoomEvent = (entry: unknown[]) => ROOM_EVENTS.includes(entry[0] as string);

/**
 * Asserts that the log holds exactly `states` (two entries of one kind: back to requesting, then up again), the
 * first before the room's RECONNECTED and the second after it. Publisher and player states are checked apart:
 * a media connection may notice the dead server on its own first, in either order.
 */
function assertMediaStates(log: EventLog, room: string, states: unknown[][]): void {
  const kind = states[0]![0];
  const streamID = (states[0]![1] as { streamID: string }).streamID;
  const of = log.entries.filter((e) => e[0] === kind && (e[1] as { streamID: string }).streamID === streamID);
  assert.deepEqual(of, states);
  const reconnected = log.entries.findIndex(
    (e) => e[0] === 'roomStateChanged' && e[1] === room && e[2] === 'RECONNECTED',
  );
  assert.ok(log.entries.indexOf(of[0]!) < reconnected, `${kind} ${streamID} went back before RECONNECTED`);
  assert.ok(log.entries.indexOf(of[1]!) > reconnected, `${kind} ${streamID} came back after RECONNECTED`);
}

/** Waits until `e` was told of `userID` joining and of `streamID` (when given) being published in `roomID`. */
function told(e: ZegoExpressEngine, roomID: string, what: { userID?: string; streamID?: string }) {
  return Promise.all([
    what.userID === undefined
      ? null
      : waitFor(
          e,
          'roomUserUpdate',
          (r, type, users) =>
            r === roomID && type === 'ADD' && users.some((u: any) => u.userID === what.userID),
        ),
    what.streamID === undefined
      ? null
      : waitFor(
          e,
          'roomStreamUpdate',
          (r, type, list) =>
            r === roomID && type === 'ADD' && list.some((s: any) => s.streamID === what.streamID),
        ),
  ]);
}

test('after a restart every engine logs in again, is told how its rooms changed, and publishes and plays again', async () => {
  const server = await RestartableServer.start();
  const [proxyAnn, proxyBob] = [await proxyTo(server), await proxyTo(server)];
  const room = uniqueRoom();
  const side = uniqueRoom('side');
  const ann = engine(proxyAnn.url);
  const bob = engine(proxyBob.url);
  const cat = engine(server.url);
  await login(ann, room, 'ann');
  await login(ann, side, 'ann');
  const bobSeen = told(ann, room, { userID: 'bob', streamID: 'bob-cam' });
  await login(bob, room, 'bob');
  const catSeen = Promise.all([told(ann, room, { userID: 'cat' }), told(bob, room, { userID: 'cat' })]);
  await login(cat, room, 'cat');
  const annCamSeen = told(bob, room, { streamID: 'ann-cam' });
  await publish(ann, 'ann-cam');
  await publish(bob, 'bob-cam');
  await Promise.all([bobSeen, catSeen, annCamSeen]);
  const bobHears = new FrameLog(await bob.startPlayingStream('ann-cam'));
  await bobHears.until((l) => l.audio.length > 0, 'ann before the restart');

  const annLog = new EventLog(ann, [...ROOM_EVENTS, ...MEDIA_STATES]);
  const bobLog = new EventLog(bob, [...ROOM_EVENTS, ...MEDIA_STATES]);
  const down = [ann, bob, cat].map((e) =>
    waitFor(e, 'roomStateChanged', (r, reason) => r === room && reason === 'RECONNECTING'),
  );
  // Ann and Bob cannot reach the new server until let through; Cat leaves for good while the server is down.
  proxyAnn.pause();
  proxyBob.pause();
  await server.restart(async () => {
    await Promise.all(down);
    cat.destroyEngine();
  });
  const framesBefore = bobHears.audio.length;

  // Dan is the first in the restarted server's room.
  const dan = engine(server.url);
  await login(dan, room, 'dan');
  await publish(dan, 'dan-cam');
  const danLog = new EventLog(dan, ['roomUserUpdate', 'roomStreamUpdate']);

  // Ann comes back first: Bob and Cat are gone, Dan is new.
  const annPublishing = waitFor(ann, 'publisherStateUpdate', (r) => r.state === 'PUBLISHING');
  const danSeesAnn = told(dan, room, { userID: 'ann', streamID: 'ann-cam' });
  proxyAnn.resume();
  await Promise.all([annPublishing, danSeesAnn]);
  assert.deepEqual(annLog.entries, [
    ['roomStateChanged', room, 'RECONNECTING', 0, ''],
    ['roomStateUpdate', room, 'CONNECTING', 0, ''],
    ['roomStateChanged', side, 'RECONNECTING', 0, ''],
    ['roomStateUpdate', side, 'CONNECTING', 0, ''],
    pubState('ann-cam', 'PUBLISH_REQUESTING', 1103030),
    ['roomStateChanged', room, 'RECONNECTED', 0, ''],
    ['roomStateUpdate', room, 'CONNECTED', 0, ''],
    ['roomUserUpdate', room, 'DELETE', [user('bob'), user('cat')]],
    ['roomUserUpdate', room, 'ADD', [user('dan')]],
    ['roomStreamUpdate', room, 'DELETE', [stream('bob-cam', 'bob')], gone('bob-cam')],
    ['roomStreamUpdate', room, 'ADD', [stream('dan-cam', 'dan')], ''],
    ['roomStateChanged', side, 'RECONNECTED', 0, ''],
    ['roomStateUpdate', side, 'CONNECTED', 0, ''],
    pubState('ann-cam', 'PUBLISHING'),
  ]);
  annLog.clear();

  // Then Bob: Cat is gone, Dan is new; Ann and her stream are there as before, so nothing is said of them.
  const bobBack = Promise.all([
    waitFor(bob, 'publisherStateUpdate', (r) => r.state === 'PUBLISHING'),
    waitFor(bob, 'playerStateUpdate', (r) => r.state === 'PLAYING'),
    told(ann, room, { userID: 'bob', streamID: 'bob-cam' }),
    told(dan, room, { userID: 'bob', streamID: 'bob-cam' }),
  ]);
  proxyBob.resume();
  await bobBack;
  await bobHears.until((l) => l.audio.length > framesBefore + 10, 'ann after the restart');
  assert.deepEqual(bobLog.entries.filter(isRoomEvent), [
    ['roomStateChanged', room, 'RECONNECTING', 0, ''],
    ['roomStateUpdate', room, 'CONNECTING', 0, ''],
    ['roomStateChanged', room, 'RECONNECTED', 0, ''],
    ['roomStateUpdate', room, 'CONNECTED', 0, ''],
    ['roomUserUpdate', room, 'DELETE', [user('cat')]],
    ['roomUserUpdate', room, 'ADD', [user('dan')]],
    ['roomStreamUpdate', room, 'ADD', [stream('dan-cam', 'dan')], ''],
  ]);
  assertMediaStates(bobLog, room, [
    pubState('bob-cam', 'PUBLISH_REQUESTING', 1103030),
    pubState('bob-cam', 'PUBLISHING'),
  ]);
  assertMediaStates(bobLog, room, [
    playState('ann-cam', 'PLAY_REQUESTING', 1104030),
    playState('ann-cam', 'PLAYING'),
  ]);
  assert.deepEqual(annLog.entries, [
    ['roomUserUpdate', room, 'ADD', [user('bob')]],
    ['roomStreamUpdate', room, 'ADD', [stream('bob-cam', 'bob')], ''],
  ]);
  assert.deepEqual(danLog.entries, [
    ['roomUserUpdate', room, 'ADD', [user('ann')]],
    ['roomStreamUpdate', room, 'ADD', [stream('ann-cam', 'ann')], ''],
    ['roomUserUpdate', room, 'ADD', [user('bob')]],
    ['roomStreamUpdate', room, 'ADD', [stream('bob-cam', 'bob')], ''],
  ]);
  assert.deepEqual(
    { sessions: (await health(server.current)).sessions, streams: (await health(server.current)).streams },
    { sessions: 3, streams: 3 },
  );
  // The new sessions are whole: a message from Ann reaches both others.
  const heard = [bob, dan].map((e) => waitFor(e, 'IMRecvBroadcastMessage'));
  assert.equal((await ann.sendBroadcastMessage(room, 'we are back')).errorCode, 0);
  for (const [, messages] of await Promise.all(heard)) assert.equal(messages[0].message, 'we are back');
});

test('the native face logs in again with its AppSign and reports the same states as numbers, to handlers too', async () => {
  const server = await RestartableServer.start();
  const proxy = await proxyTo(server);
  const room = uniqueRoom('native');
  const calls: unknown[][] = [];
  const handler: ZegoEventHandler = {
    onDebugError: () => {},
    onRoomStateChanged: (roomID, reason, errorCode) =>
      calls.push(['roomStateChanged', roomID, reason, errorCode]),
    onPublisherStateUpdate: (streamID, state, errorCode) =>
      calls.push(['publisherStateUpdate', streamID, state, errorCode]),
    onPlayerStateUpdate: (streamID, state, errorCode) =>
      calls.push(['playerStateUpdate', streamID, state, errorCode]),
  };
  const native = ZegoExpressEngine.createEngine(
    {
      appID: APP.appID,
      appSign: APP.appSign,
      scenario: 0,
      server: proxy.url,
      parley: { logger: silentLogger, reconnectPolicy: fastRetry },
    },
    handler,
  );
  closers.push(() => ZegoExpressEngine.destroyEngine());
  native.enableCamera(false);
  const web = engine(server.url);
  assert.equal((await native.loginRoom(room, { userID: 'nat' }, { isUserStatusNotify: true })).errorCode, 0);
  const natCamSeen = told(web, room, { streamID: 'nat-cam' });
  await login(web, room, 'web');
  const natPublishing = waitFor(native, 'publisherStateUpdate', (_s, state) => state === 2);
  native.startPublishingStream('nat-cam');
  await natPublishing;
  await natCamSeen;
  const webCamSeen = waitFor(native, 'roomStreamUpdate', (_r, type) => type === 0);
  await publish(web, 'web-cam');
  await webCamSeen;
  const natPlaying = waitFor(native, 'playerStateUpdate', (_s, state) => state === 2);
  const natHears = new FrameLog(native.startPlayingStream('web-cam')!);
  await natPlaying;
  const webHears = new FrameLog(await web.startPlayingStream('nat-cam'));
  await Promise.all([
    natHears.until((l) => l.audio.length > 0, 'web before the restart'),
    webHears.until((l) => l.audio.length > 0, 'native before the restart'),
  ]);
  calls.length = 0;
  const log = new EventLog(native, [
    'roomStateChanged',
    'roomUserUpdate',
    'roomStreamUpdate',
    ...MEDIA_STATES,
  ]);

  proxy.pause();
  const down = waitFor(native, 'roomStateChanged', (_r, reason) => reason === 3);
  await server.restart(() => down);
  const natBefore = natHears.audio.length;
  const webBefore = webHears.audio.length;
  // The web engine comes back directly and publishes again before the native one is let through.
  await waitFor(web, 'publisherStateUpdate', (r) => r.state === 'PUBLISHING', 10_000);
  const back = Promise.all([
    waitFor(native, 'publisherStateUpdate', (_s, state) => state === 2),
    waitFor(native, 'playerStateUpdate', (_s, state) => state === 2),
  ]);
  proxy.resume();
  await back;
  await Promise.all([
    natHears.until((l) => l.audio.length > natBefore + 10, 'web after the restart'),
    webHears.until((l) => l.audio.length > webBefore + 10, 'native after the restart'),
  ]);
  // Web left and came back while the native engine was away; the native app is told nothing of it.
  assert.deepEqual(
    log.entries.filter((e) => e[0] !== 'publisherStateUpdate' && e[0] !== 'playerStateUpdate'),
    [
      ['roomStateChanged', room, 3, 0, ''],
      ['roomStateChanged', room, 4, 0, ''],
    ],
  );
  // Back to requesting before RECONNECTED (in either order: a media connection may notice first), up after it.
  const reconnected = log.entries.findIndex((e) => e[0] === 'roomStateChanged' && e[2] === 4);
  for (const [event, streamID] of [
    ['publisherStateUpdate', 'nat-cam'],
    ['playerStateUpdate', 'web-cam'],
  ] as const) {
    const of = log.entries.filter((e) => e[0] === event);
    assert.deepEqual(of, [
      [event, streamID, 1, event === 'publisherStateUpdate' ? 1103030 : 1104030, ''],
      [event, streamID, 2, 0, ''],
    ]);
    assert.ok(log.entries.indexOf(of[0]!) < reconnected && log.entries.indexOf(of[1]!) > reconnected, event);
  }
  // The Cocos-style handler got the same callbacks.
  assert.deepEqual(
    calls.map((c) => c.join(' ')).sort(),
    log.entries.map((e) => e.slice(0, 4).join(' ')).sort(),
  );
});

test('a room logs in again with the newest renewed token; a room whose token expired meanwhile ends', async () => {
  const server = await RestartableServer.start();
  const room = uniqueRoom('tokens');
  // Tokens that expire within three seconds: valid for the first login, expired by the time of the restart.
  const now = Math.floor(Date.now() / 1000);
  const shortLived = (userID: string) => token(userID, { issuedAt: now, ttl: 3 });
  const renewed = engine(server.url);
  const stale = engine(server.url);
  await login(renewed, room, 'renewer', shortLived('renewer'));
  await login(stale, room, 'sleeper', shortLived('sleeper'));
  await publish(stale, 'sleeper-cam');
  assert.equal(renewed.renewToken(token('renewer'), room), true);
  const staleLog = new EventLog(stale, ['roomStateChanged', 'roomStateUpdate', ...MEDIA_STATES]);
  const down = [renewed, stale].map((e) =>
    waitFor(e, 'roomStateChanged', (_r, reason) => reason === 'RECONNECTING'),
  );
  const ended = waitFor(stale, 'roomStateChanged', (_r, reason) => reason === 'RECONNECT_FAILED', 10_000);
  const back = waitFor(renewed, 'roomStateChanged', (_r, reason) => reason === 'RECONNECTED', 10_000);
  await server.restart(async () => {
    await Promise.all(down);
    await until(
      () => Date.now() / 1000 >= now + 3,
      () => 'the short-lived tokens to expire',
      6000,
    );
  });
  await back;
  // The expired token is refused for good (1102018): the room ends with that code and its stream stops.
  await ended;
  assert.deepEqual(staleLog.entries, [
    ['roomStateChanged', room, 'RECONNECTING', 0, ''],
    ['roomStateUpdate', room, 'CONNECTING', 0, ''],
    pubState('sleeper-cam', 'PUBLISH_REQUESTING', 1103030),
    // As on any end of a room, its streams stop first.
    pubState('sleeper-cam', 'NO_PUBLISH', 1102018),
    ['roomStateChanged', room, 'RECONNECT_FAILED', 1102018, ''],
    ['roomStateUpdate', room, 'DISCONNECTED', 1102018, ''],
  ]);
  assert.equal((await renewed.sendBroadcastMessage(room, 'still here')).errorCode, 0);
  assert.equal((await health(server.current)).sessions, 1);
});

test('a draining server tells its clients to reconnect, refuses new logins (1002098), and they come back to its successor', async () => {
  // A frozen client holds the drain open until its timeout, which leaves time to try a login.
  const server = await RestartableServer.start({ drainTimeoutMs: 60_000 });
  const proxy = await proxyTo(server);
  const room = uniqueRoom('drain');
  const steady = engine(server.url);
  const frozen = engine(proxy.url);
  await login(steady, room, 'steady');
  await login(frozen, room, 'frozen');
  await publish(steady, 'steady-cam');
  const log = new EventLog(steady, ['roomStateChanged', 'publisherStateUpdate']);
  proxy.freeze();

  const reconnecting = waitFor(steady, 'roomStateChanged', (_r, reason) => reason === 'RECONNECTING');
  let drained = false;
  const draining = server.current.drain().then(() => {
    drained = true;
  });
  await reconnecting;
  const newcomer = engine(server.url);
  await assert.rejects(login(newcomer, room, 'newcomer'), { code: 1002098 });
  assert.equal(drained, false, 'the frozen client is still connected');

  // Once the frozen client is gone, no session is left: the drain ends and the server closes.
  proxy.cutAll();
  await draining;
  const back = waitFor(steady, 'publisherStateUpdate', (r) => r.state === 'PUBLISHING', 10_000);
  await server.restart();
  await back;
  assert.deepEqual(log.entries, [
    ['roomStateChanged', room, 'RECONNECTING', 0, ''],
    pubState('steady-cam', 'PUBLISH_REQUESTING', 1103030),
    ['roomStateChanged', room, 'RECONNECTED', 0, ''],
    pubState('steady-cam', 'PUBLISHING'),
  ]);
});
