/**
 * What a player sees when the publisher mutes: the remote camera and microphone states, media breaks and their
 * resumption, the first frame after a resume, and the first-frame event once per play — on both faces.
 *
 * Muted video sends nothing, so the player's video breaks (after its 1 s threshold) and resumes with a key
 * frame. Muted audio sends Opus silence every 20 ms, as WebRTC stacks do for a disabled track, so the player's
 * audio never breaks: it receives unnumbered silence packets until the unmute.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { OPUS_SILENCE, silentLogger, ZegoExpressEngine } from '../../src/index.js';
import { APP, token, uniqueRoom } from '../support/fixtures.js';
import { type Subscribable, waitFor } from '../support/waitFor.js';
import { assertConsecutive, FrameLog, login, publish, startHarness } from './support/media.js';

/** Every listed event of an emitter with the time it came, as `[ms, event, ...args]`. */
class TimedLog {
  readonly entries: [number, string, ...unknown[]][] = [];
  constructor(emitter: Subscribable, events: string[]) {
    for (const event of events)
      emitter.on(event, (...args: unknown[]) => this.entries.push([performance.now(), event, ...args]));
  }
  /** The arguments of `event`'s entries. */
  of(event: string): unknown[][] {
    return this.entries.filter((e) => e[1] === event).map((e) => e.slice(2));
  }
  /** The time of the first entry of `event` with these arguments. */
  at(event: string, ...args: unknown[]): number {
    const e = this.entries.find((x) => x[1] === event && args.every((a, i) => x[i + 2] === a));
    assert.ok(e, `no ${event} ${args.join(' ')}`);
    return e[0];
  }
}

const WEB_EVENTS = [
  'remoteCameraStatusUpdate',
  'remoteMicStatusUpdate',
  'playerMediaEvent',
  'playerRecvVideoFirstFrame',
];

/**
 * Mutes the video of `mute(true)` / `mute(false)`'s stream while `log` plays it, on a player whose events go
 * to `events`; checks the break and the resume. Returns the times measured.
 */
async function videoMuteCycle(
  log: FrameLog,
  player: Subscribable,
  events: TimedLog,
  streamID: string,
  mute: (muted: boolean) => void,
  names: {
    status: string;
    media: string;
    muteValue: unknown;
    openValue: unknown;
    occur: unknown;
    resume: unknown;
  },
): Promise<{ breakAfterMs: number; resumeAfterMs: number }> {
  const broken = waitFor(player, names.media, (id, e) => id === streamID && e === names.occur, 5000);
  const mutedAt = performance.now();
  mute(true);
  await broken;
  const brokeAt = events.at(names.media, streamID, names.occur);
  // The camera state came first (over signaling), the break after the player's 1 s threshold.
  assert.ok(events.at(names.status, streamID, names.muteValue) < brokeAt, 'MUTE before the break');
  const framesWhileMuted = log.video.length;

  const resumed = waitFor(player, names.media, (id, e) => id === streamID && e === names.resume, 5000);
  const opened = waitFor(player, names.status, (id, s) => id === streamID && s === names.openValue, 5000);
  const unmutedAt = performance.now();
  mute(false);
  await Promise.all([resumed, opened]);
  await log.until((l) => l.video.length > framesWhileMuted + 2, 'video after the unmute');
  // Nothing came while muted; the first frame after the resume is a key frame, and it is the camera's next
  // frame (a muted camera makes no frames, so the numbers run on without a gap).
  const afterResume = log.video[framesWhileMuted]!;
  assert.ok(afterResume.receivedAt > unmutedAt, 'no video frame between the break and the unmute');
  assert.equal(afterResume.keyframe, true, 'the first frame after the resume is a key frame');
  assertConsecutive(
    log.video.map((f) => f.number),
    'video across the mute',
  );
  return { breakAfterMs: brokeAt - mutedAt, resumeAfterMs: afterResume.receivedAt - unmutedAt };
}

