/**
 * Media connections that break while signaling stays up, against a real server: the publisher and player retry
 * by themselves (PUBLISH_REQUESTING / PLAY_REQUESTING with the code that made them retry), and give up with
 * 1103051 / 1104031 when the retry budget is spent. The media of the engines under test goes through UDP relays
 * (support/UdpRelay.ts) that a test switches off; nothing in the engine or the server is reached into.
 */
import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import type { RunningServer } from '@parley/server';
import {
  ErrorCode,
  ExponentialBackoffPolicy,
  type FrameSink,
  type MediaTiming,
  readSyntheticFrameNumber,
  silentLogger,
  ZegoExpressEngine,
} from '../src/index.js';
import { APP, health, startTestServer, token, uniqueRoom } from './support/fixtures.js';
import { RelayedMediaBackend } from './support/RelayedMediaBackend.js';
import { RelayNetwork } from './support/UdpRelay.js';
import { EventLog, type Subscribable, until, waitFor } from './support/waitFor.js';

const closers: Array<() => unknown> = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

/** Every listed event of an emitter, with its arguments and the time (performance.now()) it came. */
class TimedLog {
  readonly entries: { at: number; event: string; args: any[] }[] = [];
  constructor(emitter: Subscribable, events: string[]) {
    for (const event of events)
      emitter.on(event, (...args: any[]) => this.entries.push({ at: performance.now(), event, args }));
  }
  /** The first argument of each `event`, e.g. the results of publisherStateUpdate. */
  results(event: string): any[] {
    return this.entries.filter((e) => e.event === event).map((e) => e.args[0]);
  }
  /** The time of the first `event` whose first argument satisfies `match`. */
  at(event: string, match: (result: any) => boolean): number {
    const entry = this.entries.find((e) => e.event === event && match(e.args[0]));
    assert.ok(entry, `no ${event} matching ${match}`);
    return entry.at;
  }
}

/** The video frames a sink delivered: when, and the synthetic camera's number in each. */
function recordVideo(sink: FrameSink): { at: number; number: number | null; keyframe: boolean }[] {
  const frames: { at: number; number: number | null; keyframe: boolean }[] = [];
  sink.on('frame', (f) => {
    if (f.kind === 'video')
      frames.push({ at: f.receivedAt, number: readSyntheticFrameNumber(f.data), keyframe: f.keyframe });
  });
  return frames;
}

function engine(
  server: RunningServer,
  options: { media?: RelayedMediaBackend; mediaTiming?: MediaTiming } = {},
): ZegoExpressEngine {
  const e = new ZegoExpressEngine(APP.appID, server.url, { logger: silentLogger, ...options });
  closers.push(() => e.destroyEngine());
  return e;
}

async function login(e: ZegoExpressEngine, roomID: string, userID: string): Promise<void> {
  await e.loginRoom(roomID, token(userID), { userID }, { userUpdate: true });
}

async function publish(
  e: ZegoExpressEngine,
  streamID: string,
  config?: Parameters<ZegoExpressEngine['createZegoStream']>[0],
): Promise<void> {
  const publishing = waitFor(
    e,
    'publisherStateUpdate',
    (r) => r.streamID === streamID && r.state === 'PUBLISHING',
    10_000,
  );
  assert.equal(e.startPublishingStream(streamID, await e.createZegoStream(config)), true);
  await publishing;
}

/** A server whose SFU drops a transport that heard nothing from its peer for this long (default 15 s). */
const INACTIVITY_MS = 3000;

