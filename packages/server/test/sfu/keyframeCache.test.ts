import assert from 'node:assert/strict';
import { after, before, type TestContext, test } from 'node:test';
import { RtpHeader, RtpPacket } from 'werift';
import { SfuRouter, type SfuRouterOptions } from '../../src/sfu/index.js';
import { KeyframeCache } from '../../src/sfu/KeyframeCache.js';
import { Producer } from '../../src/sfu/Producer.js';
import { closeAll, TestPlayer, TestPublisher } from './support/clients.js';
import { type LoopbackStun, startLoopbackStun } from './support/loopbackStun.js';
import { fakeVp8Source, vp8Packet } from './support/videoSource.js';
import { waitFor } from './support/waitFor.js';

let stun: LoopbackStun;
before(async () => {
  stun = await startLoopbackStun();
});
after(async () => {
  await stun.close();
});

const packet = (seq: number, bytes = 100, ssrc = 7) =>
  new RtpPacket(new RtpHeader({ sequenceNumber: seq, timestamp: seq * 3000, ssrc }), Buffer.alloc(bytes));

test('the cache holds the last keyframe and what followed it, and starts over on the next keyframe', () => {
  const cache = new KeyframeCache();
  cache.add(packet(1), false, 0);
  assert.equal(cache.fresh(0), null, 'nothing before the first keyframe');
  for (let seq = 2; seq <= 5; seq++) cache.add(packet(seq), seq === 2, 10);
  assert.deepEqual(
    cache.fresh(20)?.map((p) => p.header.sequenceNumber),
    [2, 3, 4, 5],
  );
  cache.add(packet(6), true, 30);
  cache.add(packet(7), false, 30);
  assert.deepEqual(
    cache.fresh(40)?.map((p) => p.header.sequenceNumber),
    [6, 7],
  );
  assert.equal(cache.byteLength, 200);
});

test('past a bound the cache empties and stays empty until the next keyframe', () => {
  const byPackets = new KeyframeCache({ maxPackets: 3 });
  for (let seq = 1; seq <= 3; seq++) byPackets.add(packet(seq), seq === 1, 0);
  assert.equal(byPackets.size, 3);
  byPackets.add(packet(4), false, 0);
  assert.equal(byPackets.size, 0, 'a fourth packet outgrows 3');
  byPackets.add(packet(5), false, 0);
  assert.equal(byPackets.fresh(0), null, 'the rest of that group is not kept');
  byPackets.add(packet(6), true, 0);
  assert.equal(byPackets.fresh(0)?.length, 1, 'a keyframe starts again');

  const byBytes = new KeyframeCache({ maxBytes: 250 });
  byBytes.add(packet(1), true, 0);
  byBytes.add(packet(2), false, 0);
  assert.equal(byBytes.byteLength, 200);
  byBytes.add(packet(3), false, 0);
  assert.equal(byBytes.size, 0, '300 bytes outgrow 250');

  const byAge = new KeyframeCache({ maxAgeMs: 100 });
  byAge.add(packet(1), true, 0);
  byAge.add(packet(2), false, 50);
  assert.equal(byAge.fresh(100)?.length, 2);
  assert.equal(byAge.fresh(101), null, 'an older group is not served');
  byAge.add(packet(3), false, 101);
  assert.equal(byAge.size, 0, 'and is dropped by the next packet');

  const bySsrc = new KeyframeCache();
  bySsrc.add(packet(1, 100, 7), true, 0);
  bySsrc.add(packet(2, 100, 8), false, 0);
  assert.equal(bySsrc.size, 0, 'a packet of another stream ends the group');
  assert.throws(() => new KeyframeCache({ maxPackets: 0 }), TypeError);
});

/**
 * A router with `options`, a publisher of stream `s` pumping every 5 ms, a first player playing it and a late
 * player not yet playing; all closed after the test.
 */
async function firstPlayerOf(t: TestContext, options: SfuRouterOptions) {
  const router = new SfuRouter(options);
  const pub = new TestPublisher(stun);
  const first = new TestPlayer(stun);
  const late = new TestPlayer(stun);
  t.after(() => closeAll(router, pub, first, late));
  await pub.publish(router, 's');
  const stop = pub.pump(5);
  t.after(stop);
  await first.play(router, 'first', 's');
  return { router, pub, first, late, stop };
}

