import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { SfuRouter } from '../../src/sfu/index.js';
import { closeAll, counterOf, type Received, TestPlayer, TestPublisher } from './support/clients.js';
import { type LoopbackStun, startLoopbackStun } from './support/loopbackStun.js';
import { waitFor } from './support/waitFor.js';

let stun: LoopbackStun;
before(async () => {
  stun = await startLoopbackStun();
});
after(async () => {
  await stun.close();
});

/**
 * Every counter from the first received to `last` arrived. With `exactlyOnce`, none twice: a repaired stream
 * may see a duplicate when a NACK retry crosses the retransmission, which receivers drop.
 */
function assertComplete(list: Received[], last: number, what: string, exactlyOnce = false): void {
  const counters = list.map((p) => p.counter);
  const unique = new Set(counters);
  const first = counters[0]!;
  if (exactlyOnce) assert.equal(unique.size, counters.length, `${what}: duplicates`);
  assert.equal(unique.size, last - first + 1, `${what}: ${last - first + 1 - unique.size} packets missing`);
}

function uniqueCount(list: Received[]): number {
  return new Set(list.map((p) => p.counter)).size;
}

test('player PLI and FIR reach the publisher, rate-limited', async (t) => {
  const router = new SfuRouter({ keyframeRequestIntervalMs: 300 });
  const pub = new TestPublisher(stun);
  const player = new TestPlayer(stun);
  t.after(() => closeAll(router, pub, player));
  await pub.publish(router, 's');
  const stop = pub.pump(2);
  t.after(stop);
  await player.play(router, 'p', 's');
  await waitFor(() => player.received.video.length > 0, 'first video');
  const producer = router.publisher('s')!.producer('video')!;
  const consumer = player.transport!.consumer('video')!;
  const settled = () => !producer.keyframeRequestPending && pub.plisReceived === producer.stats().pliCount;
  await waitFor(settled, 'the start-up keyframe request to settle');
  const before = { sent: producer.stats().pliCount, received: consumer.stats().pliCount };

  for (let i = 0; i < 10; i++) await player.sendPli('video');
  await player.sendFir('video', 1);
  await waitFor(
    () => consumer.stats().pliCount === before.received + 11,
    '11 keyframe requests at the consumer',
  );
  await waitFor(
    () => settled() && producer.stats().pliCount > before.sent,
    'the PLIs to reach the publisher',
  );
  const sent = producer.stats().pliCount - before.sent;
  assert.ok(sent >= 1 && sent <= 2, `11 requests within the interval became ${sent} PLIs (at most 2)`);
  assert.equal(pub.plisReceived, producer.stats().pliCount, 'every PLI the SFU sent reached the publisher');
  assert.ok(producer.stats().keyframeRequestsCoalesced >= 9, 'the others were absorbed by the rate limit');
  // The publisher answers with a keyframe, which the player gets.
  await waitFor(() => player.received.video.filter((p) => p.keyframe).length >= 2, 'a second keyframe');
  console.log(
    `11 player requests → ${sent} PLI(s) upstream; ${pub.plisReceived} PLIs at the publisher in all`,
  );
  stop();
});

