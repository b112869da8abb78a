/**
 * Nothing the SDK runs on a timer throws into the app. A source whose frames cannot be made (a custom source whose
 * capture fails) is logged through the engine's logger and stops, saying why in its `error`; the players are told
 * its track is off, the rest of the stream goes on, and so does the process.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  type EngineLogger,
  NodeLocalStream,
  PacedTrackSource,
  type ProducedFrame,
  type SourceOptions,
  SyntheticCamera,
  SyntheticMicrophoneSource,
} from '../../src/index.js';
import { uniqueRoom } from '../support/fixtures.js';
import { EventLog, waitFor } from '../support/waitFor.js';
import { FrameLog, login, publish, startHarness } from './support/media.js';

/**
 * A camera an app might write: the synthetic pattern until its capture "fails", after `failAfter` frames or when
 * the test says so.
 */
class FailingCamera extends PacedTrackSource {
  private readonly camera = new SyntheticCamera({ width: 64, height: 48 });
  made = 0;

  constructor(
    private failAfter: number | null,
    options: SourceOptions = {},
  ) {
    super('video', options);
  }

  /** The next frame fails. */
  breakNow(): void {
    this.failAfter = this.made;
  }

  requestKeyframe(): void {
    this.camera.requestKeyframe();
  }

  protected override onStart(): void {
    this.camera.requestKeyframe();
  }

  protected produce(): ProducedFrame {
    if (this.made === this.failAfter) throw new Error('the capture card went away');
    this.made += 1;
    return { data: this.camera.nextFrame().data, durationMs: 1000 / 30 };
  }
}

/** A logger that keeps its error entries. */
function recordingLogger(): EngineLogger & { errors: [string, Record<string, unknown> | undefined][] } {
  const errors: [string, Record<string, unknown> | undefined][] = [];
  return { debug() {}, info() {}, warn() {}, error: (msg, fields) => errors.push([msg, fields]), errors };
}

test('a source whose frame throws logs it, stops with its error, and the process goes on', async () => {
  const logger = recordingLogger();
  const source = new FailingCamera(5, { logger });
  const events: string[] = [];
  source.on('frame', () => events.push('frame'));
  source.on('error', (err) => events.push(`error: ${err.message}`));
  // A listener of the app that throws is logged too, and the other listeners still run.
  source.on('frame', () => {
    throw new Error('the app tripped');
  });
  // waitFor's deadline keeps the process up: a source's own timer never does (it is unref'd).
  const closed = waitFor(source, 'close');
  source.start();
  await closed;
  assert.deepEqual(events, [...Array(5).fill('frame'), 'error: the capture card went away']);
  assert.equal(source.error?.message, 'the capture card went away');
  assert.ok(source.closed && !source.running);
  assert.deepEqual(
    logger.errors.map(([msg, fields]) => [msg, fields?.['err']]),
    [
      ...Array(5).fill(['a listener of the video source threw', 'the app tripped']),
      ["the video source's frame timer threw", 'the capture card went away'],
    ],
  );
  // A plain close() is no failure.
  const plain = new SyntheticMicrophoneSource({ logger });
  plain.close();
  assert.equal(plain.error, null);
});

test('a published source that fails: the player is told the camera is off, audio goes on', async (t) => {
  const h = await startHarness();
  t.after(() => h.close());
  const room = uniqueRoom('failing');
  const logger = recordingLogger();
  const publisher = h.engine({ logger });
  const player = h.engine();
  await login(publisher, room, 'fail-pub');
  await login(player, room, 'fail-viewer');
  const camera = new FailingCamera(null, { logger });
  const stream = new NodeLocalStream(
    { audio: new SyntheticMicrophoneSource({ logger }), video: camera },
    { logger },
  );
  t.after(() => stream.close());
  const publisherStates = new EventLog(publisher, ['publisherStateUpdate']);
  await publish(publisher, 'fail-cam', stream);
  const events = new EventLog(player, ['remoteCameraStatusUpdate', 'remoteMicStatusUpdate']);
  const cameraOff = waitFor(player, 'remoteCameraStatusUpdate', (_s, status) => status === 'MUTE', 10_000);
  const log = new FrameLog(await player.startPlayingStream('fail-cam'));
  await log.until((l) => l.video.length >= 10, 'ten video frames');
  camera.breakNow();
  await cameraOff;
  assert.equal(camera.error?.message, 'the capture card went away');
  const audioThen = log.audio.length;
  await log.until((l) => l.audio.length >= audioThen + 25, 'half a second more audio after the failure');
  assert.ok(log.video.length <= camera.made, `${log.video.length} video frames, of ${camera.made} made`);
  assert.deepEqual(events.of('remoteCameraStatusUpdate'), [
    ['fail-cam', 'OPEN'],
    ['fail-cam', 'MUTE'],
  ]);
  assert.deepEqual(events.of('remoteMicStatusUpdate'), [['fail-cam', 'OPEN']]);
  assert.deepEqual(
    publisherStates.of('publisherStateUpdate').map(([r]) => r.state),
    ['PUBLISH_REQUESTING', 'PUBLISHING'],
    'the stream itself stays published',
  );
  assert.deepEqual(
    logger.errors.map(([msg, fields]) => [msg, fields?.['err']]),
    [["the video source's frame timer threw", 'the capture card went away']],
  );
});
