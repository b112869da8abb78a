/**
 * Unit tests of the receive counters' repair accounting, which the end-to-end loss test relies on: a packet
 * counted missing that arrives later is repaired loss, a second copy is a duplicate, and neither disturbs the
 * RFC 3550 loss count or the jitter. (test/backend/units.test.ts has the rest of the counter's tests.)
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RtpHeader, RtpPacket } from 'werift';
import {
  OPUS_SILENCE,
  ReceiveCounter,
  type ReceivedFrame,
  ReceivedTrack,
} from '../../src/media/backend/index.js';

/** Adds `seqs` as 20 ms audio packets arriving on time (sequence number `s` has timestamp `s × 960`). */
function feed(c: ReceiveCounter, seqs: number[], lateMs = 0): void {
  for (const s of seqs) c.add(s & 0xffff, s * 960, 100, s * 20 + lateMs);
}

test('a packet counted missing that arrives later is repaired, once; a second copy is a duplicate', () => {
  const c = new ReceiveCounter(48000);
  feed(c, [1, 2, 3, 5, 6, 8, 9, 10]);
  assert.deepEqual([c.packets, c.lost, c.repaired, c.duplicates], [8, 2, 0, 0]);
  // 4 resent after a NACK, 30 ms late: repaired, and no longer lost.
  feed(c, [4], 30);
  assert.deepEqual([c.packets, c.lost, c.repaired, c.duplicates], [9, 1, 1, 0]);
  // The NACK was answered twice: the second copy counts nowhere but in the bytes.
  const bytes = c.bytes;
  feed(c, [4], 35);
  assert.deepEqual([c.packets, c.lost, c.repaired, c.duplicates], [9, 1, 1, 1]);
  assert.equal(c.bytes, bytes + 100);
  // A duplicate of the newest packet too.
  feed(c, [10], 1);
  assert.deepEqual([c.packets, c.lost, c.repaired, c.duplicates], [9, 1, 1, 2]);
  feed(c, [7], 50);
  assert.deepEqual([c.packets, c.lost, c.repaired, c.duplicates], [10, 0, 2, 2]);
  assert.equal(c.jitter, 0, 'late (resent) packets do not count towards the jitter');
});

test('repairs across the sequence number wrap', () => {
  const c = new ReceiveCounter(90000);
  for (const s of [65533, 65534, 1, 2]) c.add(s, 0, 10, 0);
  assert.deepEqual([c.expected, c.lost], [6, 2]);
  c.add(65535, 0, 10, 5);
  c.add(0, 0, 10, 5);
  assert.deepEqual([c.packets, c.lost, c.repaired, c.duplicates], [6, 0, 2, 0]);
  c.add(65535, 0, 10, 6);
  assert.equal(c.duplicates, 1);
});

test('only the last 1024 sequence numbers are remembered; packets before the first one are not repairs', () => {
  const c = new ReceiveCounter(90000);
  c.add(100, 0, 10, 0);
  // A packet from before the first: received (as RFC 3550 counts it), not a repair, not a duplicate.
  c.add(99, 0, 10, 0);
  assert.deepEqual([c.packets, c.repaired, c.duplicates], [2, 0, 0]);
  // A jump of 2000: the skipped packets are lost; only the last 1023 of them can still count as repaired.
  c.add(2100, 0, 10, 0);
  assert.equal(c.lost, 2001 - 3);
  c.add(1000, 0, 10, 0);
  assert.deepEqual([c.repaired, c.duplicates], [0, 0], 'too old to tell: counted, not repaired');
  c.add(1500, 0, 10, 0);
  c.add(2099, 0, 10, 0);
  assert.deepEqual([c.repaired, c.duplicates], [2, 0]);
  c.add(1500, 0, 10, 0);
  assert.equal(c.duplicates, 1);
});

test('a track reports what NACK repaired as packetsRepaired', () => {
  const frames: ReceivedFrame[] = [];
  const track = new ReceivedTrack('audio', {
    frame: (f) => frames.push(f),
    loss: () => {},
    requestKeyframe: () => {},
  });
  const packets = [0, 1, 2, 3, 4].map(
    (i) =>
      new RtpPacket(
        new RtpHeader({ payloadType: 111, sequenceNumber: 500 + i, timestamp: i * 960, ssrc: 7 }),
        OPUS_SILENCE,
      ),
  );
  for (const i of [0, 1, 3, 4]) track.push(packets[i]!, i * 20);
  track.push(packets[2]!, 90);
  const stats = track.stats(0);
  assert.deepEqual(
    { received: stats.packetsReceived, lost: stats.packetsLost, repaired: stats.packetsRepaired },
    { received: 5, lost: 0, repaired: 1 },
  );
  assert.equal(frames.length, 5, 'the reorder buffer waited for the resent packet');
});
