/**
 * A publisher's RTP goes from the UDP mux to its producer past werift's receiving pipeline
 * (werift/receiveInMux.ts): werift sees the first packet of each stream (which makes its statistics and starts
 * its RTCP loop) and nothing of the rest, and its receiver statistics, transport and pair counters still count
 * every packet, as its own pipeline would.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import fc from 'fast-check';
import { type RTCPeerConnection, RtpHeader, RtpPacket } from 'werift';
import { SfuRouter } from '../../src/sfu/index.js';
import { addIsKnown, addReceived, statisticsAddDigest } from '../../src/sfu/werift/receivedStatistics.js';
import { WERIFT_STATISTICS_ADD_SHA256, type WeriftStreamStatistics } from '../../src/sfu/werift/shapes.js';
import { closeAll, TestPlayer, TestPublisher } from './support/clients.js';
import { type LoopbackStun, startLoopbackStun } from './support/loopbackStun.js';
import { waitFor } from './support/waitFor.js';

let stun: LoopbackStun;
before(async () => {
  stun = await startLoopbackStun();
});
after(() => stun.close());

interface MuxTransportView {
  onData: (data: Buffer, addr: [string, number]) => void;
}

/** Whether `data` is RTP, not RTCP (RFC 5761 §4) or DTLS or STUN. */
function isRtp(data: Buffer): boolean {
  return data.length >= 12 && (data[0]! & 0xc0) === 0x80 && !(data[1]! >= 192 && data[1]! <= 223);
}

test("a publisher's RTP takes the mux's fast path, and werift's statistics still count every packet", async (t) => {
  const router = new SfuRouter();
  const pub = new TestPublisher(stun);
  const player = new TestPlayer(stun);
  t.after(() => closeAll(router, pub, player));
  const transport = await pub.publish(router, 's');
  await player.play(router, 'p', 's');
  const pc = (transport as unknown as { pc: RTCPeerConnection }).pc;
  const connection = pc.getTransceivers()[0]!.dtlsTransport.iceTransport.connection as unknown as {
    protocols: { transport: MuxTransportView }[];
  };
  // The RTP datagrams that reach werift's ICE (its handler on the mux transport).
  let toWerift = 0;
  const mux = connection.protocols[0]!.transport;
  const onData = mux.onData;
  mux.onData = (data, addr) => {
    if (isRtp(data)) toWerift += 1;
    onData(data, addr);
  };

  const stop = pub.pump(2);
  await waitFor(() => pub.counter.video >= 100, 'the publisher sent 100 packets of each kind');
  stop();
  const sent = { audio: pub.counter.audio, video: pub.counter.video };
  await waitFor(
    () =>
      player.received.audio.at(-1)?.counter === sent.audio &&
      player.received.video.at(-1)?.counter === sent.video,
    'the player to get the last packet of each kind',
  );

  assert.equal(toWerift, 2, 'werift saw the first packet of each stream only');
  const producerPackets = transport.producerList.reduce((n, p) => n + p.stats().packets, 0);
  assert.equal(producerPackets, sent.audio + sent.video, 'the producers got every packet');

  const report = [...(await pc.getStats()).values()] as unknown as Record<string, unknown>[];
  for (const kind of ['audio', 'video'] as const) {
    const inbound = report.find((s) => s['type'] === 'inbound-rtp' && s['kind'] === kind);
    assert.equal(inbound?.['packetsReceived'], sent[kind], `werift's inbound ${kind} packetsReceived`);
  }
  const dtls = report.find((s) => s['type'] === 'transport');
  const pair = report.find((s) => s['type'] === 'candidate-pair' && s['nominated'] === true);
  for (const [name, stats] of [
    ['transport', dtls],
    ['nominated pair', pair],
  ] as const) {
    const packets = stats?.['packetsReceived'] as number;
    assert.ok(packets >= sent.audio + sent.video, `werift's ${name} counted ${packets} packets received`);
  }
});