test('the SFU drops a publisher transport: the engine republishes by itself and its player carries on', async () => {
  const server = await startTestServer({ media: { inactivityTimeoutMs: INACTIVITY_MS } });
  closers.push(() => server.close());
  const network = new RelayNetwork();
  closers.push(() => network.close());
  const room = uniqueRoom('pub-retry');
  // The publisher's media goes through the relays, with the default media timing; the viewer's goes direct.
  const publisher = engine(server, { media: new RelayedMediaBackend(network) });
  const viewer = engine(server);
  await login(publisher, room, 'retry-pub');
  await login(viewer, room, 'retry-viewer');
  const log = new TimedLog(publisher, ['publisherStateUpdate', 'roomStateChanged']);
  const viewerLog = new TimedLog(viewer, ['playerStateUpdate', 'roomStreamUpdate', 'roomStateChanged']);
  await publish(publisher, 'retry-cam');
  const sink = await viewer.startPlayingStream('retry-cam');
  const frames = recordVideo(sink);
  await until(
    () => frames.length >= 10,
    () => `10 video frames at the viewer (have ${frames.length})`,
  );
  assert.equal((await health(server)).mediaTransports, 2);

  // A one-way fault: the SFU stops hearing the publisher (RTP, RTCP, consent checks) while the publisher still
  // hears the SFU. Past its inactivity timeout the SFU closes the publisher transport; then the path is fine
  // again, and only the server's side of the connection is gone.
  const republished = waitFor(
    publisher,
    'publisherStateUpdate',
    (r) => r.state === 'PUBLISHING' || r.state === 'NO_PUBLISH',
    INACTIVITY_MS + 20_000,
  );
  const faultAt = performance.now();
  network.mode = 'dropUpstream';
  let transports = 2;
  await until(
    async () => {
      transports = (await health(server)).mediaTransports;
      return transports === 1;
    },
    () => `the SFU to drop the publisher transport (${transports} transports)`,
    INACTIVITY_MS + 5000,
  );
  const droppedAt = performance.now();
  network.mode = 'pass';
  const lastFrameBefore = frames.at(-1)!;

  const [result] = await republished;
  assert.equal(result.state, 'PUBLISHING', JSON.stringify(result));
  assert.deepEqual(
    log.results('publisherStateUpdate').map((r) => [r.state, r.errorCode]),
    [
      ['PUBLISH_REQUESTING', 0],
      ['PUBLISHING', 0],
      ['PUBLISH_REQUESTING', ErrorCode.PUBLISH_NEGOTIATION_TIMEOUT],
      ['PUBLISHING', 0],
    ],
  );
  const requestingAt = log.at('publisherStateUpdate', (r) => r.errorCode !== 0);
  const publishingAt = log.entries.filter((e) => e.event === 'publisherStateUpdate').at(-1)!.at;

  // The viewer gets fresh frames of the new connection: a key frame first, numbers past those it had.
  await until(
    () => frames.filter((f) => f.at > publishingAt).length >= 10,
    () => `10 video frames after the republish (have ${frames.length} in all)`,
  );
  const resumed = frames.filter((f) => f.at > lastFrameBefore.at);
  assert.equal(resumed[0]!.keyframe, true, 'the first frame after the gap is a key frame');
  assert.ok(
    resumed.every((f) => f.number !== null && f.number > lastFrameBefore.number!),
    'the frames after the gap are newer than those before',
  );
  // The restart is invisible to the room and to the viewer's play: no DELETE, no re-ADD, no state change,
  // and signaling never wavered.
  assert.deepEqual(
    viewerLog.results('playerStateUpdate').map((r) => r.state),
    ['PLAY_REQUESTING', 'PLAYING'],
  );
  assert.deepEqual(
    viewerLog.entries.filter((e) => e.event === 'roomStreamUpdate').map((e) => e.args[1]),
    ['ADD'],
  );
  assert.equal(log.results('roomStateChanged').length + viewerLog.results('roomStateChanged').length, 0);
  const after = await health(server);
  assert.equal(after.mediaTransports, 2, 'the new publisher transport and the viewer’s');
  assert.equal(after.streams, 1);

  console.log(
    `SFU transport dropped ${(droppedAt - faultAt).toFixed(0)} ms after the upstream went silent; ` +
      `PUBLISH_REQUESTING ${(requestingAt - droppedAt).toFixed(0)} ms after that, ` +
      `PUBLISHING again ${(publishingAt - requestingAt).toFixed(0)} ms later; ` +
      `the viewer's video gap ${(resumed[0]!.at - lastFrameBefore.at).toFixed(0)} ms ` +
      `(frame ${lastFrameBefore.number} → ${resumed[0]!.number})`,
  );
});

test("an audio-only play carries on while its publisher's upstream is cut: the SFU's audio reports keep it", async () => {
  // Long enough for the SFU's audio reports (every 2.5–7.5 s) to leave a gap past the 5 s a player allows when
  // it also gets video, short of the SFU's inactivity timeout (the publisher's transport stays).
  const OUTAGE_MS = 18_000;
  const server = await startTestServer({ media: { inactivityTimeoutMs: 30_000 } });
  closers.push(() => server.close());
  const network = new RelayNetwork();
  closers.push(() => network.close());
  const room = uniqueRoom('audio-outage');
  const publisher = engine(server, { media: new RelayedMediaBackend(network) });
  const viewer = engine(server);
  await login(publisher, room, 'ao-pub');
  await login(viewer, room, 'ao-viewer');
  const viewerLog = new TimedLog(viewer, ['playerStateUpdate']);
  await publish(publisher, 'ao-mic', { camera: { audio: true, video: false } });
  const sink = await viewer.startPlayingStream('ao-mic');
  const audio: number[] = [];
  sink.on('frame', (f) => {
    if (f.kind === 'audio') audio.push(f.receivedAt);
  });
  await until(
    () => audio.length >= 25,
    () => `25 audio frames at the viewer (have ${audio.length})`,
  );

  network.mode = 'dropUpstream';
  const cutAt = performance.now();
  await new Promise((resolve) => setTimeout(resolve, OUTAGE_MS));
  network.mode = 'pass';
  const silentFor = performance.now() - Math.max(...audio);
  await until(
    () => audio.some((at) => at > cutAt + OUTAGE_MS),
    () =>
      `audio at the viewer again (last frame ${(performance.now() - Math.max(...audio)).toFixed(0)} ms ago)`,
  );
  // Its audio stopped for the whole outage, and its play never went back to PLAY_REQUESTING.
  assert.ok(silentFor >= OUTAGE_MS - 500, `no audio for ${silentFor.toFixed(0)} ms`);
  assert.deepEqual(
    viewerLog.results('playerStateUpdate').map((r) => [r.state, r.errorCode]),
    [
      ['PLAY_REQUESTING', 0],
      ['PLAYING', 0],
    ],
  );
  assert.equal((await health(server)).mediaTransports, 2, 'both transports stayed');
});

