/**
 * Nothing the engine runs on a timer or a callback throws into the process, against a real server: a media
 * backend whose methods throw, retry and reconnect policies that throw, a WebSocket whose `send` throws, and
 * listeners and a logger that throw. Each case ends in the state the Express API documents for it.
 */
import assert from 'node:assert/strict';
import { type TestContext, test } from 'node:test';
import type {
  PlayConnection,
  PlayMediaInfo,
  PublishConnection,
  PublishMediaInfo,
  WebSocketCtor,
} from '@parley/engine';
import { watchProcessErrors } from '@parley/engine/test/processErrors';
import type { RunningServer } from '@parley/server';
import WebSocket from 'ws';
import {
  type EngineLogger,
  ExponentialBackoffPolicy,
  type FrameSink,
  type NodeLocalStream,
  type ReconnectPolicy,
  silentLogger,
  WeriftMediaBackend,
  ZegoExpressEngine,
} from '../src/index.js';
import type { NodeEngineOptions } from '../src/ZegoExpressEngine.js';
import { APP, startTestServer, token, uniqueRoom } from './support/fixtures.js';
import { until, waitFor } from './support/waitFor.js';

const AUDIO_ONLY = { camera: { audio: true, video: false } };

/** The werift backend with faults switched on by the test. */
class HostileBackend extends WeriftMediaBackend {
  createPublishThrows = false;
  closeThrows = false;
  closeOutputThrows = false;
  statsFault: 'throw' | 'reject' | null = null;
  statsCalls = 0;
  readonly publishConnections: PublishConnection[] = [];
  readonly playConnections: PlayConnection[] = [];

  constructor() {
    super({ logger: silentLogger });
  }

  override createPublishConnection(info: PublishMediaInfo<NodeLocalStream>): PublishConnection {
    if (this.createPublishThrows) throw new Error('no encoder for this source');
    const conn = super.createPublishConnection(info);
    this.sabotage(conn);
    this.publishConnections.push(conn);
    return conn;
  }

  override createPlayConnection(info: PlayMediaInfo<FrameSink>): PlayConnection {
    const conn = super.createPlayConnection(info);
    this.sabotage(conn);
    this.playConnections.push(conn);
    return conn;
  }

  override closeOutput(output: FrameSink): void {
    super.closeOutput(output);
    if (this.closeOutputThrows) throw new Error('the sink would not close');
  }

  /** Faults the engine must live with: close() throws after closing, stats() throws or rejects. */
  private sabotage(conn: PublishConnection | PlayConnection): void {
    const close = conn.close.bind(conn);
    conn.close = () => {
      close();
      if (this.closeThrows) throw new Error('close failed');
    };
    const stats = conn.stats.bind(conn) as () => Promise<never>;
    (conn as unknown as { stats: () => Promise<never> }).stats = () => {
      this.statsCalls++;
      if (this.statsFault === 'throw') throw new Error('stats broke');
      if (this.statsFault === 'reject') return Promise.reject(new Error('stats broke later'));
      return stats();
    };
  }
}

/** `ws`, with a switch that makes a socket's `send` throw (as on a socket whose stream broke under it). */
function faultyWebSocket(): { WebSocket: WebSocketCtor; made: WebSocket[]; broken: Set<WebSocket> } {
  const made: WebSocket[] = [];
  const broken = new Set<WebSocket>();
  class FaultyWebSocket extends WebSocket {
    constructor(url: string) {
      super(url);
      made.push(this);
    }

    override send(data: any, ...rest: any[]): void {
      if (broken.has(this)) throw new Error('write EPIPE');
      (super.send as (...args: any[]) => void)(data, ...rest);
    }
  }
  return { WebSocket: FaultyWebSocket as unknown as WebSocketCtor, made, broken };
}

const throwingLogger: EngineLogger = {
  debug: () => {
    throw new Error('logger debug');
  },
  info: () => {
    throw new Error('logger info');
  },
  warn: () => {
    throw new Error('logger warn');
  },
  error: () => {
    throw new Error('logger error');
  },
};

const fastRetry = new ExponentialBackoffPolicy({
  initialDelayMs: 20,
  maxDelayMs: 100,
  giveUpAfterMs: 10_000,
});

