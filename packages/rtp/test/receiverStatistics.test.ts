/**
 * ReceiverStatistics: examples of the repair accounting (a packet counted missing that arrives later is
 * repaired loss, a second copy is a duplicate, and neither disturbs the RFC 3550 loss count or the jitter),
 * then properties against a model that knows every packet's true (unwrapped) number and send time: loss,
 * repairs, duplicates, the extended sequence number and its cycles, fraction lost per interval, and jitter,
 * for streams that start anywhere (wraps included) and arrive reordered, duplicated and with losses.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { MISSING_WINDOW, ReceiverStatistics } from '../src/index.js';

/** Receives `seqs` as 20 ms audio packets arriving on time (sequence number `s` has timestamp `s × 960`). */
function feed(c: ReceiverStatistics, seqs: number[], lateMs = 0): void {
  for (const s of seqs) c.receive(s & 0xffff, s * 960, s * 20 + lateMs);
}

const counts = (c: ReceiverStatistics) => [c.received, c.lost, c.repaired, c.duplicates];

test('loss from sequence numbers, jitter from arrival times', () => {
  const c = new ReceiverStatistics(48000);
  // 20 ms packets arriving exactly on time, across the wrap: no jitter.
  for (let i = 0; i < 10; i++) c.receive((65530 + i) & 0xffff, i * 960, i * 20);
  assert.deepEqual([c.received, c.lost, c.jitter, c.cycles], [10, 0, 0, 1]);
  // Skip two packets, then one arrives 16 ms late.
  c.receive((65530 + 12) & 0xffff, 12 * 960, 12 * 20 + 16);
  assert.equal(c.lost, 2);
  assert.ok(Math.abs(c.jitter - 0.016 / 16) < 1e-9, `jitter ${c.jitter}`);
  assert.equal(c.jitterInClockUnits, (0.016 * 48000) / 16);
  assert.equal(c.extendedHighest, 65530 + 12);
});

test('a packet counted missing that arrives later is repaired, once; a second copy is a duplicate', () => {
  const c = new ReceiverStatistics(48000);
  feed(c, [1, 2, 3, 5, 6, 8, 9, 10]);
  assert.deepEqual(counts(c), [8, 2, 0, 0]);
  // 4 resent after a NACK, 30 ms late: repaired, and no longer lost.
  feed(c, [4], 30);
  assert.deepEqual(counts(c), [9, 1, 1, 0]);
  // The NACK was answered twice: the second copy counts nowhere.
  feed(c, [4], 35);
  assert.deepEqual(counts(c), [9, 1, 1, 1]);
  // A duplicate of the newest packet too.
  feed(c, [10], 1);
  assert.deepEqual(counts(c), [9, 1, 1, 2]);
  feed(c, [7], 50);
  assert.deepEqual(counts(c), [10, 0, 2, 2]);
  assert.equal(c.jitter, 0, 'late (resent) packets do not count towards the jitter');
});

test('repairs across the sequence number wrap', () => {
  const c = new ReceiverStatistics(90000);
  for (const s of [65533, 65534, 1, 2]) c.receive(s, 0, 0);
  assert.deepEqual([c.expected, c.lost], [6, 2]);
  assert.equal(c.receive(65535, 0, 5), 65535, 'the extended number of a late packet from before the wrap');
  assert.equal(c.receive(0, 0, 5), 65536);
  assert.deepEqual(counts(c), [6, 0, 2, 0]);
  c.receive(65535, 0, 6);
  assert.equal(c.duplicates, 1);
});

