import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseIvf, parseIvfHeader, serializeIvfHeader, writeIvf } from '../../src/media/ivf.js';
import { MediaFormatError } from '../../src/media/MediaFormatError.js';
import { isVp8Keyframe } from '../../src/media/vp8Rtp.js';
import { readSample } from './samples.js';

function assertFormatError(fn: () => unknown, code: string, message?: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof MediaFormatError, `expected MediaFormatError, got ${String(e)}`);
    assert.equal(e.code, code);
    if (message) assert.match(e.message, message);
    return true;
  });
}

test('reads the VP8 sample: header, 30 frames at 15 fps, a key frame every second', async () => {
  const { header, frames } = parseIvf(await readSample('testsrc.ivf'));
  assert.equal(header.fourcc, 'VP80');
  assert.equal(header.width, 320);
  assert.equal(header.height, 240);
  assert.equal(header.timebaseNumerator, 1);
  assert.equal(header.timebaseDenominator, 15);
  assert.equal(frames.length, 30);
  assert.deepEqual(
    frames.map((f) => f.pts),
    [...Array(30).keys()],
  );
  const keyframes = frames.flatMap((f, i) => (isVp8Keyframe(f.data) ? [i] : []));
  assert.deepEqual(keyframes, [0, 15]);
});

test('writing the parsed frames back gives the same bytes', async () => {
  const original = await readSample('testsrc.ivf');
  const { header, frames } = parseIvf(original);
  const written = writeIvf(header, frames);
  assert.deepEqual(parseIvf(written), { header: { ...header, frameCount: frames.length }, frames });
  assert.ok(written.equals(original), 'ffmpeg and our writer should agree byte for byte');
});

test('truncation anywhere is an error naming the part that was cut', async () => {
  const bytes = await readSample('testsrc.ivf');
  assertFormatError(() => parseIvf(bytes.subarray(0, 20)), 'truncated', /IVF header/);
  assertFormatError(
    () => parseIvf(bytes.subarray(0, 32 + 5)),
    'truncated',
    /IVF frame header truncated at byte 32/,
  );
  assertFormatError(() => parseIvf(bytes.subarray(0, bytes.length - 1)), 'truncated', /IVF frame truncated/);
});

test('bad signature, version and timebase are rejected', () => {
  const header = serializeIvfHeader({
    fourcc: 'VP80',
    width: 2,
    height: 2,
    timebaseNumerator: 1,
    timebaseDenominator: 30,
    frameCount: 0,
  });
  assert.equal(parseIvfHeader(header).timebaseDenominator, 30);
  const badMagic = Uint8Array.from(header);
  badMagic[0] = 0x58;
  assertFormatError(() => parseIvfHeader(badMagic), 'bad-signature');
  const badVersion = Uint8Array.from(header);
  badVersion[4] = 1;
  assertFormatError(() => parseIvfHeader(badVersion), 'unsupported');
  const zeroRate = Uint8Array.from(header);
  zeroRate.fill(0, 16, 20);
  assertFormatError(() => parseIvfHeader(zeroRate), 'bad-structure');
  assert.throws(
    () =>
      serializeIvfHeader({
        fourcc: 'VP8',
        width: 1,
        height: 1,
        timebaseNumerator: 1,
        timebaseDenominator: 1,
        frameCount: 0,
      }),
    TypeError,
  );
});
