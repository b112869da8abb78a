import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  type RTCDtlsTransport,
  RTCRtpSender,
  type RtcpPacket,
  RtcpPacketConverter,
  RtcpSenderInfo,
  RtcpSourceDescriptionPacket,
  RtcpSrPacket,
  SourceDescriptionChunk,
  SourceDescriptionItem,
  SrtcpSession,
} from 'werift';
import { FastRtpSender } from '../../src/sfu/FastRtpSender.js';
import { SfuRouter } from '../../src/sfu/index.js';
import { type LastSent, SenderReports } from '../../src/sfu/SenderReports.js';
import { routeOf } from '../../src/sfu/werift/PairRoute.js';
import { dtlsFieldsOf } from '../../src/sfu/werift/senderFields.js';
import { iceConnectionOf, senderInternals, type WeriftIceConnection } from '../../src/sfu/werift/shapes.js';
import { closeAll, TestPlayer, TestPublisher } from './support/clients.js';
import { liteIceConnection } from './support/liteIce.js';
import { type LoopbackStun, startLoopbackStun } from './support/loopbackStun.js';
import { boundSocket, pairOver, receiver } from './support/udpPairs.js';
import { waitFor } from './support/waitFor.js';

let stun: LoopbackStun;
before(async () => {
  stun = await startLoopbackStun();
});
after(async () => {
  await stun.close();
});

/** A sender report as the player got it, with what the player had received by then. */
interface ReportSeen {
  kind: 'audio' | 'video';
  at: number;
  ntpMs: number;
  rtpTimestamp: number;
  packetCount: number;
  receivedBefore: number;
  lastTs: number | undefined;
  lastAt: number | undefined;
}

const NTP_UNIX_OFFSET_S = 2_208_988_800;

test('the SFU sends each player RTCP sender reports: wall clock, RTP time of that moment, counts', async (t) => {
  const router = new SfuRouter();
  const pub = new TestPublisher(stun);
  const player = new TestPlayer(stun);
  t.after(() => closeAll(router, pub, player));
  const reports: ReportSeen[] = [];
  const lastRtp: Record<'audio' | 'video', { ts: number; at: number } | undefined> = {
    audio: undefined,
    video: undefined,
  };
  player.pc.onTrack.subscribe((track) => {
    const kind = track.kind as 'audio' | 'video';
    track.onReceiveRtp.subscribe((p) => {
      lastRtp[kind] = { ts: p.header.timestamp, at: Date.now() };
    });
    track.onReceiveRtcp.subscribe((packet: RtcpPacket) => {
      if (!(packet instanceof RtcpSrPacket)) return;
      const info = packet.senderInfo;
      const seconds = Number(info.ntpTimestamp >> 32n) - NTP_UNIX_OFFSET_S;
      const fraction = Number(info.ntpTimestamp & 0xffffffffn) / 2 ** 32;
      reports.push({
        kind,
        at: Date.now(),
        ntpMs: (seconds + fraction) * 1000,
        rtpTimestamp: info.rtpTimestamp,
        packetCount: info.packetCount,
        receivedBefore: player.received[kind].length,
        lastTs: lastRtp[kind]?.ts,
        lastAt: lastRtp[kind]?.at,
      });
    });
  });
  await pub.publish(router, 's');
  const stop = pub.pump(20); // 50 packets/s of each kind
  t.after(stop);
  await player.play(router, 'p', 's');
  const of = (kind: 'audio' | 'video') => reports.filter((r) => r.kind === kind);
  await waitFor(
    () => of('video').length >= 3 && of('audio').length >= 1,
    'three video and one audio report',
    10_000,
  );

  for (const r of reports) {
    assert.ok(Math.abs(r.ntpMs - r.at) < 200, `${r.kind} report NTP time ${r.ntpMs - r.at} ms from now`);
    assert.ok(
      Math.abs(r.packetCount - r.receivedBefore) <= 3,
      `${r.kind} report counts ${r.packetCount} packets, the player had ${r.receivedBefore}`,
    );
    // The RTP timestamp of the report's moment: the newest packet's, plus the time since, at the clock rate.
    const clockRate = r.kind === 'audio' ? 48_000 : 90_000;
    const expected = r.lastTs! + ((r.at - r.lastAt!) * clockRate) / 1000;
    const off = ((r.rtpTimestamp - expected + 2 ** 31) % 2 ** 32) - 2 ** 31;
    assert.ok(Math.abs(off) < clockRate * 0.06, `${r.kind} report RTP time off by ${off} ticks`);
  }
  // libwebrtc's intervals, randomized 0.5–1.5×: video every ~1 s, audio every ~5 s.
  const video = of('video');
  for (let i = 1; i < video.length; i++) {
    const gap = video[i]!.at - video[i - 1]!.at;
    assert.ok(gap >= 400 && gap <= 1700, `video reports ${gap} ms apart`);
  }
  const audio = of('audio');
  for (let i = 1; i < audio.length; i++) {
    const gap = audio[i]!.at - audio[i - 1]!.at;
    assert.ok(gap >= 2400, `audio reports ${gap} ms apart`);
  }
  // The player's receiver reports echo them: the SFU knows the round-trip time.
  await waitFor(async () => (await player.transport!.getStats()).rtt !== null, 'an RTT from the reports');
  const { rtt } = await player.transport!.getStats();
  assert.ok(rtt !== null && rtt >= 0 && rtt < 0.1, `RTT ${rtt} s on loopback`);
  console.log(
    `${video.length} video / ${of('audio').length} audio reports; RTT ${(rtt! * 1000).toFixed(2)} ms`,
  );
  stop();
});