/** Mutes the audio; checks that silence flows (no break) and that the numbered packets run on after. */
async function audioMuteCycle(
  log: FrameLog,
  player: Subscribable,
  streamID: string,
  mute: (muted: boolean) => void,
  names: { status: string; muteValue: unknown; openValue: unknown },
): Promise<number> {
  const micMuted = waitFor(player, names.status, (id, s) => id === streamID && s === names.muteValue, 5000);
  const before = log.audio.length;
  mute(true);
  await micMuted;
  // A second of silence: twice the audio break threshold.
  await log.until(
    (l) => l.audio.slice(before).filter((f) => f.number === null).length >= 50,
    'a second of Opus silence',
  );
  const micOpen = waitFor(player, names.status, (id, s) => id === streamID && s === names.openValue, 5000);
  mute(false);
  await micOpen;
  const silent = log.audio.length;
  await log.until((l) => l.audio.slice(silent).some((f) => f.number !== null), 'numbered audio again');
  const during = log.audio.slice(before);
  const silence = during.filter((f) => f.number === null);
  assert.ok(
    silence.every((f) => f.data.equals(OPUS_SILENCE)),
    'unnumbered packets are Opus silence',
  );
  // Silence sits between the numbered packets, and the numbers run on across it.
  const firstSilent = during.findIndex((f) => f.number === null);
  const lastSilent = during.length - 1 - [...during].reverse().findIndex((f) => f.number === null);
  assert.ok(
    during.slice(firstSilent, lastSilent + 1).every((f) => f.number === null),
    'one run of silence',
  );
  assertConsecutive(
    log.audio.filter((f) => f.number !== null).map((f) => f.number),
    'audio across the mute',
  );
  assert.ok(
    log.audio.every(
      (f, i) => i === 0 || (f.rtpTimestamp - log.audio[i - 1]!.rtpTimestamp) >>> 0 < 0x8000_0000,
    ),
    'audio timestamps run on',
  );
  return silence.length;
}

test('web face: camera and microphone mutes reach the player as states, breaks and resumes', async (t) => {
  const h = await startHarness();
  t.after(() => h.close());
  const room = uniqueRoom('breaks');
  const publisher = h.engine();
  const player = h.engine();
  await login(publisher, room, 'brk-pub');
  await login(player, room, 'brk-viewer');
  const stream = await publisher.createZegoStream();
  await publish(publisher, 'brk-cam', stream);
  const events = new TimedLog(player, WEB_EVENTS);
  const log = new FrameLog(await player.startPlayingStream('brk-cam'));
  await log.until((l) => l.video.length >= 10, 'ten video frames');

  const video = await videoMuteCycle(
    log,
    player,
    events,
    'brk-cam',
    (m) => assert.equal(publisher.mutePublishStreamVideo(stream, m), true),
    {
      status: 'remoteCameraStatusUpdate',
      media: 'playerMediaEvent',
      muteValue: 'MUTE',
      openValue: 'OPEN',
      occur: 'VIDEO_BREAK_OCCUR',
      resume: 'VIDEO_BREAK_RESUME',
    },
  );
  const silence = await audioMuteCycle(
    log,
    player,
    'brk-cam',
    (m) => assert.equal(publisher.mutePublishStreamAudio(stream, m), true),
    { status: 'remoteMicStatusUpdate', muteValue: 'MUTE', openValue: 'OPEN' },
  );

  assert.deepEqual(events.of('remoteCameraStatusUpdate'), [
    ['brk-cam', 'OPEN'],
    ['brk-cam', 'MUTE'],
    ['brk-cam', 'OPEN'],
  ]);
  assert.deepEqual(events.of('remoteMicStatusUpdate'), [
    ['brk-cam', 'OPEN'],
    ['brk-cam', 'MUTE'],
    ['brk-cam', 'OPEN'],
  ]);
  // One break and one resume, of video only: muted audio is silence, not a break.
  assert.deepEqual(events.of('playerMediaEvent'), [
    ['brk-cam', 'VIDEO_BREAK_OCCUR'],
    ['brk-cam', 'VIDEO_BREAK_RESUME'],
  ]);
  assert.deepEqual(events.of('playerRecvVideoFirstFrame'), [['brk-cam']], 'once per play, not per resume');
  assert.deepEqual(log.sink.counts.incompleteFrames + log.sink.counts.droppedFrames, 0);
  t.diagnostic(
    `video: break ${video.breakAfterMs.toFixed(0)} ms after the mute, first frame ${video.resumeAfterMs.toFixed(0)} ms ` +
      `after the unmute; audio: ${silence} silence packets while muted, no break`,
  );
});