const throwingPolicy: ReconnectPolicy = {
  nextRetryDelayInMs: () => {
    throw new Error('policy bug');
  },
};

async function serverFor(t: TestContext): Promise<RunningServer> {
  const server = await startTestServer();
  t.after(() => server.close());
  return server;
}

function engineFor(
  t: TestContext,
  server: RunningServer,
  options: NodeEngineOptions = {},
): ZegoExpressEngine {
  const e = new ZegoExpressEngine(APP.appID, server.url, { logger: silentLogger, ...options });
  t.after(() => e.destroyEngine());
  return e;
}

async function login(e: ZegoExpressEngine, roomID: string, userID: string): Promise<void> {
  await e.loginRoom(roomID, token(userID), { userID }, { userUpdate: true });
}

function stateOf(e: ZegoExpressEngine, event: 'publisherStateUpdate' | 'playerStateUpdate', state: string) {
  return waitFor(e, event, (r) => r.state === state, 15_000).then(([r]) => r);
}

test('a backend whose createPublishConnection throws: NO_PUBLISH with 1100001', async (t) => {
  const escaped = watchProcessErrors(t);
  const server = await serverFor(t);
  const media = new HostileBackend();
  const e = engineFor(t, server, { media });
  await login(e, uniqueRoom(), 'no-encoder');
  media.createPublishThrows = true;
  const failed = stateOf(e, 'publisherStateUpdate', 'NO_PUBLISH');
  assert.equal(e.startPublishingStream('no-encoder-cam', await e.createZegoStream(AUDIO_ONLY)), true);
  assert.equal((await failed).errorCode, 1100001);
  await escaped.none();
});

test('connections and outputs whose close() throws: failures are retried, stops still end in NO_PUBLISH / NO_PLAY', async (t) => {
  const escaped = watchProcessErrors(t);
  const server = await serverFor(t);
  const room = uniqueRoom();
  const pubMedia = new HostileBackend();
  const playMedia = new HostileBackend();
  const pub = engineFor(t, server, { media: pubMedia, mediaTiming: { retryPolicy: fastRetry } });
  const play = engineFor(t, server, { media: playMedia, mediaTiming: { retryPolicy: fastRetry } });
  await login(pub, room, 'closer-pub');
  await login(play, room, 'closer-play');
  pubMedia.closeThrows = true;
  playMedia.closeThrows = true;
  playMedia.closeOutputThrows = true;

  const publishing = stateOf(pub, 'publisherStateUpdate', 'PUBLISHING');
  pub.startPublishingStream('closer-cam', await pub.createZegoStream(AUDIO_ONLY));
  await publishing;
  await play.startPlayingStream('closer-cam');

  // The publish connection breaks (as on an ICE failure): closing it throws, and the stream is published again.
  const again = waitFor(pub, 'publisherStateUpdate', (r) => r.state === 'PUBLISHING', 15_000);
  const requesting = stateOf(pub, 'publisherStateUpdate', 'PUBLISH_REQUESTING');
  pubMedia.publishConnections[0]!.emit('failed', 'ICE failed (test)');
  assert.equal((await requesting).errorCode, 1103030);
  await again;
  assert.equal(pubMedia.publishConnections.length, 2);

  // The same for the play connection.
  const replaying = waitFor(play, 'playerStateUpdate', (r) => r.state === 'PLAYING', 15_000);
  const playRequesting = stateOf(play, 'playerStateUpdate', 'PLAY_REQUESTING');
  playMedia.playConnections[0]!.emit('failed', 'ICE failed (test)');
  assert.equal((await playRequesting).errorCode, 1104030);
  await replaying;

  const stoppedPlay = stateOf(play, 'playerStateUpdate', 'NO_PLAY');
  play.stopPlayingStream('closer-cam');
  assert.equal((await stoppedPlay).errorCode, 0);
  const stopped = stateOf(pub, 'publisherStateUpdate', 'NO_PUBLISH');
  assert.equal(pub.stopPublishingStream('closer-cam'), true);
  assert.equal((await stopped).errorCode, 0);
  pubMedia.closeThrows = false;
  playMedia.closeThrows = false;
  playMedia.closeOutputThrows = false;
  await escaped.none();
});

