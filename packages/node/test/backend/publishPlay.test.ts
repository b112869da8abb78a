/**
 * The werift backend against a real SfuRouter on loopback: a synthetic camera and microphone published once and
 * played by several connections, frame by frame.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { MediaKind } from '@parley/engine';
import {
  createNodeLocalStream,
  type EncodedFrame,
  type ReceivedFrame,
  WeriftMediaBackend,
} from '../../src/media/backend/index.js';
import { readSyntheticFrameNumber } from '../../src/media/synth/SyntheticCamera.js';
import { readSyntheticPacketNumber } from '../../src/media/synth/SyntheticMicrophone.js';
import { type LoopbackStun, startLoopbackStun } from './support/loopbackStun.js';
import { once, play, publish, recordFrames, until } from './support/media.js';
import { SfuRouterClass } from './support/sfu.js';

let stun: LoopbackStun;
before(async () => {
  stun = await startLoopbackStun();
});
after(() => stun.close());

const numberOf = (kind: MediaKind, data: Buffer): number => {
  const n = kind === 'video' ? readSyntheticFrameNumber(data) : readSyntheticPacketNumber(data);
  assert.notEqual(n, null, `a received ${kind} frame carries no synthetic number`);
  return n!;
};

/** What the sources emitted, by kind and synthetic number. */
function recordSent(stream: ReturnType<typeof createNodeLocalStream>) {
  const sent: Record<MediaKind, Map<number, EncodedFrame>> = { audio: new Map(), video: new Map() };
  for (const track of stream.tracks) track.on('frame', (f) => sent[f.kind].set(numberOf(f.kind, f.data), f));
  return sent;
}

test('three players receive every frame in order, byte-identical, with first frames of both kinds', async (t) => {
  const router = new SfuRouterClass();
  const backend = new WeriftMediaBackend();
  const stream = createNodeLocalStream();
  t.after(async () => {
    backend.close();
    stream.close();
    await router.close();
  });
  const sent = recordSent(stream);
  await publish(backend, router, stun, 'cam', stream);

  const players: { frames: Record<MediaKind, ReceivedFrame[]>; first: Set<MediaKind>; firstMs: number[] }[] =
    [];
  for (let i = 0; i < 3; i++) {
    const sink = backend.createOutput('cam');
    const frames = recordFrames(sink);
    const started = performance.now();
    const { conn } = await play(backend, router, stun, `p${i}`, 'cam', sink);
    const player = { frames, first: new Set<MediaKind>(), firstMs: [] as number[] };
    conn.on('firstFrame', (kind) => {
      player.first.add(kind);
      player.firstMs.push(Math.round(performance.now() - started));
    });
    players.push(player);
  }
  // Two seconds of media for everyone: 30 video frames at 15 fps.
  await until(
    () => players.every((p) => p.frames.video.length >= 30 && p.frames.audio.length >= 100),
    () => `30 video frames per player, got ${players.map((p) => p.frames.video.length)}`,
  );
  for (const p of players) assert.deepEqual([...p.first].sort(), ['audio', 'video']);

  for (const kind of ['audio', 'video'] as const) {
    // The window every player covers: from the last player's first frame to what had been sent by now.
    const lo = Math.max(...players.map((p) => numberOf(kind, p.frames[kind][0]!.data)));
    const hi = Math.max(...sent[kind].keys());
    await until(
      () => players.every((p) => numberOf(kind, p.frames[kind].at(-1)!.data) >= hi),
      () => `every player to receive ${kind} frame ${hi}`,
    );
    for (const [i, p] of players.entries()) {
      const first = p.frames[kind][0]!;
      if (kind === 'video') assert.ok(first.keyframe, `player ${i} started on a delta frame`);
      const numbers = p.frames[kind].map((f) => numberOf(kind, f.data));
      const start = numbers.indexOf(lo);
      const window = numbers.slice(start, start + (hi - lo + 1));
      assert.deepEqual(window, range(lo, hi), `player ${i} ${kind}: frames missing or out of order`);
      for (const f of p.frames[kind].slice(start, start + window.length)) {
        assert.ok(
          f.data.equals(sent[kind].get(numberOf(kind, f.data))!.data),
          `player ${i}: ${kind} bytes differ`,
        );
      }
      // Everything from its own first frame on is contiguous too.
      assert.deepEqual(numbers, range(numbers[0]!, numbers.at(-1)!), `player ${i} ${kind}: a gap`);
    }
    t.diagnostic(`${kind}: frames ${lo}..${hi} (${hi - lo + 1}) identical at all 3 players`);
  }
  t.diagnostic(`first frames after play() (ms): ${players.map((p) => p.firstMs.join('/')).join(', ')}`);
});

test('a player joining mid-stream starts on a key frame, promptly', async (t) => {
  const router = new SfuRouterClass();
  const backend = new WeriftMediaBackend();
  const stream = createNodeLocalStream();
  t.after(async () => {
    backend.close();
    stream.close();
    await router.close();
  });
  const { conn: pub } = await publish(backend, router, stun, 'cam', stream);
  const early = backend.createOutput('cam');
  const earlyFrames = recordFrames(early);
  await play(backend, router, stun, 'early', 'cam', early);
  // Well into the stream: past the first key frame, so the joiner needs a new one.
  await until(
    () => earlyFrames.video.length >= 20,
    () => 'the first player to get 20 frames',
  );
  const keyframesBefore = earlyFrames.video.filter((f) => f.keyframe).length;

  const late = backend.createOutput('cam');
  const lateFrames = recordFrames(late);
  const joinedAt = performance.now();
  const { conn } = await play(backend, router, stun, 'late', 'cam', late);
  const connectedMs = performance.now() - joinedAt;
  const [kind] = await once(conn, 'firstFrame');
  await until(
    () => lateFrames.video.length > 0,
    () => 'a video frame at the late player',
  );
  const firstVideoMs = lateFrames.video[0]!.receivedAt - joinedAt;
  assert.equal(lateFrames.video[0]!.keyframe, true);
  assert.ok(firstVideoMs < 1500, `first video frame after ${firstVideoMs} ms`);
  // The key frame was made for the joiner (the camera only makes them on request), and the early player got it
  // too, without a break.
  await until(
    () => earlyFrames.video.filter((f) => f.keyframe).length > keyframesBefore,
    () => 'the new key frame at the early player',
  );
  const pubStats = await pub.stats();
  assert.ok((pubStats.video?.pliCount ?? 0) >= 1, 'the SFU asked the publisher for a key frame');
  t.diagnostic(
    `late join: connected in ${connectedMs.toFixed(0)} ms, first ${kind} frame, first video (key) frame ` +
      `${firstVideoMs.toFixed(0)} ms after play(), ${(firstVideoMs - connectedMs).toFixed(0)} ms after connected`,
  );
});

function range(lo: number, hi: number): number[] {
  return Array.from({ length: hi - lo + 1 }, (_, i) => lo + i);
}
