import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type TestContext, test } from 'node:test';
import { type IvfFrame, parseIvf, writeIvf } from '../../src/media/ivf.js';
import { RtpClockRate, RtpSequencer } from '../../src/media/RtpSequencer.js';
import { flatPictureToI420, sampleI420Macroblocks } from '../../src/media/synth/FlatPicture.js';
import { SharedFrames } from '../../src/media/synth/SharedFrames.js';
import {
  type EncodedVideoFrame,
  readSyntheticFrameNumber,
  SyntheticCamera,
} from '../../src/media/synth/SyntheticCamera.js';
import { drawTestPattern, readTestPatternNumber } from '../../src/media/synth/testPattern.js';
import { isVp8Keyframe, Vp8RtpDepacketizer, Vp8RtpPacketizer } from '../../src/media/vp8Rtp.js';
import { readSample } from './samples.js';
import { requireDecoders, runFfmpeg } from './synthFfmpeg.js';

const WIDTH = 320;
const HEIGHT = 240;
const FRAME_BYTES = (WIDTH * HEIGHT * 3) / 2;

/** 60 frames at 320x240, key frames at 0 and (requested) at 30. */
function sixtyFrames(): EncodedVideoFrame[] {
  const camera = new SyntheticCamera({ width: WIDTH, height: HEIGHT, fps: 30 });
  return Array.from({ length: 60 }, (_, i) => {
    if (i === 30) camera.requestKeyframe();
    return camera.nextFrame();
  });
}

function toIvf(frames: readonly IvfFrame[]): Buffer {
  const header = {
    fourcc: 'VP80',
    width: WIDTH,
    height: HEIGHT,
    timebaseNumerator: 1,
    timebaseDenominator: 30,
  };
  return writeIvf({ ...header, frameCount: 0 }, frames);
}