test('stats() that throws or rejects: the quality timer logs it and goes on, the streams stay up', async (t) => {
  const escaped = watchProcessErrors(t);
  const server = await serverFor(t);
  const room = uniqueRoom();
  const media = new HostileBackend();
  const e = engineFor(t, server, { media, qualityIntervalMs: 30 });
  const states: string[] = [];
  e.on('publisherStateUpdate', (r) => states.push(r.state));
  await login(e, room, 'stats');
  media.statsFault = 'throw';
  const publishing = stateOf(e, 'publisherStateUpdate', 'PUBLISHING');
  e.startPublishingStream('stats-cam', await e.createZegoStream(AUDIO_ONLY));
  await publishing;
  // The first snapshot (taken when the connection came up) and a few timer rounds have hit the fault.
  await until(
    () => media.statsCalls >= 4,
    () => `4 stats calls (${media.statsCalls})`,
  );
  media.statsFault = 'reject';
  const calls = media.statsCalls;
  await until(
    () => media.statsCalls >= calls + 3,
    () => `3 more stats calls (${media.statsCalls - calls})`,
  );
  // Once stats work again, quality reports come.
  media.statsFault = null;
  await waitFor(e, 'publishQualityUpdate', (streamID) => streamID === 'stats-cam');
  assert.deepEqual(states, ['PUBLISH_REQUESTING', 'PUBLISHING']);
  await escaped.none();
});

test('a media retry policy that throws gives up: NO_PLAY 1104031 and NO_PUBLISH 1103051', async (t) => {
  const escaped = watchProcessErrors(t);
  const server = await serverFor(t);
  const room = uniqueRoom();
  const pubMedia = new HostileBackend();
  const playMedia = new HostileBackend();
  const options = { mediaTiming: { retryPolicy: throwingPolicy } };
  const pub = engineFor(t, server, { media: pubMedia, ...options });
  const play = engineFor(t, server, { media: playMedia, ...options });
  await login(pub, room, 'policy-pub');
  await login(play, room, 'policy-play');
  const publishing = stateOf(pub, 'publisherStateUpdate', 'PUBLISHING');
  pub.startPublishingStream('policy-cam', await pub.createZegoStream(AUDIO_ONLY));
  await publishing;
  await play.startPlayingStream('policy-cam');

  const noPlay = stateOf(play, 'playerStateUpdate', 'NO_PLAY');
  playMedia.playConnections[0]!.emit('failed', 'ICE failed (test)');
  assert.equal((await noPlay).errorCode, 1104031);
  const noPublish = stateOf(pub, 'publisherStateUpdate', 'NO_PUBLISH');
  pubMedia.publishConnections[0]!.emit('failed', 'ICE failed (test)');
  assert.equal((await noPublish).errorCode, 1103051);
  await escaped.none();
});

test('a WebSocket whose send throws is dropped: the room goes RECONNECTING, then RECONNECTED on a new socket', async (t) => {
  const escaped = watchProcessErrors(t);
  const server = await serverFor(t);
  const room = uniqueRoom();
  const socket = faultyWebSocket();
  const e = engineFor(t, server, { WebSocket: socket.WebSocket, reconnectPolicy: fastRetry });
  await login(e, room, 'epipe');
  assert.equal(socket.made.length, 1);
  const reconnecting = waitFor(e, 'roomStateChanged', (_r, reason) => reason === 'RECONNECTING');
  const reconnected = waitFor(e, 'roomStateChanged', (_r, reason) => reason === 'RECONNECTED');
  socket.broken.add(socket.made[0]!);
  // The request that hits the broken socket fails like one whose socket dropped.
  assert.equal((await e.sendBroadcastMessage(room, 'into the void')).errorCode, 1100002);
  assert.deepEqual(await reconnecting, [room, 'RECONNECTING', 0, '']);
  assert.deepEqual(await reconnected, [room, 'RECONNECTED', 0, '']);
  assert.equal(socket.made.length, 2);
  assert.equal((await e.sendBroadcastMessage(room, 'back')).errorCode, 0);
  await escaped.none();
});

