/** Sequence maths: examples, then properties over the whole 16-bit space. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import {
  extendSequence,
  randomSeq,
  randomTimestamp,
  seqAdd,
  seqDiff,
  seqNewer,
  sequenceDelta,
  tsAdd,
} from '../src/index.js';

test('sequence and timestamp arithmetic wraps', () => {
  assert.equal(seqAdd(65535, 1), 0);
  assert.equal(seqAdd(0, -1), 65535);
  assert.equal(seqDiff(2, 65534), 4);
  assert.equal(seqDiff(65534, 2), -4);
  assert.ok(seqNewer(1, 65535));
  assert.ok(!seqNewer(65535, 1));
  assert.equal(tsAdd(0xffffffff, 2), 1);
  assert.equal(sequenceDelta(65535, 0), 1);
  assert.equal(sequenceDelta(5, 5), 0);
  assert.equal(sequenceDelta(5, 4), 0xffff);
  assert.equal(extendSequence(65535, 2), 65538);
  assert.equal(extendSequence(65538, 65534), 65534);
  assert.equal(extendSequence(3, 65534), -2, 'before the first cycle');
});

test('random starting values are in range', () => {
  for (let i = 0; i < 1000; i++) {
    const s = randomSeq();
    const t = randomTimestamp();
    assert.ok(Number.isInteger(s) && s >= 0 && s <= 0xffff);
    assert.ok(Number.isInteger(t) && t >= 0 && t <= 0xffffffff);
  }
});

const seq = fc.integer({ min: 0, max: 0xffff });

test('property: seqDiff is the signed distance that seqAdd undoes', () => {
  fc.assert(
    fc.property(seq, seq, (a, b) => {
      const d = seqDiff(a, b);
      assert.ok(d >= -32768 && d <= 32767);
      assert.equal(seqAdd(b, d), a);
      assert.equal(seqNewer(a, b), d > 0);
      assert.equal(sequenceDelta(b, a), d & 0xffff);
      if (d !== -32768) assert.equal(seqDiff(b, a) + d, 0);
    }),
  );
});

test('property: extendSequence is the nearest number with the same low 16 bits', () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 2 ** 40 }), seq, (highest, s) => {
      const ext = extendSequence(highest, s);
      assert.equal(((ext % 0x10000) + 0x10000) % 0x10000, s);
      assert.ok(ext - highest >= -32768 && ext - highest <= 32767);
    }),
  );
});

test('property: a stream whose steps stay under half the space is extended exactly', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: 0xffff }),
      fc.array(fc.integer({ min: -30000, max: 32767 }), { maxLength: 200 }),
      (start, steps) => {
        let truth = start;
        let highest = start;
        for (const step of steps) {
          truth = Math.max(0, highest + step);
          const ext = extendSequence(highest, truth & 0xffff);
          assert.equal(ext, truth);
          highest = Math.max(highest, ext);
        }
      },
    ),
  );
});
