import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type TestContext, test } from 'node:test';
import { writeIvf } from '../../src/media/ivf.js';
import {
  createFlatPicture,
  type FlatPicture,
  flatPictureToI420,
  setMacroblock,
} from '../../src/media/synth/FlatPicture.js';
import { encodeFlatVp8Frame } from '../../src/media/synth/vp8FlatEncoder.js';
import { requireDecoders, runFfmpeg } from './synthFfmpeg.js';

/** mulberry32, so a failing picture reproduces. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

type Painter = (col: number, row: number) => { y: number; u: number; v: number };

function paint(mbCols: number, mbRows: number, painter: Painter): FlatPicture {
  const picture = createFlatPicture(mbCols, mbRows, { y: 0, u: 0, v: 0 });
  for (let row = 0; row < mbRows; row++) {
    for (let col = 0; col < mbCols; col++) setMacroblock(picture, col, row, painter(col, row));
  }
  return picture;
}

/** Pictures that exercise every prediction mode, the largest residuals and clamped TM predictions. */
function pictures(mbCols: number, mbRows: number): FlatPicture[] {
  const rand = random(mbCols * 100 + mbRows);
  const byte = () => Math.floor(rand() * 256);
  return [
    paint(mbCols, mbRows, () => ({ y: byte(), u: byte(), v: byte() })), // nothing predicts: all coded
    paint(mbCols, mbRows, (c, r) => ({ y: 20 + 9 * c + 5 * r, u: 200 - 3 * c - 7 * r, v: 60 + 4 * c })), // TM exact
    paint(mbCols, mbRows, (c) => ({ y: (c * 37) % 256, u: 128, v: (c * 91) % 256 })), // V exact below row 0
    paint(mbCols, mbRows, (_, r) => ({ y: (r * 53) % 256, u: (r * 29) % 256, v: 128 })), // H exact
    paint(mbCols, mbRows, (c, r) => {
      const on = (c + r) % 2 === 0 ? 255 : 0; // a checkerboard: deltas of ±255, TM clamps
      return { y: on, u: 255 - on, v: on };
    }),
    paint(mbCols, mbRows, () => ({ y: 128, u: 128, v: 128 })), // everything skipped
  ];
}

async function decodeAll(file: string, decoder: string) {
  return runFfmpeg([
    ...['-v', 'error', '-c:v', decoder, '-i', file],
    ...['-fps_mode', 'passthrough', '-f', 'rawvideo', '-pix_fmt', 'yuv420p', '-'],
  ]);
}

for (const [mbCols, mbRows] of [
  [20, 15],
  [1, 1],
  [3, 2],
  [7, 9],
]) {
  const size = `${mbCols * 16}x${mbRows * 16}`;
  test(`${size}: hard pictures, as key and inter frames, decode exactly in vp8 and libvpx`, async (t: TestContext) => {
    if (!(await requireDecoders(t, ['vp8', 'libvpx']))) return;
    const all = pictures(mbCols as number, mbRows as number);
    // Each picture once as a key frame and once as an inter frame after a different picture.
    const sequence = all.flatMap((p, i) => [
      { picture: p, keyframe: true },
      { picture: all[(i + 1) % all.length] as FlatPicture, keyframe: false },
    ]);
    const frames = sequence.map((s, pts) => ({ pts, data: encodeFlatVp8Frame(s.picture, s) }));
    const dir = await mkdtemp(join(tmpdir(), 'parley-vp8-'));
    try {
      const file = join(dir, 'in.ivf');
      const header = { fourcc: 'VP80', timebaseNumerator: 1, timebaseDenominator: 30, frameCount: 0 };
      await writeFile(file, writeIvf({ ...header, width: mbCols * 16, height: mbRows * 16 }, frames));
      const expected = Buffer.concat(sequence.map((s) => flatPictureToI420(s.picture)));
      for (const decoder of ['vp8', 'libvpx']) {
        const { stdout, stderr, code } = await decodeAll(file, decoder);
        assert.equal(stderr, '', decoder);
        assert.equal(code, 0);
        assert.equal(stdout.length, expected.length, `${decoder}: ${sequence.length} frames`);
        const frameBytes = expected.length / sequence.length;
        for (let i = 0; i < sequence.length; i++) {
          const at = i * frameBytes;
          assert.ok(
            stdout.subarray(at, at + frameBytes).equals(expected.subarray(at, at + frameBytes)),
            `${decoder}: ${size} frame ${i} differs`,
          );
        }
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
}

test('predictable pictures cost a fraction of unpredictable ones', () => {
  const [noise, gradient, , , , grey] = pictures(20, 15).map((p) =>
    encodeFlatVp8Frame(p, { keyframe: true }),
  );
  assert.ok((gradient?.length ?? 0) * 4 < (noise?.length ?? 0), `${gradient?.length} vs ${noise?.length}`);
  // A grey frame is only modes: about 3.4 bits for each of the 300 macroblocks of a key frame.
  assert.ok((grey?.length ?? 0) < 170, `a grey frame takes ${grey?.length} bytes`);
});

test('the encoder rejects pictures whose planes do not match their size', () => {
  const picture = createFlatPicture(2, 2, { y: 1, u: 2, v: 3 });
  assert.throws(
    () => encodeFlatVp8Frame({ ...picture, y: new Uint8Array(3) }, { keyframe: true }),
    TypeError,
  );
  assert.throws(() => createFlatPicture(0, 1, { y: 0, u: 0, v: 0 }), TypeError);
  assert.throws(
    () => encodeFlatVp8Frame(createFlatPicture(1024, 1, { y: 0, u: 0, v: 0 }), { keyframe: true }),
    RangeError,
  );
});