test('a reconnect policy that throws gives up: RECONNECT_FAILED 1002053', async (t) => {
  const escaped = watchProcessErrors(t);
  const server = await serverFor(t);
  const room = uniqueRoom();
  const socket = faultyWebSocket();
  const e = engineFor(t, server, { WebSocket: socket.WebSocket, reconnectPolicy: throwingPolicy });
  await login(e, room, 'no-policy');
  const publishing = stateOf(e, 'publisherStateUpdate', 'PUBLISHING');
  e.startPublishingStream('no-policy-cam', await e.createZegoStream(AUDIO_ONLY));
  await publishing;
  const failed = waitFor(e, 'roomStateChanged', (_r, reason) => reason === 'RECONNECT_FAILED');
  const stopped = stateOf(e, 'publisherStateUpdate', 'NO_PUBLISH');
  socket.broken.add(socket.made[0]!);
  await e.sendBroadcastMessage(room, 'into the void');
  assert.deepEqual(await failed, [room, 'RECONNECT_FAILED', 1002053, '']);
  assert.equal((await stopped).errorCode, 1002053);
  await escaped.none();
});

/** Every event of the web face. */
const WEB_EVENTS = [
  'roomStateChanged',
  'roomStateUpdate',
  'roomUserUpdate',
  'roomOnlineUserCountUpdate',
  'roomStreamUpdate',
  'streamExtraInfoUpdate',
  'roomExtraInfoUpdate',
  'publisherStateUpdate',
  'playerStateUpdate',
  'publishQualityUpdate',
  'playQualityUpdate',
  'remoteCameraStatusUpdate',
  'remoteMicStatusUpdate',
  'playerRecvVideoFirstFrame',
  'playerMediaEvent',
  'tokenWillExpire',
  'IMRecvBroadcastMessage',
  'IMRecvCustomCommand',
] as const;

test('listeners and a logger that all throw: a whole call works and nothing reaches the process', async (t) => {
  const escaped = watchProcessErrors(t);
  const server = await serverFor(t);
  const room = uniqueRoom();
  const options = { logger: throwingLogger, qualityIntervalMs: 100 };
  const alice = engineFor(t, server, options);
  const bob = engineFor(t, server, options);
  for (const e of [alice, bob]) {
    for (const event of WEB_EVENTS) {
      e.on(event, () => {
        throw new Error(`a listener of ${event}`);
      });
    }
  }
  await login(alice, room, 'throw-alice');
  const bobSeesStream = waitFor(bob, 'roomStreamUpdate', (_r, type) => type === 'ADD');
  await login(bob, room, 'throw-bob');
  const publishing = stateOf(alice, 'publisherStateUpdate', 'PUBLISHING');
  const local = await alice.createZegoStream({ camera: { video: { width: 64, height: 48, fps: 15 } } });
  alice.startPublishingStream('throw-cam', local);
  await publishing;
  await bobSeesStream;
  const firstFrame = waitFor(bob, 'playerRecvVideoFirstFrame');
  const sink = await bob.startPlayingStream('throw-cam');
  sink.on('frame', () => {
    throw new Error('a frame listener');
  });
  await waitFor(sink, 'frame', (f) => f.kind === 'video');
  await firstFrame;
  await waitFor(bob, 'playQualityUpdate');
  await waitFor(alice, 'publishQualityUpdate');
  const message = waitFor(bob, 'IMRecvBroadcastMessage');
  assert.equal((await alice.sendBroadcastMessage(room, 'still here')).errorCode, 0);
  assert.equal((await message)[1][0].message, 'still here');
  // A mute travels through the local stream's listeners and the engine's: both kinds throw.
  const muted = waitFor(bob, 'remoteCameraStatusUpdate', (_s, status) => status === 'MUTE');
  assert.equal(alice.mutePublishStreamVideo(local, true), true);
  await muted;
  const gone = waitFor(bob, 'roomStreamUpdate', (_r, type) => type === 'DELETE');
  assert.equal(alice.stopPublishingStream('throw-cam'), true);
  await gone;
  const loggedOut = waitFor(bob, 'roomStateChanged', (_r, reason) => reason === 'LOGOUT');
  bob.logoutRoom(room);
  await loggedOut;
  await escaped.none();
});
