// A producer hands each packet to its players first and keeps it afterwards (for NACKs, for late players'
// keyframe group, in its counters): what it keeps, and what the other players get, must not depend on one
// player, even one that throws.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RtpPacket } from 'werift';
import { PLAYER_ERROR_REPORT_MS, Producer, type RtpSink, WARM_BLOCK } from '../../src/sfu/Producer.js';
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
    warm: () => 0,
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

test('a player that throws costs no other player its copy nor the packet its keeping; it is reported, at most once a second', (t) => {
  let clock = 1_000;
  t.mock.method(performance, 'now', () => clock);
  const reports: { error: string; count: number }[] = [];
  const { source, deliver } = fakeVp8Source();
  const producer = new Producer(source, {
    keyframeRequestIntervalMs: 1000,
    retransmissionBufferSize: 64,
    onPlayerError: (error, count) => reports.push({ error: (error as Error).message, count }),
  });
  const failing = player(new Set([1, 2, 3]));
  const other = player();
  producer.attach(failing);
  producer.attach(other);
  deliver(vp8Packet(1, true));
  assert.deepEqual(other.got, [1], 'the player after the failing one got the packet');
  assert.deepEqual(reports, [{ error: 'a player failed', count: 1 }]);
  // Kept: counted, in the keyframe group, and in the buffer (a repeat of it is a duplicate).
  assert.equal(producer.stats().packets, 1);
  assert.deepEqual(
    producer.takeKeyframeGroup()?.map((p) => p.header.sequenceNumber),
    [1],
  );
  deliver(vp8Packet(1, true));
  assert.equal(producer.duplicatesDropped, 1);
  clock += PLAYER_ERROR_REPORT_MS / 2;
  deliver(vp8Packet(2, false)); // fails again within the second: counted, not reported yet
  assert.equal(reports.length, 1);
  clock += PLAYER_ERROR_REPORT_MS;
  deliver(vp8Packet(3, false)); // the next report carries both
  assert.deepEqual(reports[1], { error: 'a player failed', count: 2 });
  deliver(vp8Packet(4, false));
  assert.deepEqual(failing.got, [1, 2, 3, 4]);
  assert.deepEqual(other.got, [1, 2, 3, 4]);
  assert.equal(reports.length, 2);
  producer.close();
});

test('the fan-out warms each block of players just before it forwards to them; a warm that throws costs only the warming', () => {
  const { source, deliver } = fakeVp8Source();
  const reports: string[] = [];
  const producer = new Producer(source, {
    keyframeRequestIntervalMs: 1000,
    retransmissionBufferSize: 64,
    onPlayerError: (error) => reports.push((error as Error).message),
  });
  const players = 2 * WARM_BLOCK + 3; // two whole blocks and a part
  const log: string[] = [];
  for (let i = 0; i < players; i++) {
    producer.attach({
      handleRtp: () => log.push(`rtp ${i}`),
      warm: () => {
        log.push(`warm ${i}`);
        if (i === WARM_BLOCK) throw new Error('a broken warm');
        return i;
      },
      handleProducerClose() {},
    });
  }
  deliver(vp8Packet(1, true));
  const expected: string[] = [];
  for (let start = 0; start < players; start += WARM_BLOCK) {
    const end = Math.min(players, start + WARM_BLOCK);
    // The second block's warm pass stops at its first player, which throws; every player still gets the packet.
    for (let i = start; i < (start === WARM_BLOCK ? start + 1 : end); i++) expected.push(`warm ${i}`);
    for (let i = start; i < end; i++) expected.push(`rtp ${i}`);
  }
  assert.deepEqual(log, expected);
  assert.deepEqual(reports, ['a broken warm']);
  producer.close();
});
