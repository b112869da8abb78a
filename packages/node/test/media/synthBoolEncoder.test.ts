import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BoolEncoder } from '../../src/media/synth/BoolEncoder.js';

/** The boolean decoder of RFC 6386 §7.3, written out independently of the encoder. */
class BoolDecoder {
  private value: number;
  private range = 255;
  private bitCount = 0;
  private offset = 2;

  constructor(private readonly bytes: Uint8Array) {
    this.value = ((bytes[0] ?? 0) << 8) | (bytes[1] ?? 0);
  }

  readBool(probability: number): boolean {
    const split = 1 + (((this.range - 1) * probability) >> 8);
    const bigSplit = split << 8;
    let bit: boolean;
    if (this.value >= bigSplit) {
      bit = true;
      this.range -= split;
      this.value -= bigSplit;
    } else {
      bit = false;
      this.range = split;
    }
    while (this.range < 128) {
      this.value <<= 1;
      this.range <<= 1;
      if (++this.bitCount === 8) {
        this.bitCount = 0;
        this.value |= this.bytes[this.offset++] ?? 0;
      }
    }
    return bit;
  }

  readLiteral(bits: number): number {
    let v = 0;
    for (let i = 0; i < bits; i++) v = (v << 1) | (this.readBool(128) ? 1 : 0);
    return v;
  }
}

/** mulberry32: a small seeded generator, so a failure reproduces. */
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

function roundTrip(symbols: { bit: boolean; prob: number }[]): Uint8Array {
  const e = new BoolEncoder();
  for (const s of symbols) e.writeBool(s.bit, s.prob);
  const bytes = e.finish();
  const d = new BoolDecoder(bytes);
  const decoded = symbols.map((s) => d.readBool(s.prob));
  const firstWrong = decoded.findIndex((bit, i) => bit !== symbols[i]?.bit);
  assert.equal(firstWrong, -1, `bit ${firstWrong} of ${symbols.length} decoded wrong`);
  return bytes;
}

test('random bits at random probabilities decode back exactly', () => {
  for (const seed of [1, 2, 3, 4, 5]) {
    const rand = random(seed);
    const symbols = Array.from({ length: 20_000 }, () => {
      const prob = 1 + Math.floor(rand() * 255);
      // Mostly follow the probability, as real data does, but often go against it.
      const bit = rand() < 0.8 ? rand() * 256 >= prob : rand() < 0.5;
      return { bit, prob };
    });
    const bytes = roundTrip(symbols);
    assert.ok(bytes.length > 100, `seed ${seed}: only ${bytes.length} bytes`);
  }
});

test('improbable bits at the extreme probabilities, which carry through 0xff bytes, decode back', () => {
  const rand = random(99);
  const symbols = Array.from({ length: 30_000 }, () => {
    const prob = rand() < 0.5 ? 1 : 255;
    return { bit: prob === 255 ? rand() < 0.3 : rand() < 0.97, prob };
  });
  const bytes = roundTrip(symbols);
  assert.ok(bytes.includes(0xff), 'the stream should contain 0xff bytes that carries pass through');
});

test('probable bits cost almost nothing and the flush pads the stream for a reading-ahead decoder', () => {
  const bytes = roundTrip(Array.from({ length: 8000 }, () => ({ bit: false, prob: 255 })));
  // 8000 bits at p(0)=255/256 carry about 8000 * 0.0056 ≈ 45 bits of information.
  assert.ok(bytes.length < 20, `${bytes.length} bytes`);
  assert.ok(new BoolEncoder().finish().length >= 2, 'even an empty stream has bytes to read');
});

test('literals are written most significant bit first at probability 128', () => {
  const e = new BoolEncoder();
  const values = [0, 1, 127, 0x55, 0x3fff, 5, 0];
  const widths = [1, 1, 7, 8, 14, 3, 6];
  values.forEach((v, i) => {
    e.writeLiteral(v, widths[i] as number);
  });
  e.writeSigned(-9, 4);
  e.writeSigned(9, 4);
  const d = new BoolDecoder(e.finish());
  assert.deepEqual(
    widths.map((w) => d.readLiteral(w)),
    values,
  );
  assert.equal(d.readLiteral(4), 9);
  assert.equal(d.readBool(128), true, 'sign of -9');
  assert.equal(d.readLiteral(4), 9);
  assert.equal(d.readBool(128), false, 'sign of 9');
});

test('an encoder cannot be written to or flushed after finish()', () => {
  const e = new BoolEncoder();
  e.writeBool(true, 10);
  e.finish();
  assert.throws(() => e.writeBool(true, 10), /after finish/);
  assert.throws(() => e.finish(), /twice/);
});