test(`only the last ${MISSING_WINDOW} sequence numbers are remembered; packets before the first are not repairs`, () => {
  const c = new ReceiverStatistics(90000);
  c.receive(100, 0, 0);
  // A packet from before the first: received (as RFC 3550 counts it), not a repair, not a duplicate.
  c.receive(99, 0, 0);
  assert.deepEqual([c.received, c.repaired, c.duplicates], [2, 0, 0]);
  // A jump of 2000: the skipped packets are lost; only the last 1023 of them can still count as repaired.
  c.receive(2100, 0, 0);
  assert.equal(c.lost, 2001 - 3);
  c.receive(1000, 0, 0);
  assert.deepEqual([c.repaired, c.duplicates], [0, 0], 'too old to tell: counted, not repaired');
  c.receive(1500, 0, 0);
  c.receive(2099, 0, 0);
  assert.deepEqual([c.repaired, c.duplicates], [2, 0]);
  c.receive(1500, 0, 0);
  assert.equal(c.duplicates, 1);
});

test('a report block: fraction lost per interval, cumulative loss capped to 24 bits, reset', () => {
  const c = new ReceiverStatistics(48000);
  assert.deepEqual(c.takeReport(), { extendedHighest: 0, fractionLost: 0, cumulativeLost: 0, jitter: 0 });
  feed(c, [0, 1, 3]);
  assert.deepEqual(c.takeReport(), { extendedHighest: 3, fractionLost: 64, cumulativeLost: 1, jitter: 0 });
  feed(c, [2], 0);
  assert.equal(c.takeFractionLost(), 0, 'a repair of the last interval: more received than expected');
  feed(c, [8]);
  assert.equal(c.takeFractionLost(), Math.floor((4 * 256) / 5));
  // Jumps of 30000 (each one received, 29999 lost) until more than 2^23 − 1 are lost.
  for (let ext = 8 + 30000; c.lost <= 0x7fffff; ext += 30000) c.receive(ext & 0xffff, 0, 0);
  const report = c.takeReport();
  assert.equal(report.cumulativeLost, 0x7fffff, 'capped');
  assert.equal(report.extendedHighest, c.extendedHighest >>> 0);
  assert.ok(c.cycles > 100);
  c.reset();
  assert.equal(c.started, false);
  assert.deepEqual([c.received, c.lost, c.expected, c.extendedHighest], [0, 0, 0, 0]);
  c.receive(5, 0, 0);
  assert.deepEqual([c.received, c.expected, c.extendedHighest], [1, 1, 5]);
  assert.throws(() => new ReceiverStatistics(0), RangeError);
});

/**
 * A stream as it arrives: packets 0..n−1 sent 20 ms apart, some lost, some sent twice, each delayed by up to
 * `maxDelayMs` (so reordered by fewer than MISSING_WINDOW and 32768 positions); the first to arrive is
 * packet 0, so nothing predates the stream's start.
 */
const arrivals = fc
  .record({
    start: fc.integer({ min: 0, max: 0xffff }),
    tsStart: fc.integer({ min: 0, max: 0xffffffff }),
    packets: fc.array(
      fc.record({
        copies: fc.constantFrom(0, 1, 1, 1, 1, 2),
        delays: fc.array(fc.nat(400), { minLength: 2, maxLength: 2 }),
      }),
      { minLength: 1, maxLength: 400 },
    ),
    reportEvery: fc.integer({ min: 1, max: 60 }),
  })
  .map(({ start, tsStart, packets, reportEvery }) => {
    const list: { k: number; arrivalMs: number; sentMs: number }[] = [];
    packets.forEach((p, k) => {
      const copies = k === 0 ? 1 : p.copies;
      for (let c = 0; c < copies; c++)
        list.push({ k, sentMs: k * 20, arrivalMs: 1000 + k * 20 + p.delays[c]! });
    });
    // Packet 0 first; the rest by arrival time (a stable sort keeps a packet's copies in order).
    const [first, ...rest] = list;
    rest.sort((a, b) => a.arrivalMs - b.arrivalMs);
    const ordered = [first!, ...rest].map((a, i) => (i === 0 ? { ...a, arrivalMs: 0 } : a));
    return { start, tsStart, ordered, reportEvery };
  });

