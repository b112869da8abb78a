/**
 * Media pipes between two SFU routers (node A, the origin, where the publisher is; node B, whose players play
 * the stream): fan-out on B from one copy of each packet, keyframe requests back to the publisher, NACKs
 * answered by B, losses on the pipe repaired by A, and a publisher restart followed through the pipe.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { SfuRouter } from '../../src/sfu/index.js';
import { closeAll, counterOf, type Received, TestPlayer, TestPublisher } from './support/clients.js';
import { type LoopbackStun, startLoopbackStun } from './support/loopbackStun.js';
import { openPipe, PipeRelay, rtpOf } from './support/pipes.js';
import { waitFor } from './support/waitFor.js';

let stun: LoopbackStun;
before(async () => {
  stun = await startLoopbackStun();
});
after(async () => {
  await stun.close();
});

/** Every counter from the first received to `last` arrived, each once, in order, on the consumer's SSRC. */
function assertInOrder(list: Received[], ssrc: number, last: number, what: string): void {
  assert.ok(list.length > 0, `${what}: nothing received`);
  for (let i = 0; i < list.length; i++) {
    const p = list[i]!;
    assert.equal(p.ssrc, ssrc, `${what}: packet ${i} on SSRC ${p.ssrc}, not the consumer's ${ssrc}`);
    if (i === 0) continue;
    const prev = list[i - 1]!;
    assert.equal(p.seq, (prev.seq + 1) & 0xffff, `${what}: sequence ${prev.seq} → ${p.seq} at ${i}`);
    assert.equal(p.counter, prev.counter + 1, `${what}: counter ${prev.counter} → ${p.counter} at ${i}`);
  }
  assert.equal(list.at(-1)!.counter, last, `${what}: the last packet`);
}

/** Every counter from the first received to `last` arrived at least once (repairs come late). */
function assertComplete(list: Received[], last: number, what: string): void {
  const unique = new Set(list.map((p) => p.counter));
  const first = list[0]!.counter;
  assert.equal(unique.size, last - first + 1, `${what}: ${last - first + 1 - unique.size} packets missing`);
}

for (const n of [1, 3]) {
  test(`a stream piped from node A plays at ${n} player(s) of node B; the pipe carries each packet once`, async (t) => {
    const a = new SfuRouter({ keyframeRequestIntervalMs: 200 });
    const b = new SfuRouter({ keyframeRequestIntervalMs: 200 });
    const pub = new TestPublisher(stun);
    const players = Array.from({ length: n }, () => new TestPlayer(stun));
    t.after(() => closeAll(a, b, pub, ...players));
    await pub.publish(a, 's');
    const { pipeIn, pipeOut } = await openPipe(a, b, 's', `b/${n}`);
    const counts: number[] = [];
    pipeIn.on('players', (count) => counts.push(count));
    await Promise.all(players.map((p, i) => p.play(b, `player-${i}`, 's')));
    assert.equal(b.source('s'), pipeIn, "the pipe is B's source of the stream");
    assert.equal(pipeIn.playerCount, n);
    assert.deepEqual(
      counts,
      Array.from({ length: n }, (_, i) => i + 1),
    );
    const origin = a.publisher('s')!;
    for (const producer of origin.producerList) {
      assert.equal(producer.sinkCount, 1, `${producer.kind}: A forwards to the pipe-out only`);
    }

    const stop = pub.pump(2);
    t.after(stop);
    const target = 200;
    await waitFor(
      () => players.every((p) => p.received.video.length >= target && p.received.audio.length >= target),
      `${target} packets of each kind at every player of B`,
    );
    stop();
    const last = { ...pub.counter };
    await waitFor(
      () =>
        players.every(
          (p) =>
            p.received.video.at(-1)?.counter === last.video &&
            p.received.audio.at(-1)?.counter === last.audio,
        ),
      'the last packets at every player',
    );
    for (const [i, player] of players.entries()) {
      for (const kind of ['audio', 'video'] as const) {
        assertInOrder(player.received[kind], player.ssrcOf(kind), last[kind], `player ${i} ${kind}`);
      }
      assert.ok(player.received.video[0]!.keyframe, `player ${i} starts on a keyframe`);
    }

    // One copy of each packet A received went through the pipe, however many players B has.
    const sent = pipeOut.stats();
    for (const producer of origin.producerList) {
      const track = sent.tracks.find((s) => s.kind === producer.kind)!;
      assert.equal(track.packetsSent, producer.stats().packets, `${producer.kind}: one copy per packet`);
      assert.equal(track.retransmitted, 0);
    }
    // ... and B's producers got each of them (a loss on the pipe would have been repaired).
    await waitFor(
      () => pipeIn.stats().tracks.reduce((sum, s) => sum + s.packets, 0) === sent.packetsSent,
      "B's producers to hold every packet sent",
    );
    const consumed = players.reduce(
      (sum, p) => sum + p.transport!.consumerList.reduce((s, c) => s + c.stats().packets, 0),
      0,
    );
    console.log(
      `${n} player(s) on B: A sent ${sent.packetsSent} packets (${sent.bytesSent} bytes) through the pipe ` +
        `for ${consumed} packets sent to B's players`,
    );
  });
}