test("in a session, each report is counted on the player's DTLS transport and its ICE pair alike", async (t) => {
  const router = new SfuRouter();
  const pub = new TestPublisher(stun, { kinds: ['video'] }); // one stream: one report at a time
  const player = new TestPlayer(stun);
  t.after(() => closeAll(router, pub, player));
  type Counters = { dtlsPackets: number; dtlsBytes: number; pairPackets: number; pairBytes: number };
  let counters: (() => Counters) | null = null;
  const atReport: Counters[] = [];
  player.pc.onTrack.subscribe((track) => {
    track.onReceiveRtcp.subscribe((packet) => {
      if (packet instanceof RtcpSrPacket && counters) atReport.push(counters());
    });
  });
  await pub.publish(router, 's');
  const stop = pub.pump(20);
  t.after(stop);
  const transport = await player.play(router, 'p', 's');
  await waitFor(() => player.received.video.length > 0, 'video at the player');
  stop();
  await waitFor(() => player.received.video.at(-1)?.counter === pub.counter.video, 'the last packet');

  // From here on the server sends this player reports only: between two reports the player gets, the
  // server's DTLS transport and its nominated pair each count one packet, of the same size.
  const dtls = (transport as any).pc.getTransceivers()[0].dtlsTransport as RTCDtlsTransport;
  const ice = iceConnectionOf(dtls);
  const pair = ice.nominated!;
  counters = () => {
    // What werift's stats read: its getStats adds what the fast paths and reports counted first.
    dtlsFieldsOf(dtls).beforeWerift();
    routeOf(ice).flush();
    return {
      dtlsPackets: dtls.packetsSent,
      dtlsBytes: dtls.bytesSent,
      pairPackets: pair.packetsSent,
      pairBytes: pair.bytesSent,
    };
  };
  await waitFor(() => atReport.length >= 3, 'three more reports', 10_000);
  assert.equal(routeOf(ice).direct, true, "reports and media go straight to the pair's socket");
  for (let i = 1; i < atReport.length; i++) {
    const [a, b] = [atReport[i - 1]!, atReport[i]!];
    assert.equal(b.dtlsPackets - a.dtlsPackets, 1, 'one report counted on the DTLS transport');
    assert.equal(b.pairPackets - a.pairPackets, 1, 'one report counted on the pair');
    assert.ok(b.dtlsBytes - a.dtlsBytes > 28, 'an SR and more');
    assert.equal(b.pairBytes - a.pairBytes, b.dtlsBytes - a.dtlsBytes, 'the same bytes on both');
  }
});

