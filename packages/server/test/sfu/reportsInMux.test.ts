/**
 * A player's receiver reports taken in the UDP mux (werift/reportsInMux.ts): applied to werift's senders as
 * werift's own `handleRtcpPacket` applies them, only for compounds of RR and SDES about the senders; what else
 * a player sends still reaches werift's handlers, decrypted once.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import fc from 'fast-check';
import { RTCRtpSender, RtcpPacketConverter } from 'werift';
import { SfuRouter } from '../../src/sfu/index.js';
import { applyReports } from '../../src/sfu/werift/reportsInMux.js';
import type { WeriftReportedFields, WeriftRtpRouter } from '../../src/sfu/werift/shapes.js';
import { closeAll, TestPlayer, TestPublisher } from './support/clients.js';
import { type LoopbackStun, startLoopbackStun } from './support/loopbackStun.js';
import { waitFor } from './support/waitFor.js';

let stun: LoopbackStun;
before(async () => {
  stun = await startLoopbackStun();
});
after(() => stun.close());

interface Block {
  ssrc: number;
  fraction: number;
  lost: number;
  lsr: number;
  dlsr: number;
}

/** An RR with `blocks` (RFC 3550 §6.4.2), from reporter SSRC 1. */
function rr(blocks: Block[]): Buffer {
  const out = Buffer.alloc(8 + 24 * blocks.length);
  out[0] = 0x80 | blocks.length;
  out[1] = 201;
  out.writeUInt16BE(out.length / 4 - 1, 2);
  out.writeUInt32BE(1, 4);
  blocks.forEach((b, i) => {
    const at = 8 + 24 * i;
    out.writeUInt32BE(b.ssrc, at);
    out[at + 4] = b.fraction;
    out.writeUIntBE(b.lost, at + 5, 3);
    out.writeUInt32BE(1000 + i, at + 8); // highest sequence number
    out.writeUInt32BE(b.lsr, at + 16);
    out.writeUInt32BE(b.dlsr, at + 20);
  });
  return out;
}

/** An SDES packet with one CNAME chunk. */
function sdes(): Buffer {
  const out = Buffer.alloc(16);
  out[0] = 0x81;
  out[1] = 202;
  out.writeUInt16BE(3, 2);
  out.writeUInt32BE(1, 4);
  out[8] = 1; // CNAME
  out[9] = 4;
  out.write('abcd', 10);
  return out;
}

/** A PLI (RFC 4585 §6.3.1) about `ssrc`. */
function pli(ssrc: number): Buffer {
  const out = Buffer.alloc(12);
  out[0] = 0x81;
  out[1] = 206;
  out.writeUInt16BE(2, 2);
  out.writeUInt32BE(1, 4);
  out.writeUInt32BE(ssrc, 8);
  return out;
}

const REPORTED = [
  'remotePacketsLost',
  'remoteFractionLost',
  'roundTripTimeMeasurements',
  'totalRoundTripTime',
  'rtt',
] as const;

/** Two senders of SSRC `ssrc` that sent their last report `sentAgo` s ago, with LSR `lsr`. */
function twins(ssrc: number, lsr: number, sentAgo: number): [RTCRtpSender, RTCRtpSender] {
  const pair = [new RTCRtpSender('audio'), new RTCRtpSender('audio')] as const;
  for (const s of pair) {
    const f = s as unknown as { ssrc: number; lastSRtimestamp: number; lastSentSRTimestamp: number };
    f.ssrc = ssrc;
    f.lastSRtimestamp = lsr;
    f.lastSentSRTimestamp = Date.now() / 1000 - sentAgo;
  }
  return [pair[0], pair[1]];
}

function fields(sender: RTCRtpSender): Record<(typeof REPORTED)[number], number | undefined> {
  const f = sender as unknown as WeriftReportedFields;
  return Object.fromEntries(REPORTED.map((k) => [k, f[k]])) as Record<(typeof REPORTED)[number], number>;
}