test('a packet lost towards a player is repaired from the SFU buffer on NACK', async (t) => {
  const droppedVideo = new Set<number>();
  const droppedAudio = new Set<number>();
  const passed = { audio: 0, video: 0 };
  const router = new SfuRouter({
    consumerOptions: (playerKey, kind) =>
      playerKey !== 'lossy'
        ? {}
        : {
            dropFilter: (packet) => {
              const counter = counterOf(kind, packet.payload);
              const set = kind === 'video' ? droppedVideo : droppedAudio;
              const limit = kind === 'video' ? 3 : 1;
              // Never the first packets: a loss before the player's first packet is no gap it could NACK.
              passed[kind] += 1;
              if (passed[kind] <= 10) return false;
              if (set.size >= limit || counter % 40 !== 0 || set.has(counter)) return false;
              set.add(counter);
              return true;
            },
          },
  });
  const pub = new TestPublisher(stun);
  const lossy = new TestPlayer(stun);
  const clean = new TestPlayer(stun);
  t.after(() => closeAll(router, pub, lossy, clean));
  await pub.publish(router, 's');
  const stop = pub.pump(2);
  t.after(stop);
  await Promise.all([lossy.play(router, 'lossy', 's'), clean.play(router, 'clean', 's')]);
  // Video: werift's receiver at the player NACKs gaps by itself. Audio (no NACK negotiated for Opus): by hand.
  await waitFor(() => droppedAudio.size === 1, 'an audio packet dropped');
  const audioGap = () => {
    const list = lossy.received.audio;
    for (let i = 1; i < list.length; i++) {
      if (list[i]!.seq !== ((list[i - 1]!.seq + 1) & 0xffff)) return (list[i - 1]!.seq + 1) & 0xffff;
    }
    return null;
  };
  await waitFor(() => audioGap() !== null, 'the audio gap at the player');
  await lossy.sendNack('audio', [audioGap()!]);
  await waitFor(() => droppedVideo.size === 3 && lossy.received.video.length > 300, 'three video drops');
  stop();
  const last = { audio: pub.counter.audio, video: pub.counter.video };
  for (const kind of ['audio', 'video'] as const) {
    await waitFor(
      () => new Set(lossy.received[kind].map((p) => p.counter)).has(last[kind]),
      `lossy ${kind}: last packet`,
    );
    await waitFor(
      () => uniqueCount(lossy.received[kind]) === last[kind] - lossy.received[kind][0]!.counter + 1,
      `lossy ${kind}: repaired`,
    );
    assertComplete(lossy.received[kind], last[kind], `lossy ${kind}`);
    assertComplete(clean.received[kind], last[kind], `clean ${kind}`, true);
  }
  for (const counter of droppedVideo) {
    const at = lossy.received.video.findIndex((p) => p.counter === counter);
    assert.ok(
      lossy.received.video[at - 1]!.counter > counter,
      `video ${counter} came late, as a retransmission`,
    );
  }
  const stats = await lossy.transport!.getStats();
  const video = stats.streams.find((s) => s.kind === 'video')!;
  const audio = stats.streams.find((s) => s.kind === 'audio')!;
  assert.ok(
    video.nackCount >= 1 && video.retransmitted >= 3,
    `video: ${video.nackCount} NACKs, ${video.retransmitted} resent`,
  );
  assert.ok(
    audio.nackCount === 1 && audio.retransmitted === 1,
    `audio: ${audio.nackCount} NACKs, ${audio.retransmitted} resent`,
  );
  console.log(
    `lossy player: ${video.nackCount} video NACKs, ${video.retransmitted} video + ${audio.retransmitted} audio resent from the buffer`,
  );
});

test('a packet lost upstream is repaired by NACKing the publisher', async (t) => {
  const router = new SfuRouter();
  const pub = new TestPublisher(stun);
  const player = new TestPlayer(stun);
  t.after(() => closeAll(router, pub, player));
  await pub.publish(router, 's');
  await player.play(router, 'p', 's');
  const stop = pub.pump(2);
  t.after(stop);
  await waitFor(() => player.received.video.length > 20, 'video flowing');
  const lost = pub.counter.video + 20;
  pub.withholdVideo.add(lost);
  await waitFor(() => player.received.video.some((p) => p.counter === lost), `video ${lost} repaired`);
  stop();
  const last = pub.counter.video;
  await waitFor(
    () => player.received.video.some((p) => p.counter === last),
    () =>
      `the last video packet ${last}; the player's last: ${player.received.video.slice(-3).map((p) => p.counter)}`,
  );
  assertComplete(player.received.video, last, 'video');
  const producer = router.publisher('s')!.producer('video')!;
  assert.ok(producer.stats().nackCount >= 1, 'the SFU NACKed the publisher');
  assert.ok(pub.nacked.length >= 1);
  assert.equal(producer.stats().packetsLost, 0, 'no loss left once repaired');
  console.log(`upstream loss: ${producer.stats().nackCount} NACK(s) to the publisher, repaired`);
});
