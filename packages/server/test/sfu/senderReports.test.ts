import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { type RtcpPacket, RtcpSrPacket } from 'werift';
import { SfuRouter } from '../../src/sfu/index.js';
import { closeAll, TestPlayer, TestPublisher } from './support/clients.js';
import { type LoopbackStun, startLoopbackStun } from './support/loopbackStun.js';
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