test('property: loss, repairs, duplicates, extended numbers and fraction lost follow the model', () => {
  fc.assert(
    fc.property(arrivals, ({ start, tsStart, ordered, reportEvery }) => {
      const c = new ReceiverStatistics(48000);
      const seen = new Set<number>();
      let highest = 0;
      let repaired = 0;
      let duplicates = 0;
      let expectedPrior = 0;
      let receivedPrior = 0;
      ordered.forEach(({ k, sentMs, arrivalMs }, i) => {
        const before = c.extendedHighest;
        const ext = c.receive((start + k) & 0xffff, (tsStart + sentMs * 48) % 0x100000000, arrivalMs);
        assert.equal(ext, start + k, 'the extended sequence number');
        if (seen.has(k)) duplicates += 1;
        else if (k < highest) repaired += 1;
        seen.add(k);
        highest = Math.max(highest, k);
        assert.equal(c.extendedHighest, start + highest);
        assert.equal(c.cycles, Math.floor((start + highest) / 0x10000));
        if (i > 0 && ext > before) assert.ok(ext - before - 1 >= 0, 'a gap is never negative');
        if ((i + 1) % reportEvery === 0) {
          const expected = highest + 1;
          const expectedInterval = expected - expectedPrior;
          const lostInterval = expectedInterval - (seen.size - receivedPrior);
          const fraction =
            expectedInterval > 0 && lostInterval > 0
              ? Math.min(255, Math.floor((lostInterval * 256) / expectedInterval))
              : 0;
          const report = c.takeReport();
          assert.equal(report.fractionLost, fraction);
          assert.equal(report.cumulativeLost, expected - seen.size);
          assert.equal(report.extendedHighest, (start + highest) >>> 0);
          expectedPrior = expected;
          receivedPrior = seen.size;
        }
      });
      assert.deepEqual(
        [c.received, c.expected, c.lost, c.repaired, c.duplicates],
        [seen.size, highest + 1, highest + 1 - seen.size, repaired, duplicates],
      );
    }),
  );
});

test('property: jitter is RFC 3550 A.8 over the packets that arrive in order, timestamps wrapping', () => {
  fc.assert(
    fc.property(arrivals, fc.constantFrom(8000, 48000, 90000), ({ start, tsStart, ordered }, clockRate) => {
      const c = new ReceiverStatistics(clockRate);
      const perMs = clockRate / 1000;
      let highest = -1;
      let lastTransit: number | null = null;
      let jitter = 0;
      for (const { k, sentMs, arrivalMs } of ordered) {
        // The model works on the unwrapped timestamp; the statistics get it modulo 2^32.
        const ts = tsStart + sentMs * perMs;
        c.receive((start + k) & 0xffff, ts % 0x100000000, arrivalMs);
        if (k <= highest) continue;
        highest = k;
        const transit = arrivalMs * perMs - ts;
        if (lastTransit !== null) jitter += (Math.abs(transit - lastTransit) - jitter) / 16;
        lastTransit = transit;
      }
      // Arrival times and timestamps near 2^32 leave float rounding of about 1e-6 units in each transit.
      const close = Math.abs(c.jitterInClockUnits - jitter) < 1e-3 + 1e-9 * jitter;
      assert.ok(close, `${c.jitterInClockUnits} vs ${jitter}`);
      assert.equal(c.jitter, c.jitterInClockUnits / clockRate);
    }),
  );
});

test('property: a stream paced exactly has no jitter, whatever its clock and start', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: 0xffff }),
      fc.integer({ min: 0, max: 0xffffffff }),
      fc.integer({ min: 1, max: 3000 }),
      (start, tsStart, n) => {
        const c = new ReceiverStatistics(90000);
        for (let k = 0; k < n; k++)
          c.receive((start + k) & 0xffff, (tsStart + k * 3000) % 0x100000000, k * (100 / 3));
        assert.ok(c.jitterInClockUnits < 1e-3, `${c.jitterInClockUnits}`);
        assert.equal(c.lost, 0);
      },
    ),
    { numRuns: 50 },
  );
});