test('what the fast path does not take goes to werift: a padded packet is forwarded, a tampered one dropped', async (t) => {
  const router = new SfuRouter();
  const pub = new TestPublisher(stun, { kinds: ['audio'] });
  const player = new TestPlayer(stun);
  t.after(() => closeAll(router, pub, player));
  const transport = await pub.publish(router, 's');
  await player.play(router, 'p', 's');
  const producer = transport.producer('audio')!;
  const sfu = (transport as unknown as { pc: RTCPeerConnection }).pc.getTransceivers()[0]!.dtlsTransport
    .iceTransport.connection as unknown as { protocols: { transport: MuxTransportView }[] };
  const mux = sfu.protocols[0]!.transport;
  const onData = mux.onData;
  const toWerift: number[] = [];
  mux.onData = (data, addr) => {
    if (isRtp(data)) toWerift.push(data[0]!);
    onData(data, addr);
  };
  // The publisher's datagrams on their way out: the next RTP one may be changed.
  const client = pub.pc.getTransceivers()[0]!.dtlsTransport.iceTransport.connection as unknown as {
    send(data: Buffer): Promise<void>;
  };
  const send = client.send.bind(client);
  let tamper = false;
  client.send = (data: Buffer) => {
    if (tamper && isRtp(data)) {
      tamper = false;
      const copy = Buffer.from(data);
      copy[copy.length - 1]! ^= 0xff; // the authentication tag
      return send(copy);
    }
    return send(data);
  };
  const flowing = async (n: number): Promise<void> => {
    for (let i = 0; i < n; i++) pub.send('audio');
    const last = pub.counter.audio;
    await waitFor(() => player.received.audio.at(-1)?.counter === last, `audio ${last} at the player`);
  };
  await flowing(5);
  const producerBefore = producer.stats().packets;
  assert.deepEqual(toWerift, [0x80], 'werift saw the first packet only');

  // Padding (RFC 3550 §5.1): a packet the fast path leaves to werift, which forwards it as any other.
  pub.send('audio', { padding: 4 });
  await waitFor(
    () => player.received.audio.at(-1)?.counter === pub.counter.audio,
    'the padded packet at the player',
  );
  assert.equal(toWerift.at(-1), 0xa0, 'the padded packet went to werift');

  // A packet whose authentication fails: werift drops it, and the stream goes on through the fast path.
  tamper = true;
  pub.send('audio');
  const dropped = pub.counter.audio;
  await waitFor(() => toWerift.length === 3, 'the tampered packet at werift');
  await flowing(5);
  assert.ok(
    !player.received.audio.some((p) => p.counter === dropped),
    'the tampered packet is not forwarded',
  );
  assert.equal(toWerift.length, 3, 'the packets after it took the fast path again');
  assert.equal(
    producer.stats().packets,
    producerBefore + 1 + 5,
    'the producer got all but the tampered packet',
  );
});

test("a publisher's statistics count as werift's own `add` counts, for any order of packets and clock", async (t) => {
  const router = new SfuRouter();
  const pub = new TestPublisher(stun, { kinds: ['audio'] });
  t.after(() => closeAll(router, pub));
  const transport = await pub.publish(router, 's');
  const pc = (transport as unknown as { pc: RTCPeerConnection }).pc;
  const receiver = pc.getTransceivers()[0]!.receiver as unknown as {
    remoteStreams: Record<number, WeriftStreamStatistics | undefined>;
  };
  // A packet each check until werift has counted one (the first may come before the SFU's SRTP is ready).
  await waitFor(() => {
    if (Object.values(receiver.remoteStreams).length > 0) return true;
    pub.send('audio');
    return false;
  }, "werift's statistics of the publisher's stream");
  const live = Object.values(receiver.remoteStreams)[0]!;
  assert.equal(
    statisticsAddDigest(live),
    WERIFT_STATISTICS_ADD_SHA256,
    "werift's StreamStatistics.add is the one receivedStatistics.ts was written from",
  );
  assert.equal(addIsKnown(live), true);

  const Statistics = live.constructor as new (clockRate: number) => WeriftStreamStatistics;
  const step = fc.record({
    // Mostly in order, with reordering, repeats, and jumps across the 16-bit wrap.
    seqStep: fc.oneof(fc.constant(1), fc.integer({ min: -40, max: 40 }), fc.integer({ min: 0, max: 0xffff })),
    tsStep: fc.oneof(fc.constant(960), fc.constant(0), fc.integer({ min: -5000, max: 100_000 })),
    payload: fc.nat(1200),
    // Seconds since the last packet, as werift's default `now` (the wall clock in seconds) moves.
    elapsed: fc.double({ min: 0, max: 2, noNaN: true }),
  });
  fc.assert(
    fc.property(
      fc.constantFrom(48_000, 90_000, 8_000),
      fc.integer({ min: 0, max: 0xffff }),
      fc.nat(0xffff_ffff),
      fc.double({ min: 1e9, max: 2e9, noNaN: true }),
      fc.array(step, { minLength: 1, maxLength: 60 }),
      (clockRate, seq0, ts0, now0, steps) => {
        const werift = new Statistics(clockRate);
        const lean = new Statistics(clockRate);
        let seq = seq0;
        let ts = ts0;
        let now = now0;
        for (const s of steps) {
          const packet = new RtpPacket(
            new RtpHeader({ sequenceNumber: seq, timestamp: ts, payloadType: 111, ssrc: 1 }),
            Buffer.alloc(s.payload),
          );
          const before = performance.timeOrigin + performance.now();
          werift.add(packet, now);
          addReceived(lean, packet, now);
          const after = performance.timeOrigin + performance.now();
          const { lastPacketReceivedTimestamp: a, ...weriftFields } = werift as unknown as Record<
            string,
            unknown
          >;
          const { lastPacketReceivedTimestamp: b, ...leanFields } = lean as unknown as Record<
            string,
            unknown
          >;
          assert.deepEqual(leanFields, weriftFields);
          assert.ok(
            (b as number) >= before && (b as number) <= after,
            'the arrival stamp is the stats clock',
          );
          assert.equal(typeof a, 'number');
          seq = (seq + s.seqStep + 0x10000) & 0xffff;
          ts = (ts + s.tsStep + 0x1_0000_0000) % 0x1_0000_0000;
          now += s.elapsed;
        }
      },
    ),
    { numRuns: 300 },
  );
});