/** Decodes an IVF file with ffmpeg's `decoder` to raw yuv420p, one output frame per decoded frame. */
async function decode(ivf: Buffer, decoder: string) {
  const dir = await mkdtemp(join(tmpdir(), 'parley-synth-'));
  try {
    const file = join(dir, 'in.ivf');
    await writeFile(file, ivf);
    return await runFfmpeg([
      ...['-v', 'error', '-c:v', decoder, '-i', file],
      ...['-fps_mode', 'passthrough', '-f', 'rawvideo', '-pix_fmt', 'yuv420p', '-'],
    ]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Asserts decoded frame `i` of `out` is, pixel for pixel, pattern frame `index`. */
function assertPicture(out: Buffer, i: number, index: number, decoder: string): void {
  const decoded = out.subarray(i * FRAME_BYTES, (i + 1) * FRAME_BYTES);
  const expected = drawTestPattern(index, WIDTH / 16, HEIGHT / 16);
  const sampled = sampleI420Macroblocks(decoded, WIDTH / 16, HEIGHT / 16);
  // Macroblock centres first, for a readable failure; then every pixel, which must be flat and exact.
  for (const plane of ['y', 'u', 'v'] as const) {
    const wrong = sampled[plane].findIndex((value, mb) => value !== expected[plane][mb]);
    assert.equal(wrong, -1, `${decoder}: frame ${index} ${plane} of macroblock ${wrong}`);
  }
  assert.ok(decoded.equals(flatPictureToI420(expected)), `${decoder}: frame ${index} is not flat and exact`);
  assert.equal(readTestPatternNumber(sampled), index, `${decoder}: digits of frame ${index}`);
}

test('key frames come first, on request and every keyframeInterval frames; the header says 320x240', () => {
  const frames = sixtyFrames();
  assert.deepEqual(
    frames.flatMap((f) => (f.keyframe ? [f.index] : [])),
    [0, 30],
  );
  for (const f of frames) {
    assert.equal(isVp8Keyframe(f.data), f.keyframe, `frame ${f.index} tag`);
    assert.deepEqual([f.width, f.height], [WIDTH, HEIGHT]);
  }
  const key = frames[0]?.data as Buffer;
  assert.deepEqual([...key.subarray(3, 6)], [0x9d, 0x01, 0x2a], 'key frame start code');
  assert.deepEqual([key.readUInt16LE(6), key.readUInt16LE(8)], [WIDTH, HEIGHT]);
  assert.equal((key[0] as number) & 0x10, 0x10, 'show_frame');

  const periodic = new SyntheticCamera({ width: 64, height: 48, keyframeInterval: 10 });
  const keys = Array.from({ length: 25 }, () => periodic.nextFrame()).filter((f) => f.keyframe);
  assert.deepEqual(
    keys.map((f) => f.index),
    [0, 10, 20],
  );
});

test('cameras share the frames they draw, each getting a copy of its own', () => {
  const a = new SyntheticCamera({ width: 48, height: 32 });
  const b = new SyntheticCamera({ width: 48, height: 32 });
  const first = Array.from({ length: 20 }, () => a.nextFrame());
  b.nextFrame();
  b.requestKeyframe();
  const second = Array.from({ length: 19 }, () => b.nextFrame());
  assert.equal(second[0]?.keyframe, true, 'a requested key frame');
  assert.equal(first[1]?.keyframe, false);
  assert.ok(
    !second[0]?.data.equals(first[1]!.data),
    'a key frame is not the cached delta frame of its number',
  );
  for (let i = 2; i < 20; i++) assert.deepEqual(second[i - 1]?.data, first[i]?.data, `frame ${i}`);
  // A consumer that writes into its frame changes no other camera's.
  first[5]!.data.fill(0);
  const c = new SyntheticCamera({ width: 48, height: 32 });
  const again = Array.from({ length: 6 }, () => c.nextFrame());
  assert.equal(readSyntheticFrameNumber(again[5]!.data), 5);
});

test('the shared frames stay within their byte budget, dropping the least recently used first', () => {
  const frames = new SharedFrames(1000);
  let made = 0;
  const make = (fill: number) => () => {
    made += 1;
    return Buffer.alloc(300, fill);
  };
  frames.get('a', make(1));
  frames.get('b', make(2));
  frames.get('c', make(3));
  assert.deepEqual([frames.count, frames.size, made], [3, 900, 3]);
  assert.deepEqual(frames.get('a', make(9)), Buffer.alloc(300, 1), 'a hit returns the frame made first');
  assert.equal(made, 3);
  frames.get('d', make(4)); // 1200 bytes: 'b', the least recently used, goes
  assert.deepEqual([frames.count, frames.size], [3, 900]);
  frames.get('b', make(5));
  assert.equal(made, 5, "'b' was made again");
  frames.get('huge', () => Buffer.alloc(2000));
  assert.deepEqual([frames.count, frames.size], [3, 900], 'a frame larger than the budget is not kept');
  assert.throws(() => new SharedFrames(-1), TypeError);
});

test('bad camera options are TypeErrors', () => {
  assert.throws(() => new SyntheticCamera({ width: 100 }), TypeError);
  assert.throws(() => new SyntheticCamera({ height: 0 }), TypeError);
  assert.throws(() => new SyntheticCamera({ width: 16384 }), TypeError);
  assert.throws(() => new SyntheticCamera({ fps: 0 }), TypeError);
  assert.throws(() => new SyntheticCamera({ keyframeInterval: 1.5 }), TypeError);
  assert.equal(new SyntheticCamera({ width: 16, height: 16 }).nextFrame().width, 16);
});

test('the pattern moves and its digits show the frame number', () => {
  for (let i = 0; i < 200; i++) {
    const picture = drawTestPattern(i, 20, 15);
    assert.equal(readTestPatternNumber(picture), i);
    const next = drawTestPattern(i + 1, 20, 15);
    assert.ok(!Buffer.from(picture.y).equals(Buffer.from(next.y)), `frame ${i + 1} differs from ${i}`);
  }
  // The digits area (rows 1-5) changes between consecutive frames, not only the bars.
  const digitRows = (i: number) => Buffer.from(drawTestPattern(i, 20, 15).y.subarray(20, 20 * 6));
  assert.ok(!digitRows(7).equals(digitRows(8)));
  assert.equal(readTestPatternNumber(drawTestPattern(123_456, 20, 15)), 23_456, 'the last 5 digits');
  assert.equal(readTestPatternNumber(drawTestPattern(5, 4, 4)), null, 'too small for digits');
});

for (const decoder of ['vp8', 'libvpx']) {
  test(`ffmpeg's ${decoder} decoder outputs exactly the pattern for all 60 frames`, async (t: TestContext) => {
    if (!(await requireDecoders(t, [decoder]))) return;
    const frames = sixtyFrames();
    const result = await decode(toIvf(frames.map((f) => ({ pts: f.index, data: f.data }))), decoder);
    assert.equal(result.stderr, '', 'no decoder errors or warnings');
    assert.equal(result.code, 0);
    assert.equal(result.stdout.length, 60 * FRAME_BYTES, 'exactly 60 decoded frames');
    for (let i = 0; i < 60; i++) assertPicture(result.stdout, i, i, decoder);
  });

  test(`${decoder} cannot decode inter frames until a key frame arrives`, async (t: TestContext) => {
    if (!(await requireDecoders(t, [decoder]))) return;
    const frames = sixtyFrames();
    const lone = await decode(toIvf([{ pts: 1, data: frames[1]?.data as Buffer }]), decoder);
    assert.equal(lone.stdout.length, 0, 'a lone inter frame gives no picture');
    assert.ok(lone.code !== 0 || lone.stderr !== '', 'and the decoder says so');

    // Joining the stream at frame 1: frames 1-29 are undecodable, 30 (key) onwards decode exactly.
    const joined = await decode(toIvf(frames.slice(1).map((f) => ({ pts: f.index, data: f.data }))), decoder);
    assert.equal(joined.stdout.length, 30 * FRAME_BYTES, `${decoder}: ${joined.stderr}`);
    for (let i = 0; i < 30; i++) assertPicture(joined.stdout, i, 30 + i, decoder);
  });
}

test('readSyntheticFrameNumber reads each frame number and rejects damaged and foreign frames', async () => {
  const frames = sixtyFrames();
  assert.deepEqual(
    frames.map((f) => readSyntheticFrameNumber(f.data)),
    [...Array(60).keys()],
  );
  const frame = frames[42]?.data as Buffer;
  for (const at of [
    0,
    5,
    Math.floor(frame.length / 2),
    frame.length - 13,
    frame.length - 10,
    frame.length - 1,
  ]) {
    const damaged = Buffer.from(frame);
    damaged[at] = (damaged[at] as number) ^ 0x04;
    assert.equal(readSyntheticFrameNumber(damaged), null, `byte ${at} flipped`);
  }
  assert.equal(readSyntheticFrameNumber(frame.subarray(0, frame.length - 1)), null, 'truncated');
  assert.equal(readSyntheticFrameNumber(new Uint8Array(0)), null);
  assert.equal(readSyntheticFrameNumber(frame.subarray(frame.length - 12)), null, 'a tag alone');
  const { frames: foreign } = parseIvf(await readSample('testsrc.ivf'));
  for (const f of foreign) assert.equal(readSyntheticFrameNumber(f.data), null);
});

test('frame numbers survive VP8 RTP packetization: the receiver reads them from reassembled frames', () => {
  const frames = sixtyFrames();
  const sequencer = new RtpSequencer({ payloadType: 96, clockRate: RtpClockRate.video, ssrc: 7 });
  const packetizer = new Vp8RtpPacketizer({ maxPayloadSize: 200, pictureId: 0 });
  const depacketizer = new Vp8RtpDepacketizer();
  const received: (number | null)[] = [];
  let packets = 0;
  for (const f of frames) {
    for (const rtp of sequencer.frame(packetizer.packetize(f.data), f.index * 3000)) {
      packets++;
      for (const e of depacketizer.push(rtp)) {
        if (e.type === 'frame') received.push(readSyntheticFrameNumber(e.frame.data));
      }
    }
  }
  assert.ok(packets > 2 * frames.length, 'frames span several packets');
  assert.deepEqual(received, [...Array(60).keys()]);
});

test('frames of the default 320x240 pattern are small', () => {
  const frames = sixtyFrames();
  const key = frames.filter((f) => f.keyframe).map((f) => f.data.length);
  const inter = frames.filter((f) => !f.keyframe).map((f) => f.data.length);
  // Only the edges of the bars, the square and the digits need residuals: about 500 bytes a frame.
  assert.ok(Math.max(...key) < 1000, `key frames ${key}`);
  assert.ok(Math.max(...inter) < 1000, `inter frames up to ${Math.max(...inter)}`);
  assert.ok(Math.min(...inter) > 100, `inter frames from ${Math.min(...inter)}`);
});