test('while packets flow the passes run on their nudges, one a tick; with none, on the timer', async (t) => {
  const reports = new SenderReports({ tickMs: 1000 });
  t.after(() => reports.close());
  const passes: (number | undefined)[] = [];
  const tick = reports.tick.bind(reports);
  reports.tick = (now?: number) => {
    passes.push(now);
    tick(now);
  };
  // No packet sent yet: each pass only looks.
  reports.add(
    new RTCRtpSender('audio'),
    'audio',
    { packetCount: 0, octetCount: 0, hasSent: false },
    () => null,
  );
  // Packets forwarded at these times (far ahead of the clock, so the timer's own passes cannot come between).
  const at = performance.now() + 1e9;
  for (const ms of [0, 10, 990, 1000, 1500, 2010, 2020]) reports.nudge(at + ms);
  assert.deepEqual(passes, [at, at + 1000, at + 2010], 'a pass when the last is a tick old, none between');

  // No packets: the timer's passes (every two ticks) still run.
  const idle = new SenderReports({ tickMs: 5 });
  t.after(() => idle.close());
  let looked = 0;
  const counts = {
    packetCount: 0,
    octetCount: 0,
    get hasSent() {
      looked += 1;
      return false;
    },
  };
  idle.add(new RTCRtpSender('audio'), 'audio', counts, () => null);
  await waitFor(() => looked >= 3, "the timer's passes");
});