test('a receiver report updates the sender as werift’s handleRtcpPacket does', () => {
  const block = fc.record({
    fraction: fc.nat(255),
    lost: fc.nat(0xffffff),
    // An LSR that echoes the sender's last report, or another one (then no RTT).
    echoes: fc.boolean(),
    dlsr: fc.oneof(fc.constant(0), fc.nat(0xffffff)),
  });
  fc.assert(
    fc.property(
      fc.array(block, { minLength: 1, maxLength: 3 }),
      fc.double({ min: 0.01, max: 5 }),
      (blocks, ago) => {
        const ssrc = 0x1234_5678;
        const lsr = 0xabcd_0123;
        const [werift, ours] = twins(ssrc, lsr, ago);
        const bytes = rr(
          blocks.map((b) => ({
            ssrc,
            fraction: b.fraction,
            lost: b.lost,
            lsr: b.echoes ? lsr : lsr + 1,
            dlsr: b.dlsr,
          })),
        );
        // werift: its parser, then its sender (what its router does: the sender handles the packet once).
        for (const packet of RtcpPacketConverter.deSerialize(bytes)) werift.handleRtcpPacket(packet);
        const router: WeriftRtpRouter = { ssrcTable: { [ssrc]: ours } as never };
        assert.equal(applyReports(Buffer.concat([bytes, sdes()]), router), true);
        const expected = fields(werift);
        const got = fields(ours);
        assert.deepEqual(
          { ...got, rtt: undefined, totalRoundTripTime: undefined },
          { ...expected, rtt: undefined, totalRoundTripTime: undefined },
        );
        // The RTT is computed from the clock at the moment: the two calls are a few ms apart at most.
        if (expected.rtt === undefined) assert.equal(got.rtt, undefined);
        else {
          assert.ok(
            Math.abs(got.rtt! - expected.rtt) < 0.05,
            `rtt ${got.rtt} against werift's ${expected.rtt}`,
          );
          assert.ok(Math.abs(got.totalRoundTripTime! - expected.totalRoundTripTime!) < 0.2);
        }
      },
    ),
    { numRuns: 200 },
  );
});

test('anything but RR and SDES about the senders, or lengths that do not add up, is left to werift', () => {
  const ssrc = 77;
  const [sender] = twins(ssrc, 5, 1);
  const router: WeriftRtpRouter = { ssrcTable: { [ssrc]: sender } as never };
  const report = rr([{ ssrc, fraction: 64, lost: 3, lsr: 5, dlsr: 65536 }]);
  const refused: [string, Buffer][] = [
    ['RR + PLI', Buffer.concat([report, pli(ssrc)])],
    ['a report about an SSRC no sender has', rr([{ ssrc: 78, fraction: 1, lost: 1, lsr: 0, dlsr: 0 }])],
    ['a length past the end', report.subarray(0, report.length - 4)],
    ['a report count past the packet', Buffer.concat([Buffer.from([0x82]), report.subarray(1)])],
    ['a version other than 2', Buffer.concat([Buffer.from([0x41]), report.subarray(1)])],
    ['a truncated header', Buffer.concat([report, Buffer.from([0x80, 201])])],
  ];
  for (const [what, bytes] of refused) {
    assert.equal(applyReports(bytes, router), false, what);
    assert.equal(fields(sender).remotePacketsLost, undefined, `${what}: nothing applied`);
  }
  // A receiver, not a sender, under the SSRC: werift's router hands the report to it.
  assert.equal(applyReports(report, { ssrcTable: { [ssrc]: { stopped: false } } as never }), false);
  assert.equal(applyReports(report, router), true);
  assert.equal(fields(sender).remotePacketsLost, 3);
  assert.equal(fields(sender).remoteFractionLost, 0.25);
});

test("a player's receiver reports are applied in the mux; its feedback still reaches werift", async (t) => {
  const router = new SfuRouter();
  const pub = new TestPublisher(stun);
  const player = new TestPlayer(stun);
  // Every compound werift's RTCP parser reads in this process, by the SSRCs its report blocks name.
  const parse = RtcpPacketConverter.deSerialize;
  const parsedAbout = new Set<number>();
  RtcpPacketConverter.deSerialize = (data: Buffer) => {
    const packets = parse(data);
    for (const p of packets) {
      for (const r of (p as { reports?: { ssrc: number }[] }).reports ?? []) parsedAbout.add(r.ssrc);
    }
    return packets;
  };
  t.after(async () => {
    RtcpPacketConverter.deSerialize = parse;
    await closeAll(router, pub, player);
  });
  await pub.publish(router, 's');
  const transport = await player.play(router, 'p', 's');
  const stop = pub.pump(2);
  t.after(stop);
  await waitFor(() => player.received.video.length > 10, 'video at the player');
  // The player's reports give the SFU its round-trip time, as they did through werift.
  await waitFor(async () => (await transport.getStats()).rtt !== null, 'an RTT from the reports', 10_000);
  const consumers = transport.consumerList.map((c) => c.ssrc);
  assert.ok(consumers.length === 2);
  for (const ssrc of consumers) assert.ok(!parsedAbout.has(ssrc), `werift parsed a report about ${ssrc}`);
  // A keyframe request (feedback) from the player still reaches the consumer through werift's handlers.
  const video = transport.consumer('video')!;
  const before = video.stats().pliCount;
  await player.sendPli('video');
  await waitFor(() => video.stats().pliCount === before + 1, 'the PLI at the consumer', 5_000);
});