test('a late player starts on the cached keyframe, without a PLI to the publisher, numbered without gaps', async (t) => {
  // An age bound no slow test machine reaches; the bounds themselves are tested above.
  const { router, pub, first, late, stop } = await firstPlayerOf(t, {
    keyframeCache: { maxAgeMs: 600_000, maxPackets: 100_000 },
  });
  // The first player finds no keyframe cached: its start asks the publisher for one.
  await waitFor(() => first.received.video.some((p) => p.keyframe), 'the first player keyframe');
  const producer = router.publisher('s')!.producer('video')!;
  await waitFor(
    () => !producer.keyframeRequestPending && pub.plisReceived === producer.stats().pliCount,
    'the first keyframe request to settle',
  );
  const plis = producer.stats().pliCount;
  assert.ok(plis >= 1);
  assert.equal(producer.startsFromCache, 0);

  await late.play(router, 'late', 's');
  await waitFor(() => late.received.video.length >= 60, '60 video packets at the late player');
  stop();
  assert.equal(producer.startsFromCache, 1, 'the late player started from the cache');
  assert.equal(producer.stats().pliCount, plis, 'no keyframe request went to the publisher');
  assert.equal(producer.keyframeRequestPending, false);
  assert.equal(pub.plisReceived, plis);

  const video = late.received.video;
  assert.ok(video[0]!.keyframe, 'the first video packet is a keyframe');
  const keyframeCounter = first.received.video.findLast((p) => p.keyframe)!.counter;
  assert.equal(video[0]!.counter, keyframeCounter, 'it is the publisher last keyframe');
  // Cached and then live packets: one numbering, every packet once, in the publisher's order.
  for (let i = 1; i < video.length; i++) {
    assert.equal(video[i]!.seq, (video[i - 1]!.seq + 1) & 0xffff, `sequence number after ${i - 1}`);
    assert.equal(video[i]!.counter, video[i - 1]!.counter + 1, `payload after ${i - 1}`);
    assert.equal(video[i]!.ssrc, video[0]!.ssrc);
  }
  assert.ok(video.at(-1)!.counter > pub.counter.video - 60, 'it reached the live packets');
});

test('with an outgrown cache a late player asks the publisher for a keyframe, as before', async (t) => {
  const { router, first, late, stop } = await firstPlayerOf(t, {
    keyframeCache: { maxPackets: 2 },
    keyframeRequestIntervalMs: 50,
  });
  await waitFor(() => first.received.video.filter((p) => !p.keyframe).length >= 3, 'frames after a keyframe');
  const producer = router.publisher('s')!.producer('video')!;
  const plis = producer.stats().pliCount + (producer.keyframeRequestPending ? 1 : 0);
  await late.play(router, 'late', 's');
  await waitFor(() => late.received.video.length > 0, 'video at the late player');
  stop();
  assert.equal(producer.startsFromCache, 0);
  assert.ok(producer.stats().pliCount > plis - (producer.keyframeRequestPending ? 1 : 0), 'a PLI was sent');
  assert.ok(late.received.video[0]!.keyframe, 'the late player starts on the requested keyframe');
});

test('a group past half its age bound is served and a fresh keyframe is asked for as well', async () => {
  const { source, deliver, plis } = fakeVp8Source();
  const maxAgeMs = 60_000;
  const producer = new Producer(source, {
    keyframeRequestIntervalMs: 1,
    retransmissionBufferSize: 64,
    keyframeCache: { maxAgeMs },
  });
  const start = performance.now();
  deliver(vp8Packet(1, true));
  deliver(vp8Packet(2, false));
  assert.equal(producer.takeKeyframeGroup()?.length, 2);
  assert.deepEqual(plis, [], 'a young group: no keyframe request');
  // The group's age is read from performance.now(); move the clock past half the bound.
  const realNow = performance.now.bind(performance);
  performance.now = () => realNow() + maxAgeMs / 2 + 1;
  try {
    assert.equal(producer.takeKeyframeGroup()?.length, 2, 'still served');
    assert.deepEqual(plis, [9], 'and a keyframe asked for');
    performance.now = () => start + maxAgeMs + 1;
    assert.equal(producer.takeKeyframeGroup(), null, 'past the bound: not served');
  } finally {
    performance.now = realNow;
    producer.close();
  }
  assert.equal(producer.startsFromCache, 2);
});
