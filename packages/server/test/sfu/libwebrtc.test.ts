/**
 * The SFU against an independent WebRTC stack: libwebrtc through @roamhq/wrtc. Real VP8 and Opus, encoded by
 * libwebrtc from synthetic frames and a sine, forwarded by the SFU, decoded by libwebrtc again.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { SfuRouter } from '../../src/sfu/index.js';
import { closeAll, TestPlayer, TestPublisher } from './support/clients.js';
import { type LoopbackStun, startLoopbackStun } from './support/loopbackStun.js';
import { waitFor } from './support/waitFor.js';
import {
  assertDecodedMedia,
  assertLoopbackPair,
  exitBeforeWrtcTeardown,
  rtpStats,
  wrtcSkip as skip,
  WrtcPlayer,
  WrtcPublisher,
} from './support/wrtc.js';

// Skipped unless loopback is the only interface (see wrtcSkip).

let stun: LoopbackStun;
before(async () => {
  stun = await startLoopbackStun();
});
after(async () => {
  await stun.close();
  exitBeforeWrtcTeardown();
});

test('libwebrtc publisher → SFU → libwebrtc player: decoded video shows the frames sent, audio plays', {
  skip,
}, async (t) => {
  const router = new SfuRouter();
  const pub = new WrtcPublisher();
  const player = new WrtcPlayer();
  t.after(() => closeAll(router, pub, player));

  pub.start(30);
  await pub.publish(router, 'stream-lw');
  const video = router.publisher('stream-lw')!.producer('video')!;
  assert.equal(video.mimeType.toLowerCase(), 'video/vp8', 'the SFU picked VP8 from the libwebrtc offer');
  assert.equal(router.publisher('stream-lw')!.producer('audio')!.mimeType.toLowerCase(), 'audio/opus');

  const playStarted = performance.now();
  await player.play(router, 'player-lw', 'stream-lw');
  const target = 60;
  await waitFor(
    () => player.frames.length >= target && player.audio.length >= 100,
    () =>
      `${target} decoded frames and 1 s of audio (have ${player.frames.length} frames, ${player.audio.length} chunks)`,
    20_000,
  );
  const firstFrameMs = player.frames[0]!.at - playStarted;

  for (const pc of [pub.pc, player.pc]) await assertLoopbackPair(pc, pc === pub.pc ? 'publisher' : 'player');
  const offered = pub.offerSdp.split('\r\n').filter((l) => l.startsWith('a=candidate:'));
  assert.ok(offered.length > 0, 'the publisher offered a loopback candidate');
  assert.ok(
    offered.every((l) => l.split(' ')[4] === '127.0.0.1'),
    'the SFU saw 127.0.0.1 candidates only',
  );

  // Every decoded frame shows the frame sent (size, counter, ramp); the audio is the sine.
  assertDecodedMedia(player);
  // ... protected by the SFU's own SRTP contexts towards libwebrtc, both ways.
  const srtp = [router.publisher('stream-lw')!.fastSrtpProfile, router.player('player-lw')!.fastSrtpProfile];
  assert.ok(
    srtp.every((p) => p !== null),
    `the SFU's SRTP contexts are in use (${srtp.join(', ')})`,
  );

  const inbound = await rtpStats(player.pc, 'inbound-rtp', 'video');
  const outbound = await rtpStats(pub.pc, 'outbound-rtp', 'video');
  const pubStats = await router.publisher('stream-lw')!.getStats();
  console.log(
    `libwebrtc → SFU → libwebrtc: first decoded frame ${firstFrameMs.toFixed(0)} ms after play(); ` +
      `${player.frames.length} frames decoded (${pub.framesSent} fed), ${player.audio.length} audio chunks; ` +
      `publisher: ${outbound?.framesEncoded} encoded, ${outbound?.keyFramesEncoded} keyframes, ` +
      `PLI ${outbound?.pliCount}, FIR ${outbound?.firCount}, NACK ${outbound?.nackCount}; ` +
      `player: ${inbound?.framesDecoded} decoded, ${inbound?.keyFramesDecoded} keyframes, ` +
      `PLI ${inbound?.pliCount}, FIR ${inbound?.firCount}, NACK ${inbound?.nackCount}, lost ${inbound?.packetsLost}; ` +
      `SFU PLIs sent ${pubStats.pliCount}; dropped candidates pub ${pub.dropped.length}, player ${player.dropped.length}; ` +
      `SRTP publisher ${srtp[0]}, player ${srtp[1]}`,
  );
});

test('libwebrtc publisher → SFU → werift player: RTP arrives on the offered SSRCs', { skip }, async (t) => {
  const router = new SfuRouter();
  const pub = new WrtcPublisher();
  const player = new TestPlayer(stun);
  t.after(() => closeAll(router, pub, player));

  pub.start(30);
  await pub.publish(router, 'stream-mix');
  await player.play(router, 'player-werift', 'stream-mix');
  await waitFor(
    () => player.received.video.length >= 100 && player.received.audio.length >= 50,
    () =>
      `RTP at the werift player (${player.received.video.length} video, ${player.received.audio.length} audio)`,
    20_000,
  );
  for (const kind of ['audio', 'video'] as const) {
    const list = player.received[kind];
    assert.ok(
      list.every((p) => p.ssrc === player.ssrcOf(kind)),
      `${kind}: every packet on the consumer's SSRC`,
    );
    for (let i = 1; i < list.length; i++) {
      const gap = (list[i]!.seq - list[i - 1]!.seq + 0x10000) & 0xffff;
      assert.ok(
        gap >= 1 && gap < 100,
        `${kind}: sequence moves forward (${list[i - 1]!.seq} → ${list[i]!.seq})`,
      );
    }
  }
});

test('werift publisher → SFU → libwebrtc player: RTP is received and counted by libwebrtc', {
  skip,
}, async (t) => {
  const router = new SfuRouter({ keyframeRequestIntervalMs: 200 });
  const pub = new TestPublisher(stun);
  const player = new WrtcPlayer();
  t.after(() => closeAll(router, pub, player));

  await pub.publish(router, 'stream-rev');
  const stop = pub.pump(10);
  t.after(stop);
  await player.play(router, 'player-lw', 'stream-rev');
  let audio: Record<string, unknown> | undefined;
  let video: Record<string, unknown> | undefined;
  await waitFor(async () => {
    audio = await rtpStats(player.pc, 'inbound-rtp', 'audio');
    video = await rtpStats(player.pc, 'inbound-rtp', 'video');
    return Number(audio?.packetsReceived ?? 0) >= 50 && Number(video?.packetsReceived ?? 0) >= 50;
  }, 'libwebrtc inbound RTP');
  assert.ok(pub.plisReceived >= 1, 'the SFU asked the werift publisher for a keyframe');
  // The payloads are synthetic, not decodable VP8: libwebrtc counts them but decodes nothing.
  console.log(
    `werift → SFU → libwebrtc: ${audio?.packetsReceived} audio and ${video?.packetsReceived} video packets, ` +
      `${video?.framesDecoded} frames decoded, PLI ${video?.pliCount}, FIR ${video?.firCount}, NACK ${video?.nackCount}`,
  );
});
