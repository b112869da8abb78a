/**
 * Counters, media breaks, failures and clean-up of the werift backend's connections, against a real SfuRouter.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ErrorCode, ParleyError } from '@parley/protocol';
import { createNodeLocalStream, NodeLocalStream, WeriftMediaBackend } from '../../src/media/backend/index.js';
import { type LoopbackStun, startLoopbackStun } from './support/loopbackStun.js';
import {
  once,
  PausableCamera,
  PausableMicrophone,
  play,
  publish,
  recordFrames,
  SERVER_URL,
  until,
} from './support/media.js';
import { SfuRouterClass } from './support/sfu.js';

let stun: LoopbackStun;
before(async () => {
  stun = await startLoopbackStun();
});
after(() => stun.close());

function pausableStream() {
  const audio = new PausableMicrophone();
  const video = new PausableCamera({ width: 320, height: 240, fps: 15 });
  return { stream: new NodeLocalStream({ audio, video }), audio, video };
}

test('stats: counters agree with the SFU at both ends, RTT is known', async (t) => {
  const router = new SfuRouterClass();
  const backend = new WeriftMediaBackend();
  const { stream, audio, video } = pausableStream();
  t.after(async () => {
    backend.close();
    stream.close();
    await router.close();
  });
  const { conn: pub, transport: upstream } = await publish(backend, router, stun, 'cam', stream);
  const sink = backend.createOutput('cam');
  const { conn: player, transport: downstream } = await play(backend, router, stun, 'p', 'cam', sink);
  // RTCP needs a few report intervals (0.5 to 1.5 s each) before werift has an RTT from them.
  await until(
    () => sink.counts.videoFrames >= 30,
    () => 'two seconds of video',
  );
  let pubStats = await pub.stats();
  await until(
    async () => {
      pubStats = await pub.stats();
      return pubStats.rttMs !== undefined;
    },
    () => 'a publisher RTT',
  );
  // Quiesce: nothing in flight, so every counter can be compared exactly.
  audio.paused = true;
  video.paused = true;
  const producer = (kind: 'audio' | 'video') => upstream.producer(kind)!.stats();
  const consumer = (kind: 'audio' | 'video') => downstream.consumer(kind)!.stats();
  let playStats = await player.stats();
  await until(
    async () => {
      pubStats = await pub.stats();
      playStats = await player.stats();
      return (['audio', 'video'] as const).every(
        (k) =>
          pubStats[k]?.packetsSent === producer(k).packets &&
          playStats[k]?.packetsReceived === consumer(k).packets,
      );
    },
    () => `counters to settle: ${JSON.stringify({ pubStats, playStats })}`,
  );
  // The SFU reads frame count and picture size from the VP8 it forwards.
  assert.equal(producer('video').frames, pubStats.video!.framesSent);
  assert.deepEqual([producer('video').frameWidth, producer('video').frameHeight], [320, 240]);
  assert.deepEqual([consumer('video').frameWidth, consumer('video').frameHeight], [320, 240]);
  assert.equal(producer('audio').frames, null);
  for (const kind of ['audio', 'video'] as const) {
    const s = pubStats[kind]!;
    const r = playStats[kind]!;
    assert.ok(s.packetsSent > 0 && s.bytesSent > s.packetsSent && s.framesSent > 0, `${kind} sent`);
    assert.equal(s.bytesSent, producer(kind).bytes, `${kind}: bytes the SFU received`);
    assert.ok(r.packetsReceived > 0 && r.packetsReceived <= s.packetsSent, `${kind} received`);
    assert.equal(r.bytesReceived, consumer(kind).bytes, `${kind}: bytes the SFU sent this player`);
    assert.equal(r.packetsLost, 0);
    assert.ok(r.jitter !== undefined && r.jitter >= 0 && r.jitter < 0.05, `${kind} jitter ${r.jitter}`);
    assert.equal(r.framesReceived, kind === 'audio' ? sink.counts.audioFrames : sink.counts.videoFrames);
    assert.equal(s.packetsLost ?? 0, 0);
  }
  assert.equal(pubStats.video!.frameWidth, 320);
  assert.equal(playStats.video!.frameHeight, 240);
  assert.equal(playStats.video!.framesDecoded, sink.counts.videoFrames);
  assert.equal(playStats.video!.framesDropped, 0);
  assert.ok(pubStats.rttMs! >= 0 && pubStats.rttMs! < 50, `publisher RTT ${pubStats.rttMs}`);
  // A player's RTT comes from ICE consent checks: unknown for the first 6 s (this test is shorter).
  assert.equal(playStats.rttMs, undefined, 'player RTT before the first consent check');
  assert.ok(stun.requestsAnswered > 0, 'the connections used the loopback STUN server');
  t.diagnostic(
    `sent ${pubStats.video!.packetsSent}+${pubStats.audio!.packetsSent} packets (video+audio), ` +
      `player received ${playStats.video!.packetsReceived}+${playStats.audio!.packetsReceived}; ` +
      `RTT publisher ${pubStats.rttMs!.toFixed(2)} ms (RTCP), player ${playStats.rttMs ?? 'unknown'} (ICE); ` +
      `jitter audio ${(playStats.audio!.jitter! * 1000).toFixed(2)} ms`,
  );
});

test('mediaBreak: a quiet source breaks audio then video, and both resume with it', async (t) => {
  const router = new SfuRouterClass();
  const backend = new WeriftMediaBackend();
  const { stream, audio, video } = pausableStream();
  t.after(async () => {
    backend.close();
    stream.close();
    await router.close();
  });
  await publish(backend, router, stun, 'cam', stream);
  const sink = backend.createOutput('cam');
  const frames = recordFrames(sink);
  const { conn } = await play(backend, router, stun, 'p', 'cam', sink);
  const events: [string, boolean, number][] = [];
  conn.on('mediaBreak', (kind, broken) => events.push([kind, broken, performance.now()]));
  await until(
    () => sink.counts.videoFrames >= 5,
    () => 'video flowing',
  );
  audio.paused = true;
  video.paused = true;
  await until(
    () => events.length >= 2,
    () => `two break events, got ${JSON.stringify(events)}`,
  );
  assert.deepEqual(
    events.map(([k, b]) => [k, b]),
    [
      ['audio', true],
      ['video', true],
    ],
  );
  // Measured from the last frame of each kind before the silence.
  const audioBreakMs = events[0]![2] - frames.audio.at(-1)!.receivedAt;
  const videoBreakMs = events[1]![2] - frames.video.at(-1)!.receivedAt;
  assert.ok(audioBreakMs > 500 && audioBreakMs < 1000, `audio break after ${audioBreakMs} ms`);
  assert.ok(videoBreakMs > 1000 && videoBreakMs < 1500, `video break after ${videoBreakMs} ms`);

  audio.paused = false;
  video.paused = false;
  await until(
    () => events.length >= 4,
    () => `two resume events, got ${JSON.stringify(events)}`,
  );
  assert.deepEqual(
    events
      .slice(2)
      .map(([k, b]) => [k, b])
      .sort(),
    [
      ['audio', false],
      ['video', false],
    ],
  );
  const stats = await conn.stats();
  assert.ok(stats.audio!.totalBreakSeconds! > 0.3, `audio break ${stats.audio!.totalBreakSeconds} s`);
  assert.ok(stats.video!.totalBreakSeconds! > 0, `video break ${stats.video!.totalBreakSeconds} s`);
  t.diagnostic(
    `break detected after ${audioBreakMs.toFixed(0)} ms (audio), ${videoBreakMs.toFixed(0)} ms (video); ` +
      `break totals ${stats.audio!.totalBreakSeconds!.toFixed(2)} s / ${stats.video!.totalBreakSeconds!.toFixed(2)} s`,
  );
});

test('a publisher restart (its source stopped, then started again) is a break and a resume', async (t) => {
  const router = new SfuRouterClass();
  const backend = new WeriftMediaBackend();
  const stream = createNodeLocalStream();
  t.after(async () => {
    backend.close();
    stream.close();
    await router.close();
  });
  const first = await publish(backend, router, stun, 'cam', stream);
  assert.equal(stream.video!.running, true);
  const sink = backend.createOutput('cam');
  const frames = recordFrames(sink);
  const { conn } = await play(backend, router, stun, 'p', 'cam', sink);
  await until(
    () => frames.video.length >= 5,
    () => 'video flowing',
  );
  const events: [string, boolean][] = [];
  conn.on('mediaBreak', (kind, broken) => events.push([kind, broken]));
  first.conn.close();
  // The last user of the sources is gone: their timers stop.
  assert.equal(stream.video!.running, false);
  assert.equal(stream.audio!.running, false);
  await until(
    () => events.length === 2,
    () => `both kinds to break, got ${JSON.stringify(events)}`,
  );
  assert.deepEqual(events, [
    ['audio', true],
    ['video', true],
  ]);
  const before = frames.video.length;
  await publish(backend, router, stun, 'cam', stream);
  await until(
    () => events.length === 4,
    () => `both kinds to resume, got ${JSON.stringify(events)}`,
  );
  assert.deepEqual(events.slice(2).sort(), [
    ['audio', false],
    ['video', false],
  ]);
  // The SFU switched the player to the new publisher on a key frame.
  assert.equal(frames.video[before]!.keyframe, true);
});

test('a stream without tracks and a server without STUN URLs are refused', (t) => {
  const backend = new WeriftMediaBackend();
  t.after(() => backend.close());
  const empty = new NodeLocalStream({});
  assert.equal(backend.checkSource(empty), ErrorCode.INPUT_PARAMETER);
  assert.equal(backend.checkSource(undefined), ErrorCode.INPUT_PARAMETER);
  const stream = createNodeLocalStream({ camera: { audio: false } });
  assert.equal(backend.checkSource(stream), 0);
  assert.deepEqual(backend.trackStates(stream), { audio: false, video: true });
  assert.equal(backend.setTrackMuted(stream, 'video', true), true);
  assert.equal(backend.setTrackMuted(stream, 'audio', true), false);
  assert.deepEqual(backend.trackStates(stream), { audio: false, video: false });
  assert.throws(
    () =>
      backend.createPublishConnection({
        streamID: 's',
        source: stream,
        iceServers: [],
        iceTransportPolicy: 'all',
        serverUrl: SERVER_URL,
      }),
    (err: unknown) =>
      err instanceof ParleyError && err.code === ErrorCode.INPUT_PARAMETER && /STUN/.test(err.message),
  );
  assert.equal(backend.connectionCount, 0);
  stream.close();
  assert.equal(backend.checkSource(stream), ErrorCode.INPUT_PARAMETER);
});

test('a connection whose SFU side vanished reports failed', async (t) => {
  const router = new SfuRouterClass();
  const backend = new WeriftMediaBackend({ disconnectedTimeoutMs: 1000 });
  const stream = createNodeLocalStream();
  t.after(async () => {
    backend.close();
    stream.close();
    await router.close();
  });
  const { conn: pub, transport: upstream } = await publish(backend, router, stun, 'cam', stream);
  const sink = backend.createOutput('cam');
  const { conn: player, transport: downstream } = await play(backend, router, stun, 'p', 'cam', sink);
  await until(
    () => sink.counts.videoFrames > 3,
    () => 'media flowing',
  );
  const pubFailed = once(pub, 'failed', 5000);
  const playFailed = once(player, 'failed', 5000);
  const closedAt = performance.now();
  await Promise.all([upstream.close(), downstream.close()]);
  const [pubReason] = (await pubFailed) as [string];
  const [playReason] = (await playFailed) as [string];
  assert.match(pubReason, /nothing heard from the SFU/);
  assert.match(playReason, /nothing heard from the SFU/);
  assert.ok(pub.closed && player.closed);
  assert.equal(backend.connectionCount, 0);
  assert.equal(stream.video!.running, false);
  t.diagnostic(`failed ${(performance.now() - closedAt).toFixed(0)} ms after the SFU closed: ${pubReason}`);
});