test('media path down for good: the publisher gives up with 1103051, the player with 1104031, the stream goes', async () => {
  const server = await startTestServer();
  closers.push(() => server.close());
  const network = new RelayNetwork();
  closers.push(() => network.close());
  const room = uniqueRoom('give-up');
  const mediaTiming: MediaTiming = {
    connectTimeoutMs: 500,
    retryPolicy: new ExponentialBackoffPolicy({ initialDelayMs: 50, maxDelayMs: 100, giveUpAfterMs: 800 }),
  };
  const publisher = engine(server, { media: new RelayedMediaBackend(network), mediaTiming });
  const viewer = engine(server, { media: new RelayedMediaBackend(network), mediaTiming });
  const observer = engine(server);
  await login(publisher, room, 'gu-pub');
  await login(viewer, room, 'gu-viewer');
  await login(observer, room, 'gu-observer');
  const pubLog = new TimedLog(publisher, ['publisherStateUpdate', 'roomStateChanged', 'roomStreamUpdate']);
  const viewerLog = new TimedLog(viewer, ['playerStateUpdate', 'roomStateChanged', 'roomStreamUpdate']);
  const observerLog = new EventLog(observer, ['roomStreamUpdate']);
  await publish(publisher, 'gu-cam');
  const frames = recordVideo(await viewer.startPlayingStream('gu-cam'));
  await until(
    () => frames.length >= 10,
    () => `10 video frames at the viewer (have ${frames.length})`,
  );

  const brokenAt = performance.now();
  network.mode = 'drop';
  const noPublish = waitFor(publisher, 'publisherStateUpdate', (r) => r.state === 'NO_PUBLISH', 20_000);
  const noPlay = waitFor(viewer, 'playerStateUpdate', (r) => r.state === 'NO_PLAY', 20_000);
  const deleted = waitFor(observer, 'roomStreamUpdate', (_room, type) => type === 'DELETE', 20_000);
  const [[stopped], [ended], [, , streams, extendedData]] = await Promise.all([noPublish, noPlay, deleted]);
  assert.equal(stopped.errorCode, ErrorCode.PUBLISH_RETRY_TIMEOUT);
  assert.equal(ended.errorCode, ErrorCode.PLAY_RETRY_TIMEOUT);
  assert.deepEqual(
    streams.map((s: { streamID: string }) => s.streamID),
    ['gu-cam'],
  );
  assert.deepEqual(JSON.parse(extendedData), { stream_delete_reason: [{ stream_id: 'gu-cam', code: 1 }] });

  // Each went back to REQUESTING once, with the code of the broken connection, and then gave up.
  assert.deepEqual(
    pubLog.results('publisherStateUpdate').map((r) => [r.state, r.errorCode]),
    [
      ['PUBLISH_REQUESTING', 0],
      ['PUBLISHING', 0],
      ['PUBLISH_REQUESTING', ErrorCode.PUBLISH_NEGOTIATION_TIMEOUT],
      ['NO_PUBLISH', ErrorCode.PUBLISH_RETRY_TIMEOUT],
    ],
  );
  assert.deepEqual(
    viewerLog.results('playerStateUpdate').map((r) => [r.state, r.errorCode]),
    [
      ['PLAY_REQUESTING', 0],
      ['PLAYING', 0],
      ['PLAY_REQUESTING', ErrorCode.PLAY_NEGOTIATION_FAILED],
      ['NO_PLAY', ErrorCode.PLAY_RETRY_TIMEOUT],
    ],
  );
  // Signaling stayed up the whole time: no room state changed.
  assert.equal(pubLog.results('roomStateChanged').length + viewerLog.results('roomStateChanged').length, 0);
  assert.equal(observerLog.of('roomStreamUpdate').length, 2, 'one ADD, one DELETE');

  // Nothing is left on the server but the three sessions: no stream, no transport of any retry.
  let h = await health(server);
  await until(
    async () => {
      h = await health(server);
      return h.mediaTransports === 0;
    },
    () => `the transports to close: ${JSON.stringify(h)}`,
  );
  assert.equal(h.streams, 0);
  assert.equal(h.sessions, 3);

  const pubRequesting = pubLog.at('publisherStateUpdate', (r) => r.errorCode === 1103030);
  const pubGaveUp = pubLog.at('publisherStateUpdate', (r) => r.state === 'NO_PUBLISH');
  const playRequesting = viewerLog.at('playerStateUpdate', (r) => r.errorCode === 1104030);
  const playGaveUp = viewerLog.at('playerStateUpdate', (r) => r.state === 'NO_PLAY');
  console.log(
    `path broken → publisher PUBLISH_REQUESTING after ${(pubRequesting - brokenAt).toFixed(0)} ms, ` +
      `NO_PUBLISH ${(pubGaveUp - pubRequesting).toFixed(0)} ms later; ` +
      `player PLAY_REQUESTING after ${(playRequesting - brokenAt).toFixed(0)} ms, ` +
      `NO_PLAY ${(playGaveUp - playRequesting).toFixed(0)} ms later; relays made ${network.relays.length}`,
  );
});

