import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RtpPacket } from 'werift';
import { RtpClockRate, RtpSequencer, rescaleTime, sequenceDelta } from '../../src/media/RtpSequencer.js';

test('sequence numbers wrap at 2^16 and timestamps at 2^32', () => {
  const s = new RtpSequencer({
    payloadType: 96,
    clockRate: 90_000,
    initialSequenceNumber: 65_534,
    initialTimestamp: 2 ** 32 - 100,
  });
  const packets = [0, 1, 2, 3].map((i) => s.packet(Uint8Array.of(i), i * 50));
  assert.deepEqual(
    packets.map((p) => p.header.sequenceNumber),
    [65_534, 65_535, 0, 1],
  );
  assert.deepEqual(
    packets.map((p) => p.header.timestamp),
    [2 ** 32 - 100, 2 ** 32 - 50, 0, 50],
  );
  assert.equal(s.nextSequenceNumber, 2);
  assert.equal(sequenceDelta(65_535, 0), 1);
  assert.equal(sequenceDelta(0, 65_535), 65_535, 'older packets look far ahead (>= 0x8000)');
});

test('a frame shares one timestamp and carries the marker on its last packet only', () => {
  const s = new RtpSequencer({ payloadType: 100, clockRate: RtpClockRate.video, ssrc: 0xdeadbeef });
  const packets = s.frame([Uint8Array.of(1), Uint8Array.of(2), Uint8Array.of(3)], 3000);
  assert.deepEqual(
    packets.map((p) => p.header.marker),
    [false, false, true],
  );
  assert.equal(new Set(packets.map((p) => p.header.timestamp)).size, 1);
  // The packets survive werift's own serializer.
  const parsed = packets.map((p) => RtpPacket.deSerialize(p.serialize()));
  assert.deepEqual(
    parsed.map((p) => [
      p.header.payloadType,
      p.header.ssrc,
      p.header.marker,
      p.header.timestamp,
      [...p.payload],
    ]),
    packets.map((_p, i) => [100, 0xdeadbeef, i === 2, s.rtpTimestamp(3000), [i + 1]]),
  );
  assert.equal(
    sequenceDelta(parsed[0]?.header.sequenceNumber ?? 0, parsed[2]?.header.sequenceNumber ?? 0),
    2,
  );
});

test('rescales timebases and rejects bad arguments', () => {
  assert.equal(rescaleTime(15, 1, 15, RtpClockRate.video), 90_000);
  assert.equal(rescaleTime(1, 1001, 30_000, RtpClockRate.video), 3003);
  assert.throws(() => rescaleTime(1, 0, 1, 90_000), TypeError);
  assert.throws(() => new RtpSequencer({ payloadType: 128, clockRate: 90_000 }), TypeError);
  assert.throws(
    () => new RtpSequencer({ payloadType: 96, clockRate: 90_000, initialSequenceNumber: 65_536 }),
    TypeError,
  );
  const s = new RtpSequencer({ payloadType: 96, clockRate: 48_000 });
  assert.throws(() => s.frame([], 0), TypeError);
  assert.throws(() => s.rtpTimestamp(-1), TypeError);
});
