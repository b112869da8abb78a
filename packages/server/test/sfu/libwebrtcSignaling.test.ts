/**
 * libwebrtc (through @roamhq/wrtc) against a whole Parley server, as a browser would use it: logged in over
 * signaling, ICE servers from `hello`, the offer in `publish`, the SFU's offer from `play` answered with
 * `playAnswer`. Real VP8 and Opus, encoded and decoded by libwebrtc.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { type Harness, startHarness } from '../support/harness.js';
import { health, iceServersOf, ok, publishMedia } from '../support/mediaSignaling.js';
import type { RawClient } from '../support/RawClient.js';
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

let h: Harness;
before(async () => {
  h = await startHarness();
});
after(async () => {
  await h.close();
  exitBeforeWrtcTeardown();
});

/** True if `c` received any streamUpdate event. */
const heardOfStreams = (c: RawClient): boolean =>
  c.frames.some((f) => f.t === 'evt' && f.ev.type === 'streamUpdate');

/** Plays `streamID` over `c`'s signaling with a libwebrtc player; resolves once connected. */
async function playWithWrtc(c: RawClient, streamID: string, player: WrtcPlayer) {
  const data = ok(await c.request('play', { streamID }));
  await player.answer(data['sdp'] as string, async (sdp) =>
    ok(await c.request('playAnswer', { streamID, sdp })),
  );
  return data;
}

test('libwebrtc publishes over signaling, the room hears of it once media flows, libwebrtc plays and decodes it', {
  skip,
}, async (t) => {
  const alice = await h.login('lw-sig', 'alice');
  const bob = await h.login('lw-sig', 'bob');
  const pub = new WrtcPublisher({ iceServers: iceServersOf(alice) });
  const player = new WrtcPlayer({ iceServers: iceServersOf(bob) });
  t.after(async () => {
    await pub.close();
    await player.close();
  });

  await pub.negotiate(async (sdp) => {
    const data = ok(await alice.request('publish', { roomID: 'lw-sig', streamID: 'lw-cam', sdp }));
    assert.equal(typeof data['sdp'], 'string', 'the reply carries the answer');
    return data['sdp'] as string;
  });
  // Connected (ICE and DTLS up) but nothing fed to the sources yet: libwebrtc sends no RTP, so the room has
  // not been told and neither has the publisher.
  await bob.sync();
  await alice.sync();
  assert.equal(heardOfStreams(bob), false, 'no ADD before media flows');
  assert.equal(alice.events('publishMediaFlowing').length, 0, 'no publishMediaFlowing before media flows');
  assert.equal((await health(h.server)).mediaTransports, 1);

  pub.start(30);
  assert.deepEqual(await alice.waitEvent('publishMediaFlowing'), {
    type: 'publishMediaFlowing',
    streamID: 'lw-cam',
  });
  const add = await bob.waitEvent('streamUpdate');
  assert.equal(add.updateType, 'ADD');
  assert.deepEqual(add.streams, [
    { streamID: 'lw-cam', user: { userID: 'alice', userName: 'name-alice' }, extraInfo: '' },
  ]);

  const playStarted = performance.now();
  const data = await playWithWrtc(bob, 'lw-cam', player);
  assert.equal(data['audio'], 'OPEN');
  assert.equal(data['video'], 'OPEN');
  const target = 60;
  await waitFor(
    () => player.frames.length >= target && player.audio.length >= 100,
    () =>
      `${target} decoded frames and 1 s of audio (have ${player.frames.length} frames, ${player.audio.length} chunks)`,
    20_000,
  );
  const firstFrameMs = player.frames[0]!.at - playStarted;
  await assertLoopbackPair(pub.pc, 'publisher');
  await assertLoopbackPair(player.pc, 'player');
  // Every decoded frame shows the frame sent (size, counter, ramp); the audio is the sine.
  assertDecodedMedia(player);
  assert.equal((await health(h.server)).mediaTransports, 2);

  // Stopping releases both transports; the room hears of the stream going.
  ok(await bob.request('stopPlay', { streamID: 'lw-cam' }));
  await waitFor(async () => (await health(h.server)).mediaTransports === 1, 'the player transport to close');
  ok(await alice.request('unpublish', { streamID: 'lw-cam' }));
  const del = await bob.waitEvent('streamUpdate', (e) => e.updateType === 'DELETE');
  assert.deepEqual(del.reasons, [{ stream_id: 'lw-cam', code: 1 }]);
  await waitFor(
    async () => (await health(h.server)).mediaTransports === 0,
    'the publisher transport to close',
  );
  const inbound = await rtpStats(player.pc, 'inbound-rtp', 'video');
  console.log(
    `libwebrtc → signaling + SFU → libwebrtc: first decoded frame ${firstFrameMs.toFixed(0)} ms after play; ` +
      `${player.frames.length} frames decoded (${pub.framesSent} fed), ${player.audio.length} audio chunks; ` +
      `player PLI ${inbound?.pliCount}, NACK ${inbound?.nackCount}, lost ${inbound?.packetsLost}`,
  );
  await alice.close();
  await bob.close();
});

test('a werift client publishes over signaling, a libwebrtc player plays it over signaling', {
  skip,
}, async (t) => {
  const carol = await h.login('lw-mix', 'carol');
  const dan = await h.login('lw-mix', 'dan');
  const pub = await publishMedia(carol, 'lw-mix', 'werift-cam');
  const player = new WrtcPlayer({ iceServers: iceServersOf(dan) });
  const stop = pub.pump(10);
  t.after(async () => {
    stop();
    await pub.close();
    await player.close();
  });
  await carol.waitEvent('publishMediaFlowing');
  assert.equal((await dan.waitEvent('streamUpdate')).updateType, 'ADD');

  await playWithWrtc(dan, 'werift-cam', player);
  await assertLoopbackPair(player.pc, 'player');
  let audio: Record<string, unknown> | undefined;
  let video: Record<string, unknown> | undefined;
  await waitFor(async () => {
    audio = await rtpStats(player.pc, 'inbound-rtp', 'audio');
    video = await rtpStats(player.pc, 'inbound-rtp', 'video');
    return Number(audio?.packetsReceived ?? 0) >= 50 && Number(video?.packetsReceived ?? 0) >= 50;
  }, 'libwebrtc inbound RTP');
  // libwebrtc asks for a keyframe when it starts receiving video; the SFU passes it on to the publisher.
  await waitFor(() => pub.plisReceived >= 1, 'a keyframe request at the werift publisher');
  // The payloads are synthetic, not decodable VP8: libwebrtc counts them but decodes nothing.
  console.log(
    `werift → signaling + SFU → libwebrtc: ${audio?.packetsReceived} audio and ${video?.packetsReceived} ` +
      `video packets, ${video?.framesDecoded} frames decoded, PLI ${video?.pliCount}, ` +
      `publisher PLIs received ${pub.plisReceived}`,
  );

  ok(await dan.request('stopPlay', { streamID: 'werift-cam' }));
  ok(await carol.request('unpublish', { streamID: 'werift-cam' }));
  await waitFor(async () => (await health(h.server)).mediaTransports === 0, 'every transport to close');
  await carol.close();
  await dan.close();
});