test('a report is due 0.5–1.5 s after the first packet, never before it, never once the sender stopped', async (t) => {
  // The SFU's own werift objects (ICE-lite, one transport) with the DTLS handshake stood in for: its SRTCP
  // session (werift's own, zero keys) and state. The nominated pair is a real socket to the player's.
  const { pc, ice } = await liteIceConnection<WeriftIceConnection>();
  const { sender, dtlsTransport: dtls } = pc.getTransceivers()[0]!;
  const local = await boundSocket();
  const player = await receiver();
  // The test steps the time itself (tick): the timer's own passes must not come in between.
  const reports = new SenderReports({ tickMs: 3_600_000 });
  t.after(async () => {
    reports.close();
    await pc.close();
    local.close();
    player.socket.close();
  });
  const keys = { localMasterKey: Buffer.alloc(16), localMasterSalt: Buffer.alloc(14) };
  const config = {
    keys: { ...keys, remoteMasterKey: keys.localMasterKey, remoteMasterSalt: keys.localMasterSalt },
    profile: 1,
  };
  dtls.srtcp = new SrtcpSession(config);
  (dtls as unknown as { state: string }).state = 'connected';
  const pair = pairOver(local, player.socket);
  ice.nominated = pair;
  const werift = senderInternals(sender);
  werift.cname = 'player-cname';
  const counts = new FastRtpSender(sender); // the consumer's fast path: the sender's counters
  let last: LastSent | null = null;
  reports.add(sender, 'video', counts, () => last);

  /**
   * What werift's stats read of the DTLS transport and the pair. This pair is not one of the connection's
   * candidate pairs (werift's ICE stats list those), so the route's count is added as its hook would add it.
   */
  const sentCounts = async () => {
    routeOf(ice).flush();
    const transport = (await dtls.getStats()).find((s) => s.type === 'transport') as
      | { packetsSent: number; bytesSent: number }
      | undefined;
    assert.ok(transport, "werift's transport stats");
    return {
      pairPackets: pair.packetsSent,
      pairBytes: pair.bytesSent,
      dtlsPackets: transport.packetsSent,
      dtlsBytes: transport.bytesSent,
    };
  };

  let now = 1_000_000;
  /** Steps the clock by passes of 100 ms until `until` holds (or `ms` passed); returns the time it took. */
  const step = (ms: number, until: () => boolean = () => false): number => {
    const start = now;
    while (now - start < ms && !until()) {
      now += 100;
      reports.tick(now);
    }
    return now - start;
  };
  last = { rtpTimestamp: 0xffff_fff0, at: performance.now(), clockRate: 90_000 };
  step(10_000);
  assert.equal(reports.sent, 0, 'no report before the first packet is sent');

  // The first packet, as werift's sender counts it (its own pipeline's count).
  werift.packetCount = 5;
  werift.octetCount = 500;
  const firstAfter = step(2000, () => reports.sent === 1);
  assert.ok(firstAfter >= 500 && firstAfter <= 1600, `first report ${firstAfter} ms after the first packet`);
  const datagram = await player.next();
  let counted = await sentCounts();
  assert.equal(counted.pairPackets, 1, "the pair counts the report (werift's candidate-pair stats)");
  assert.equal(counted.pairBytes, datagram.length);
  assert.equal(counted.dtlsPackets, 1, "the DTLS transport counts it, as werift's sendRtcp does");
  assert.equal(counted.dtlsBytes, datagram.length);

  // The bytes werift's own report loop would send: an SR with the sender's counts, then its CNAME.
  const plain = new SrtcpSession(config).decrypt(datagram);
  const [sr, sdes] = RtcpPacketConverter.deSerialize(plain);
  assert.ok(sr instanceof RtcpSrPacket && sdes instanceof RtcpSourceDescriptionPacket);
  const { ntpTimestamp, rtpTimestamp } = sr.senderInfo;
  const expected = Buffer.concat([
    new RtcpSrPacket({
      ssrc: sender.ssrc,
      senderInfo: new RtcpSenderInfo({ ntpTimestamp, rtpTimestamp, packetCount: 5, octetCount: 500 }),
    }).serialize(),
    new RtcpSourceDescriptionPacket({
      chunks: [
        new SourceDescriptionChunk({
          source: sender.ssrc,
          items: [new SourceDescriptionItem({ type: 1, text: 'player-cname' })],
        }),
      ],
    }).serialize(),
  ]);
  assert.deepEqual(plain, expected);
  const ntpMs =
    (Number(ntpTimestamp >> 32n) - 2_208_988_800 + Number(ntpTimestamp & 0xffff_ffffn) / 2 ** 32) * 1000;
  assert.ok(Math.abs(ntpMs - Date.now()) < 200, 'the wall clock of the moment it was sent');
  const ticks = (rtpTimestamp - last.rtpTimestamp + 2 ** 32) % 2 ** 32;
  assert.ok(ticks < 90 * 200, `the RTP time of that moment (${ticks} ticks after the newest packet)`);
  assert.equal(werift.lastSRtimestamp, Number((ntpTimestamp >> 16n) & 0xffff_ffffn), 'the LSR werift reads');
  assert.ok(Math.abs(werift.lastSentSRTimestamp! - Date.now() / 1000) < 1);

  // Then every 0.5–1.5 s (video), each counted.
  werift.packetCount = 9;
  const gap = step(2000, () => reports.sent === 2);
  assert.ok(gap >= 500 && gap <= 1600, `next report ${gap} ms later`);
  const second = await player.next();
  assert.equal(RtcpPacketConverter.deSerialize(new SrtcpSession(config).decrypt(second)).length, 2);
  counted = await sentCounts();
  assert.equal(counted.pairPackets, 2);
  assert.equal(counted.pairBytes, datagram.length + second.length);
  assert.equal(counted.dtlsPackets, 2);
  assert.equal(counted.dtlsBytes, datagram.length + second.length);

  sender.stop();
  step(10_000);
  assert.equal(reports.sent, 2, 'a stopped sender sends no report');
  counted = await sentCounts();
  assert.equal(counted.pairPackets, 2);
  assert.equal(counted.dtlsPackets, 2);
});
