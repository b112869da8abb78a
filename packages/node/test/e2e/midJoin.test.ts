/**
 * Joining a stream that has been flowing for a while: the synthetic camera makes key frames only when asked
 * (and its first frame). The SFU keeps the last key frame and what followed it (sfu/KeyframeCache.ts, up to
 * 2 s): a player that joins within that bound starts on the cached key frame — the stream's first, frame 0 —
 * and gets every frame since; past it, or once a newer one was asked for, the SFU asks the publisher for a key
 * frame when the player's consumer starts. Either way the player's first video frame is a key frame, and
 * the frames after it are consecutive.
 *
 * The bound on the time to the first frame: negotiation on loopback (play request, offer/answer, ICE and DTLS)
 * takes some 100–300 ms; the SFU then asks the publisher for a key frame at once, or — if it asked for one
 * within its 500 ms keyframe request interval — when that interval ends; the key frame comes with the
 * publisher's next frame (≤ 67 ms at 15 fps) plus a loopback trip. Hence < 1500 ms, with room for a loaded
 * machine, for every join — including one that lands right inside the interval.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ZegoExpressEngine } from '../../src/index.js';
import { uniqueRoom } from '../support/fixtures.js';
import { waitFor } from '../support/waitFor.js';
import { assertConsecutive, FrameLog, login, publish, spread, startHarness } from './support/media.js';

const FIRST_FRAME_BOUND_MS = 1500;

interface Join {
  /** ms from startPlayingStream to PLAYING. */
  playing: number;
  /** ms from startPlayingStream to the first video frame. */
  firstFrame: number;
  log: FrameLog;
}

/** Starts playing `streamID` and measures the time to PLAYING and to the first video frame. */
async function join(e: ZegoExpressEngine, streamID: string): Promise<Join> {
  const started = performance.now();
  const sink = await e.startPlayingStream(streamID);
  const playing = performance.now() - started;
  const log = new FrameLog(sink);
  await log.until((l) => l.video.length > 0, 'a first video frame', 5000);
  return { playing, firstFrame: log.video[0]!.receivedAt - started, log };
}

test('a player joining mid-stream starts on a key frame, within one key frame request plus negotiation', async (t) => {
  const h = await startHarness();
  t.after(() => h.close());
  const room = uniqueRoom('midjoin');
  const publisher = h.engine();
  await login(publisher, room, 'mid-pub');
  const stream = await publisher.createZegoStream();
  await publish(publisher, 'mid-cam', stream);
  // Flowing for more than a second: 16 frames at 15 fps after PUBLISHING.
  let sentFrames = 0;
  const flowing = new Promise<void>((resolve) =>
    stream.video!.on('frame', () => {
      if (++sentFrames === 16) resolve();
    }),
  );
  await flowing;

  const viewers = [h.engine(), h.engine(), h.engine(), h.engine()];
  await Promise.all(viewers.map((v, i) => login(v, room, `mid-viewer-${i}`)));
  const joins: Join[] = [];
  // One alone; then two at once (their key frame requests coalesce into one PLI).
  joins.push(await join(viewers[0]!, 'mid-cam'));
  joins.push(...(await Promise.all([join(viewers[1]!, 'mid-cam'), join(viewers[2]!, 'mid-cam')])));
  // And one right after: its consumer starts a few hundred ms after the last PLI, typically inside the SFU's
  // 500 ms interval, where its request is deferred to the end of the interval (not lost).
  joins.push(await join(viewers[3]!, 'mid-cam'));

  for (const [i, j] of joins.entries()) {
    const first = j.log.video[0]!;
    assert.equal(first.keyframe, true, `viewer ${i}: the first video frame is a key frame`);
    // Key frames are frame 0 (cached) or one asked for after the 16 frames that flowed before anyone joined.
    assert.ok(
      first.number === 0 || first.number! > 15,
      `viewer ${i}: starts on the cached key frame 0 or a requested one (frame ${first.number})`,
    );
    assert.ok(
      j.firstFrame < FIRST_FRAME_BOUND_MS,
      `viewer ${i}: first frame after ${j.firstFrame.toFixed(0)} ms (bound ${FIRST_FRAME_BOUND_MS} ms)`,
    );
    assert.equal(j.log.sink.counts.videoFrames, j.log.video.length, 'no frame before the sink was returned');
  }
  // And the frames keep coming in order after the key frame.
  await Promise.all(joins.map((j) => j.log.until((l) => l.video.length >= 10, '10 frames')));
  for (const [i, j] of joins.entries()) {
    assertConsecutive(
      j.log.video.map((f) => f.number),
      `viewer ${i}`,
    );
  }
  for (const [i, j] of joins.entries()) {
    t.diagnostic(
      `viewer ${i}: PLAYING after ${j.playing.toFixed(0)} ms, first frame (key frame #${j.log.video[0]!.number}) ` +
        `after ${j.firstFrame.toFixed(0)} ms`,
    );
  }
  t.diagnostic(`first frame: ${spread(joins.map((j) => j.firstFrame))} ms`);
});

test('a player that stops and plays again starts on a key frame again, and playerRecvVideoFirstFrame comes once per play', async (t) => {
  const h = await startHarness();
  t.after(() => h.close());
  const room = uniqueRoom('replay');
  const publisher = h.engine();
  await login(publisher, room, 'replay-pub');
  await publish(publisher, 'replay-cam', await publisher.createZegoStream());
  const viewer = h.engine();
  await login(viewer, room, 'replay-viewer');
  let firstFrames = 0;
  viewer.on('playerRecvVideoFirstFrame', () => {
    firstFrames += 1;
  });
  const times: number[] = [];
  for (let round = 0; round < 3; round++) {
    const j = await join(viewer, 'replay-cam');
    await j.log.until((l) => l.video.length >= 8, 'eight frames');
    assert.equal(j.log.video[0]!.keyframe, true, `round ${round}: key frame first`);
    assertConsecutive(
      j.log.video.map((f) => f.number),
      `round ${round}`,
    );
    assert.equal(firstFrames, round + 1, `round ${round}: one playerRecvVideoFirstFrame per play`);
    times.push(j.firstFrame);
    const stopped = waitFor(viewer, 'playerStateUpdate', (r) => r.state === 'NO_PLAY');
    viewer.stopPlayingStream('replay-cam');
    assert.equal((await stopped)[0].errorCode, 0);
  }
  assert.ok(
    times.every((ms) => ms < FIRST_FRAME_BOUND_MS),
    `first frames after ${times.join(', ')} ms`,
  );
  t.diagnostic(`first frame after ${times.map((ms) => ms.toFixed(0)).join(', ')} ms`);
});