test('keyframe requests of players on B reach the publisher on A through the pipe, throttled', async (t) => {
  const a = new SfuRouter({ keyframeRequestIntervalMs: 300 });
  const b = new SfuRouter({ keyframeRequestIntervalMs: 300 });
  const pub = new TestPublisher(stun);
  const player = new TestPlayer(stun);
  t.after(() => closeAll(a, b, pub, player));
  await pub.publish(a, 's');
  const { pipeIn, pipeOut } = await openPipe(a, b, 's', 'b/kf');
  const stop = pub.pump(2);
  t.after(stop);
  await player.play(b, 'p', 's');
  await waitFor(() => player.received.video.length > 0, 'first video at the player on B');
  const origin = a.publisher('s')!.producer('video')!;
  const remote = pipeIn.producer('video')!;
  const consumer = player.transport!.consumer('video')!;
  const settled = () =>
    !remote.keyframeRequestPending &&
    !origin.keyframeRequestPending &&
    pipeOut.stats().keyframeRequests === remote.stats().pliCount &&
    pub.plisReceived === origin.stats().pliCount;
  await waitFor(settled, 'the start-up keyframe requests to settle');
  const before = {
    consumer: consumer.stats().pliCount,
    remote: remote.stats().pliCount,
    publisher: pub.plisReceived,
    keyframes: player.received.video.filter((p) => p.keyframe).length,
  };

  for (let i = 0; i < 10; i++) await player.sendPli('video');
  await player.sendFir('video', 1);
  await waitFor(() => consumer.stats().pliCount === before.consumer + 11, "11 requests at B's consumer");
  await waitFor(
    () => settled() && pub.plisReceived > before.publisher,
    'the requests to reach the publisher on A',
  );
  const throughPipe = remote.stats().pliCount - before.remote;
  const atPublisher = pub.plisReceived - before.publisher;
  assert.ok(throughPipe >= 1 && throughPipe <= 2, `11 requests became ${throughPipe} PLIs through the pipe`);
  assert.ok(atPublisher >= 1 && atPublisher <= throughPipe, `${atPublisher} PLIs at the publisher`);
  assert.ok(remote.stats().keyframeRequestsCoalesced >= 9, "B's producer absorbed the others");
  await waitFor(
    () => player.received.video.filter((p) => p.keyframe).length > before.keyframes,
    'a new keyframe at the player on B',
  );
  console.log(`11 requests on B → ${throughPipe} PLI(s) through the pipe → ${atPublisher} at the publisher`);
});

test("a packet lost between B and its player is repaired from B's buffer", async (t) => {
  const dropped = new Set<number>();
  let passed = 0;
  const a = new SfuRouter();
  const b = new SfuRouter({
    consumerOptions: (playerKey, kind) =>
      playerKey !== 'lossy' || kind !== 'video'
        ? {}
        : {
            dropFilter: (packet) => {
              const counter = counterOf('video', packet.payload);
              passed += 1;
              if (passed <= 10 || dropped.size >= 3 || counter % 40 !== 0 || dropped.has(counter))
                return false;
              dropped.add(counter);
              return true;
            },
          },
  });
  const pub = new TestPublisher(stun);
  const lossy = new TestPlayer(stun);
  t.after(() => closeAll(a, b, pub, lossy));
  await pub.publish(a, 's');
  const { pipeOut } = await openPipe(a, b, 's', 'b/nack');
  await lossy.play(b, 'lossy', 's');
  const stop = pub.pump(2);
  t.after(stop);
  await waitFor(() => dropped.size === 3 && lossy.received.video.length > 300, 'three video drops at B');
  stop();
  const last = pub.counter.video;
  await waitFor(
    () =>
      new Set(lossy.received.video.map((p) => p.counter)).size ===
      last - lossy.received.video[0]!.counter + 1,
    'the lossy player repaired',
  );
  assertComplete(lossy.received.video, last, 'lossy video');
  const video = lossy.transport!.consumer('video')!.stats();
  // A consumer answers a NACK from its producer's buffer only: here B's, fed by the pipe.
  assert.ok(
    video.nackCount >= 1 && video.retransmitted >= 3,
    `${video.nackCount} NACKs, ${video.retransmitted} resent`,
  );
  console.log(
    `lossy player on B: ${video.nackCount} NACK(s), ${video.retransmitted} resent from B's buffer; ` +
      `${pipeOut.stats().retransmitted} resent by A through the pipe`,
  );
});

