import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MediaFormatError } from '../../src/media/MediaFormatError.js';
import { opusPacketSamples } from '../../src/media/opusToc.js';
import { padOpusPacket, parseOpusPacket } from '../../src/media/synth/opusPadding.js';

const CELT_20MS_STEREO = (31 << 3) | 4; // config 31 (CELT FB 20 ms), stereo
const SILK_10MS = 0 << 3; // config 0 (SILK NB 10 ms), mono

function bytes(length: number, seed: number): Buffer {
  return Buffer.from(Array.from({ length }, (_, i) => (i * 31 + seed) & 0xff));
}

function hex(frames: Uint8Array[]): string[] {
  return frames.map((f) => Buffer.from(f).toString('hex'));
}

test('packets of every frame-count code keep their frames and duration when padded', () => {
  const a = bytes(40, 1);
  const b = bytes(300, 2); // long enough for a two-byte frame length
  const cases: { name: string; packet: Buffer; frames: Buffer[] }[] = [
    { name: 'code 0', packet: Buffer.concat([Buffer.of(CELT_20MS_STEREO), a]), frames: [a] },
    {
      name: 'code 1',
      packet: Buffer.concat([Buffer.of(SILK_10MS | 1), a, bytes(40, 3)]),
      frames: [a, bytes(40, 3)],
    },
    // 300 = 252 + 4 * 12: the two-byte length [252, 12].
    { name: 'code 2', packet: Buffer.concat([Buffer.of(SILK_10MS | 2, 252, 12), b, a]), frames: [b, a] },
    {
      name: 'code 3 VBR with padding',
      packet: Buffer.concat([
        Buffer.of(SILK_10MS | 3, 0xc3, 2, 40, 3),
        a,
        bytes(3, 4),
        bytes(5, 5),
        Buffer.of(0, 0),
      ]),
      frames: [a, bytes(3, 4), bytes(5, 5)],
    },
  ];
  for (const { name, packet, frames } of cases) {
    assert.deepEqual(hex(parseOpusPacket(packet).frames), hex(frames), `${name} parses`);
    for (const paddingLength of [0, 1, 13, 254, 255, 508, 600]) {
      const padding = bytes(paddingLength, 9);
      const padded = padOpusPacket(packet, padding);
      const parts = parseOpusPacket(padded);
      assert.equal((padded[0] as number) & 3, 3, `${name}: code 3`);
      assert.equal((padded[0] as number) & 0xfc, (packet[0] as number) & 0xfc, `${name}: same configuration`);
      assert.deepEqual(hex(parts.frames), hex(frames), `${name} + ${paddingLength} bytes: frames`);
      assert.ok(Buffer.from(parts.padding).equals(padding), `${name} + ${paddingLength} bytes: padding`);
      assert.equal(opusPacketSamples(padded), opusPacketSamples(packet), `${name}: duration`);
    }
  }
});

test('padding lengths use 255 for "254 bytes and more follow"', () => {
  const packet = Buffer.of(CELT_20MS_STEREO, 1, 2, 3);
  assert.deepEqual(
    [...padOpusPacket(packet, bytes(254, 0)).subarray(0, 3)],
    [CELT_20MS_STEREO | 3, 0x41, 254],
  );
  assert.deepEqual(
    [...padOpusPacket(packet, bytes(255, 0)).subarray(0, 4)],
    [CELT_20MS_STEREO | 3, 0x41, 255, 1],
  );
  assert.deepEqual(
    [...padOpusPacket(packet, bytes(508, 0)).subarray(0, 4)],
    [CELT_20MS_STEREO | 3, 0x41, 255, 254],
  );
  assert.deepEqual(
    [...padOpusPacket(packet, bytes(509, 0)).subarray(0, 5)],
    [CELT_20MS_STEREO | 3, 0x41, 255, 255, 1],
  );
  // No padding: the P flag stays clear and no length byte is written.
  assert.deepEqual([...padOpusPacket(packet, new Uint8Array(0))], [CELT_20MS_STEREO | 3, 0x01, 1, 2, 3]);
});

test('malformed framing is a MediaFormatError', () => {
  const isFormatError = (e: unknown) => e instanceof MediaFormatError;
  assert.throws(() => parseOpusPacket(new Uint8Array(0)), isFormatError);
  assert.throws(
    () => parseOpusPacket(Buffer.of(SILK_10MS | 1, 1, 2, 3)),
    isFormatError,
    'odd code-1 payload',
  );
  assert.throws(
    () => parseOpusPacket(Buffer.of(SILK_10MS | 2, 10, 1, 2)),
    isFormatError,
    'code-2 length too long',
  );
  assert.throws(
    () => parseOpusPacket(Buffer.of(SILK_10MS | 3, 0x42, 200, 1)),
    isFormatError,
    'padding too long',
  );
  assert.throws(
    () => parseOpusPacket(Buffer.of(SILK_10MS | 3, 0x02, 1, 2, 3)),
    isFormatError,
    'uneven CBR frames',
  );
  assert.throws(
    () => parseOpusPacket(Buffer.of(SILK_10MS | 3, 0x41, 255)),
    isFormatError,
    'unfinished padding length',
  );
  assert.throws(
    () => parseOpusPacket(Buffer.of(CELT_20MS_STEREO, ...bytes(1276, 0))),
    isFormatError,
    'frame too long',
  );
});