test('native face: numeric remote states and media events as a player; enableCamera/muteMicrophone as a publisher', async (t) => {
  const h = await startHarness();
  t.after(async () => {
    await ZegoExpressEngine.destroyEngine();
    await h.close();
  });
  const room = uniqueRoom('breaks-native');
  const native = ZegoExpressEngine.createEngine({
    appID: APP.appID,
    appSign: APP.appSign,
    scenario: 0,
    server: h.server.url,
    parley: { logger: silentLogger },
  });
  assert.equal((await native.loginRoom(room, { userID: 'native-brk' })).errorCode, 0);
  const web: ZegoExpressEngine = h.engine();
  await web.loginRoom(room, token('web-brk'), { userID: 'web-brk' });

  // The native engine plays a web stream.
  const stream = await web.createZegoStream();
  await publish(web, 'web-brk-cam', stream);
  const nativeEvents = new TimedLog(native, [
    'remoteCameraStateUpdate',
    'remoteMicStateUpdate',
    'playerMediaEvent',
    'playerRecvVideoFirstFrame',
  ]);
  const playing = waitFor(native, 'playerStateUpdate', (id, state) => id === 'web-brk-cam' && state === 2);
  const sink = native.startPlayingStream('web-brk-cam');
  assert.ok(sink);
  const nativeLog = new FrameLog(sink);
  await playing;
  await nativeLog.until((l) => l.video.length >= 10, 'ten video frames');
  const asPlayer = await videoMuteCycle(
    nativeLog,
    native,
    nativeEvents,
    'web-brk-cam',
    (m) => web.mutePublishStreamVideo(stream, m),
    {
      status: 'remoteCameraStateUpdate',
      media: 'playerMediaEvent',
      muteValue: 10,
      openValue: 0,
      occur: 2,
      resume: 3,
    },
  );
  await audioMuteCycle(nativeLog, native, 'web-brk-cam', (m) => web.mutePublishStreamAudio(stream, m), {
    status: 'remoteMicStateUpdate',
    muteValue: 10,
    openValue: 0,
  });
  assert.deepEqual(nativeEvents.of('remoteCameraStateUpdate'), [
    ['web-brk-cam', 0],
    ['web-brk-cam', 10],
    ['web-brk-cam', 0],
  ]);
  assert.deepEqual(nativeEvents.of('remoteMicStateUpdate'), [
    ['web-brk-cam', 0],
    ['web-brk-cam', 10],
    ['web-brk-cam', 0],
  ]);
  assert.deepEqual(nativeEvents.of('playerMediaEvent'), [
    ['web-brk-cam', 2],
    ['web-brk-cam', 3],
  ]);
  assert.deepEqual(nativeEvents.of('playerRecvVideoFirstFrame'), [['web-brk-cam']]);

  // The native engine publishes; the web engine plays it and sees its camera and microphone switches.
  const published = waitFor(
    native,
    'publisherStateUpdate',
    (id, state) => id === 'native-brk-cam' && state !== 1,
  );
  native.startPublishingStream('native-brk-cam');
  assert.deepEqual((await published).slice(1, 3), [2, 0]);
  const webEvents = new TimedLog(web, WEB_EVENTS);
  const webLog = new FrameLog(await web.startPlayingStream('native-brk-cam'));
  await webLog.until((l) => l.video.length >= 10, 'ten video frames');
  const asPublisher = await videoMuteCycle(
    webLog,
    web,
    webEvents,
    'native-brk-cam',
    (m) => native.enableCamera(!m),
    {
      status: 'remoteCameraStatusUpdate',
      media: 'playerMediaEvent',
      muteValue: 'MUTE',
      openValue: 'OPEN',
      occur: 'VIDEO_BREAK_OCCUR',
      resume: 'VIDEO_BREAK_RESUME',
    },
  );
  await audioMuteCycle(webLog, web, 'native-brk-cam', (m) => native.muteMicrophone(m), {
    status: 'remoteMicStatusUpdate',
    muteValue: 'MUTE',
    openValue: 'OPEN',
  });
  assert.deepEqual(webEvents.of('playerMediaEvent'), [
    ['native-brk-cam', 'VIDEO_BREAK_OCCUR'],
    ['native-brk-cam', 'VIDEO_BREAK_RESUME'],
  ]);
  assert.deepEqual(webEvents.of('playerRecvVideoFirstFrame'), [['native-brk-cam']]);
  t.diagnostic(
    `native player: break ${asPlayer.breakAfterMs.toFixed(0)} ms after the mute, resumed ${asPlayer.resumeAfterMs.toFixed(0)} ms after the unmute; ` +
      `web player of the native engine: ${asPublisher.breakAfterMs.toFixed(0)} / ${asPublisher.resumeAfterMs.toFixed(0)} ms`,
  );
});