test('packets lost on the pipe are NACKed to A and repaired, audio and video', async (t) => {
  const a = new SfuRouter();
  const b = new SfuRouter();
  const pub = new TestPublisher(stun);
  const player = new TestPlayer(stun);
  const relay = await PipeRelay.start();
  t.after(() => closeAll(a, b, pub, player, relay));
  await pub.publish(a, 's');
  const { pipeIn, pipeOut } = await openPipe(a, b, 's', 'b/loss', relay);
  await player.play(b, 'p', 's');
  const payloadTypes = new Map(pipeOut.stats().tracks.map((s) => [s.payloadType, s.kind]));
  const lost = { audio: new Set<number>(), video: new Set<number>() };
  const toLose = { audio: 2, video: 3 };
  relay.drop = (data, direction) => {
    const rtp = direction === 'toRemote' ? rtpOf(data) : null;
    const kind = rtp && payloadTypes.get(rtp.payloadType);
    if (!rtp || !kind) return false;
    const counter = counterOf(kind, rtp.payload);
    // The first copy of a few packets, once media flows at the player; their repairs pass.
    if (player.received[kind].length < 20 || lost[kind].size >= toLose[kind] || counter % 25 !== 0)
      return false;
    if (lost[kind].has(counter)) return false;
    lost[kind].add(counter);
    return true;
  };
  const stop = pub.pump(2);
  t.after(stop);
  await waitFor(() => lost.audio.size === 2 && lost.video.size === 3, 'losses on the pipe');
  // A loss shows as a gap once a later packet arrives: keep the stream going past the last one.
  const sentAfter = { ...pub.counter };
  await waitFor(
    () =>
      player.received.audio.at(-1)!.counter > sentAfter.audio + 10 &&
      player.received.video.at(-1)!.counter > sentAfter.video + 10,
    'packets after the losses',
  );
  stop();
  const last = { ...pub.counter };
  for (const kind of ['audio', 'video'] as const) {
    await waitFor(
      () =>
        new Set(player.received[kind].map((p) => p.counter)).size ===
        last[kind] - player.received[kind][0]!.counter + 1,
      () => `${kind} at the player repaired (lost on the pipe: ${[...lost[kind]]})`,
    );
    assertComplete(player.received[kind], last[kind], kind);
    const track = pipeIn.producer(kind)!.stats();
    assert.ok(track.nackCount >= 1, `${kind}: B NACKed the pipe`);
    assert.equal(track.packetsLost, 0, `${kind}: no loss left at B`);
  }
  const out = pipeOut.stats();
  assert.ok(out.retransmitted >= 5, `A resent ${out.retransmitted} packets`);
  assert.ok(out.nacksReceived >= 2);
  console.log(
    `pipe losses: ${relay.lost.toRemote} datagrams lost, ${out.nacksReceived} NACK(s) to A, ${out.retransmitted} resent`,
  );
});

test('a publisher restart on A: the pipe-out follows the new tracks, B plays one continuous stream', async (t) => {
  const a = new SfuRouter({ keyframeRequestIntervalMs: 100 });
  const b = new SfuRouter({ keyframeRequestIntervalMs: 100 });
  const first = new TestPublisher(stun);
  const second = new TestPublisher(stun, { videoSeqStart: 123, counterStart: 1_000_000 });
  const player = new TestPlayer(stun);
  t.after(() => closeAll(a, b, first, second, player));
  await first.publish(a, 's');
  const { pipeIn, pipeOut } = await openPipe(a, b, 's', 'b/restart');
  await player.play(b, 'p', 's');
  const stopFirst = first.pump(2);
  t.after(stopFirst);
  await waitFor(
    () => player.received.video.length >= 100 && player.received.audio.length >= 100,
    'the first source at B',
  );
  await second.publish(a, 's');
  stopFirst();
  assert.ok(!pipeOut.closed && !pipeIn.closed, 'the pipe stays');
  for (const producer of a.publisher('s')!.producerList) {
    assert.equal(pipeOut.track(producer.kind)!.producer, producer, `${producer.kind}: the pipe-out follows`);
  }
  const stopSecond = second.pump(2);
  t.after(stopSecond);
  const fromSecond = (kind: 'audio' | 'video') => player.received[kind].filter((p) => p.counter > 1_000_000);
  await waitFor(
    () => fromSecond('video').length >= 100 && fromSecond('audio').length >= 100,
    'the second source at B',
  );
  stopSecond();
  for (const kind of ['audio', 'video'] as const) {
    const list = player.received[kind];
    const switchAt = list.findIndex((p) => p.counter > 1_000_000);
    for (let i = 1; i < list.length; i++) {
      const [prev, cur] = [list[i - 1]!, list[i]!];
      assert.equal(cur.ssrc, player.ssrcOf(kind), `${kind} ${i}: SSRC`);
      assert.equal(cur.seq, (prev.seq + 1) & 0xffff, `${kind} ${i}: sequence ${prev.seq} → ${cur.seq}`);
      if (i !== switchAt) assert.equal(cur.counter, prev.counter + 1, `${kind} ${i}: counter`);
    }
    if (kind === 'video') assert.ok(list[switchAt]!.keyframe, 'the new source starts on a keyframe');
  }
});
