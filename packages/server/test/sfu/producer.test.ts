// A producer hands each packet to its players first and keeps it afterwards (for NACKs, for late players'
// keyframe group, in its counters): what it keeps must not depend on the players, even on one that throws.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RtpPacket } from 'werift';
import { Producer, type RtpSink } from '../../src/sfu/Producer.js';
import { fakeVp8Source, vp8Packet } from './support/videoSource.js';

function videoProducer(): { producer: Producer; deliver: (p: RtpPacket) => void } {
  const { source, deliver } = fakeVp8Source();
  const producer = new Producer(source, { keyframeRequestIntervalMs: 1000, retransmissionBufferSize: 64 });
  return { producer, deliver };
}

/** A player that records the sequence numbers it got, and throws on those in `throwOn`. */
function player(throwOn: ReadonlySet<number> = new Set()): RtpSink & { got: number[] } {
  const got: number[] = [];
  return {
    got,
    handleRtp(packet) {
      got.push(packet.header.sequenceNumber);
      if (throwOn.has(packet.header.sequenceNumber)) throw new Error('a player failed');
    },
    handleProducerClose() {},
  };
}

test('every player gets each packet, and the producer keeps it for NACKs, late players and its counters', () => {
  const { producer, deliver } = videoProducer();
  const a = player();
  const b = player();
  producer.attach(a);
  producer.attach(b);
  deliver(vp8Packet(1, true));
  deliver(vp8Packet(2, false));
  assert.deepEqual(a.got, [1, 2]);
  assert.deepEqual(b.got, [1, 2]);
  assert.deepEqual(
    producer.takeKeyframeGroup()?.map((p) => p.header.sequenceNumber),
    [1, 2],
  );
  assert.equal(producer.stats().packets, 2);
  deliver(vp8Packet(2, false)); // the same packet again (the publisher answered two NACKs): kept once, forwarded once
  assert.equal(producer.duplicatesDropped, 1);
  assert.deepEqual(a.got, [1, 2]);
  producer.close();
});

test('a player that throws does not cost the packet its keeping, and the next packet reaches every player', () => {
  const { producer, deliver } = videoProducer();
  const failing = player(new Set([1]));
  const other = player();
  producer.attach(failing);
  producer.attach(other);
  assert.throws(() => deliver(vp8Packet(1, true)), /a player failed/);
  // Kept although the loop was cut short: counted, in the keyframe group, and in the buffer (a repeat of it is
  // a duplicate).
  assert.equal(producer.stats().packets, 1);
  assert.deepEqual(
    producer.takeKeyframeGroup()?.map((p) => p.header.sequenceNumber),
    [1],
  );
  deliver(vp8Packet(1, true));
  assert.equal(producer.duplicatesDropped, 1);
  deliver(vp8Packet(2, false));
  assert.deepEqual(failing.got, [1, 2]);
  assert.deepEqual(other.got, [2], 'the player after the failing one missed only the packet it failed on');
  producer.close();
});