test('media path silent while connecting: the ICE checks outlast werift’s 1.55 s, and the first connection connects', async () => {
  const server = await startTestServer();
  closers.push(() => server.close());
  const network = new RelayNetwork();
  closers.push(() => network.close());
  const room = uniqueRoom('slow-ice');
  const publisher = engine(server, { media: new RelayedMediaBackend(network) });
  const viewer = engine(server, { media: new RelayedMediaBackend(network) });
  await login(publisher, room, 'si-pub');
  await login(viewer, room, 'si-viewer');
  const pubLog = new TimedLog(publisher, ['publisherStateUpdate']);
  const viewerLog = new TimedLog(viewer, ['playerStateUpdate']);

  // werift alone sends a check 5 times (at 0, 50, 150, 350 and 750 ms) and fails the pair at 1.55 s. Each
  // connection's path stays silent until its relay hears a 6th check (sent at 1.55 s), which gets through:
  // only the longer budget sends one.
  network.passAtCheck = 6;
  network.mode = 'drop';
  const publishing = waitFor(
    publisher,
    'publisherStateUpdate',
    (r) => r.state !== 'PUBLISH_REQUESTING',
    10_000,
  );
  // On a timeout, say how many checks each connection's relay heard (a retried connection gets a new relay).
  const heard = (err: Error): never => {
    throw new Error(
      `${err.message}; ICE checks heard per connection: ${network.relays.map((r) => r.checksHeard)}`,
    );
  };
  assert.equal(publisher.startPublishingStream('si-cam', await publisher.createZegoStream()), true);
  const [published] = await publishing.catch(heard);
  assert.deepEqual(
    pubLog.results('publisherStateUpdate').map((r) => [r.state, r.errorCode]),
    [
      ['PUBLISH_REQUESTING', 0],
      ['PUBLISHING', 0],
    ],
    `${JSON.stringify(published)}; checks heard: ${network.relays.map((r) => r.checksHeard)}`,
  );
  // The 6th check got through (then werift's nominating check and, later, its consent checks count too).
  assert.ok(network.relays[0]!.checksHeard >= 6, `checks heard: ${network.relays[0]!.checksHeard}`);

  network.mode = 'drop';
  const playing = waitFor(viewer, 'playerStateUpdate', (r) => r.state !== 'PLAY_REQUESTING', 10_000).catch(
    heard,
  );
  const frames = recordVideo(await viewer.startPlayingStream('si-cam'));
  const [played] = await playing;
  assert.deepEqual(
    viewerLog.results('playerStateUpdate').map((r) => [r.state, r.errorCode]),
    [
      ['PLAY_REQUESTING', 0],
      ['PLAYING', 0],
    ],
    `${JSON.stringify(played)}; checks heard: ${network.relays.map((r) => r.checksHeard)}`,
  );
  assert.ok((network.relays[1]?.checksHeard ?? 0) >= 6, `checks heard: ${network.relays[1]?.checksHeard}`);
  await until(
    () => frames.length >= 5,
    () => `5 video frames at the viewer (have ${frames.length})`,
  );
  // One relay each: neither engine made a second connection.
  assert.equal(network.relays.length, 2);
});
