import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { RTCRtpCodecParameters } from 'werift';
import { SfuError, SfuRouter, sfuCodecs } from '../../src/sfu/index.js';
import { handleSnapshot } from '../support/handles.js';
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

async function rejectsWith(promise: Promise<unknown>, code: string): Promise<void> {
  await assert.rejects(promise, (err: unknown) => err instanceof SfuError && err.code === code);
}

test('the SFU is ICE-lite and announces only the configured loopback address', async (t) => {
  const router = new SfuRouter({ ice: { announcedAddresses: ['127.0.0.1'], bindAddress: '127.0.0.1' } });
  const pub = new TestPublisher(stun);
  const player = new TestPlayer(stun);
  t.after(() => closeAll(router, pub, player));
  await pub.publish(router, 's');
  await player.play(router, 'p', 's');
  for (const sdp of [pub.pc.remoteDescription!.sdp, player.offerSdp]) {
    assert.match(sdp, /^a=ice-lite$/m);
    assert.match(sdp, /^a=group:BUNDLE 0 1$/m);
    const candidates = sdp.split('\r\n').filter((l) => l.startsWith('a=candidate:'));
    assert.ok(candidates.length > 0);
    for (const c of candidates) assert.match(c, / udp \d+ 127\.0\.0\.1 \d+ typ host/);
    assert.match(sdp, /a=rtpmap:\d+ (opus|VP8)\//);
  }
  assert.ok(stun.requestsAnswered > 0, 'the clients used the loopback STUN responder, not a default');
});

test('H264 is negotiated when the publisher offers it, and offered to players with its profile', async (t) => {
  const router = new SfuRouter();
  const h264 = new RTCRtpCodecParameters({
    mimeType: 'video/H264',
    clockRate: 90000,
    payloadType: 104,
    parameters: 'level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f',
    rtcpFeedback: [{ type: 'nack' }, { type: 'nack', parameter: 'pli' }],
  });
  const pub = new TestPublisher(stun, {
    kinds: ['video'],
    codecs: { audio: sfuCodecs().audio, video: [h264] },
  });
  t.after(() => closeAll(router, pub));
  // Negotiation only. (Connecting and closing within half a second would leave werift's DTLS flight-5
  // retransmission timer running for about 30 s, which only delays this process's exit.)
  await pub.pc.setLocalDescription(await pub.pc.createOffer());
  const { answerSdp, transport } = await router.publish('s', pub.pc.localDescription!.sdp);
  assert.match(answerSdp, /a=rtpmap:104 H264\/90000/);
  assert.equal(transport.producer('video')!.mimeType.toLowerCase(), 'video/h264');
  assert.equal(transport.producer('audio'), undefined);
  const { offerSdp } = await router.play('p', 's');
  assert.match(offerSdp, /a=rtpmap:\d+ H264\/90000/);
  assert.match(offerSdp, /profile-level-id=42e01f/);
  assert.doesNotMatch(offerSdp, /m=audio/);
});

test('limits and bad input are refused with clear errors', async (t) => {
  const router = new SfuRouter({ maxTransports: 3, maxPlayersPerStream: 1 });
  const pub = new TestPublisher(stun);
  const p1 = new TestPlayer(stun);
  t.after(() => closeAll(router, pub, p1));
  await rejectsWith(router.play('p', 'nothing'), 'STREAM_NOT_FOUND');
  await rejectsWith(router.publish('s', 'not sdp'), 'INVALID_SDP');
  const recvonly = new TestPlayer(stun);
  recvonly.pc.addTransceiver('video', { direction: 'recvonly' });
  await recvonly.pc.setLocalDescription(await recvonly.pc.createOffer());
  await rejectsWith(router.publish('s', recvonly.pc.localDescription!.sdp), 'INVALID_SDP');
  await recvonly.close();
  assert.equal(router.transportCount, 0, 'refused negotiations leave nothing behind');
  await assert.rejects(router.publish('', 'v=0'), TypeError);

  await pub.publish(router, 's');
  const first = await p1.play(router, 'p1', 's');
  await rejectsWith(router.play('p2', 's'), 'PLAYER_LIMIT');
  await rejectsWith(first.setAnswer(p1.pc.localDescription!.sdp), 'INVALID_SDP'); // already answered
  // The same player key again replaces its transport: no limit is hit.
  const { transport: again } = await router.play('p1', 's');
  await waitFor(() => first.closed, 'the replaced player transport to close');
  assert.equal(first.closedBecause, 'replaced');
  assert.equal(router.player('p1'), again);
  assert.equal(router.transportCount, 2);
  const other = await router.publish('other', await offerFromNewClient());
  t.after(() => other.transport.close());
  assert.equal(router.transportCount, 3);
  await rejectsWith(router.publish('third', await offerFromNewClient()), 'TRANSPORT_LIMIT');
  await rejectsWith(router.play('p3', 'other'), 'TRANSPORT_LIMIT');
  assert.equal(router.transportCount, 3);
});

/** A sendonly audio+video offer from a client that goes away at once (only the negotiation matters). */
async function offerFromNewClient(): Promise<string> {
  const extra = new TestPublisher(stun);
  await extra.pc.setLocalDescription(await extra.pc.createOffer());
  const sdp = extra.pc.localDescription!.sdp;
  await extra.close();
  return sdp;
}

test('a transport that never connects closes after the timeout', async (t) => {
  const router = new SfuRouter({ connectTimeoutMs: 300 });
  const pub = new TestPublisher(stun);
  t.after(() => closeAll(router, pub));
  await pub.publish(router, 's');
  const { transport } = await router.play('p', 's');
  await waitFor(() => transport.closed, 'the unanswered player transport to time out');
  assert.equal(transport.closedBecause, 'timeout');
  assert.equal(router.transportCount, 1);
  await rejectsWith(transport.setAnswer('v=0'), 'CLOSED');
});

test('a publisher that vanishes is detected; its players idle, then resume on a new publish', async (t) => {
  const router = new SfuRouter({ inactivityTimeoutMs: 2000, keyframeRequestIntervalMs: 100 });
  const gone = new TestPublisher(stun);
  const next = new TestPublisher(stun, { counterStart: 1_000_000 });
  const player = new TestPlayer(stun);
  t.after(() => closeAll(router, gone, next, player));
  const first = await gone.publish(router, 's');
  const playing = await player.play(router, 'p', 's');
  const stopFirst = gone.pump(2);
  t.after(stopFirst);
  await waitFor(() => player.received.video.length >= 20, 'media');
  stopFirst();
  await gone.close(); // no unpublish: the client just disappears
  await waitFor(() => first.closed, 'the silent publisher transport to close', 6000);
  assert.equal(first.closedBecause, 'inactive');
  assert.equal(playing.consumer('video')!.producer, null, 'the consumer idles');
  assert.ok(!playing.closed, 'the player stays (its RTCP keeps it alive)');

  await next.publish(router, 's');
  const stopNext = next.pump(2);
  t.after(stopNext);
  await waitFor(
    () => player.received.video.filter((p) => p.counter > 1_000_000).length >= 20,
    'the new source',
  );
  const list = player.received.video;
  for (let i = 1; i < list.length; i++) assert.equal(list[i]!.seq, (list[i - 1]!.seq + 1) & 0xffff);
});

test('close() frees every peer connection and socket', async () => {
  const udpSockets = () => process.getActiveResourcesInfo().filter((r) => r === 'UDPWrap').length;
  // In the end only this file's STUN responder may remain, so this also checks that the earlier tests released theirs.
  const baseline = 1;
  const ownStun = await startLoopbackStun();
  const router = new SfuRouter();
  const pub = new TestPublisher(ownStun);
  const players = [new TestPlayer(ownStun), new TestPlayer(ownStun)];
  const publisher = await pub.publish(router, 's');
  const subscribers = await Promise.all(players.map((p, i) => p.play(router, `p${i}`, 's')));
  const stop = pub.pump(2);
  await waitFor(() => players.every((p) => p.received.video.length > 10), 'media');
  stop();
  assert.equal(router.transportCount, 3);
  // The 3 client peers hold a socket each; the SFU's 3 transports share the router's one media socket.
  assert.ok(udpSockets() >= baseline + 5, 'the 3 client peers, the media socket and the STUN responder');
  assert.equal(router.udpMux!.stats().transports, 3, 'one virtual transport per SFU peer connection');
  await router.close();
  assert.equal(router.transportCount, 0);
  assert.deepEqual(
    { transports: router.udpMux!.stats().transports, tuples: router.udpMux!.stats().tuples },
    { transports: 0, tuples: 0 },
  );
  for (const transport of [publisher, ...subscribers]) {
    assert.ok(transport.closed);
    assert.equal(transport.closedBecause, 'routerClosed');
    assert.equal(transport.connectionState, 'closed');
  }
  for (const producer of publisher.producerList) assert.ok(producer.closed);
  for (const consumer of subscribers.flatMap((s) => s.consumerList)) assert.ok(consumer.closed);
  await rejectsWith(router.publish('s', 'v=0'), 'CLOSED');
  await Promise.all([pub.close(), ...players.map((p) => p.close()), ownStun.close()]);
  await waitFor(() => udpSockets() === baseline, `UDP sockets back to ${baseline} (now ${udpSockets()})`);
});

test('close() resolves once the sockets are released, those of transports that closed on their own too', async (t) => {
  const before = handleSnapshot(['UDPWrap']);
  const router = new SfuRouter({ inactivityTimeoutMs: 300 });
  const gone = new TestPublisher(stun);
  t.after(() => closeAll(router, gone));
  const transport = await gone.publish(router, 's');
  const stop = gone.pump(2);
  await waitFor(() => transport.connectionState === 'connected', 'the publisher connected');
  stop();
  await gone.close(); // vanishes: the transport closes itself once it has heard nothing for 300 ms
  // Closing the router in the very turn the transport closes itself, before werift has closed its socket: the
  // router no longer lists the transport, and must still await its release.
  await new Promise<void>((resolve) => {
    transport.once('close', () => resolve(router.close()));
  });
  assert.equal(transport.closedBecause, 'inactive');
  // The client's sockets went hundreds of loop turns ago; the SFU's must be gone now, not a moment later.
  assert.deepEqual(handleSnapshot(['UDPWrap']), before);
});
