/**
 * A play through a gap of more than 100 packets across the 16-bit sequence wrap. The SFU forwards a stream's
 * gap as it is (a publisher's upstream cut for 2 s of audio leaves 100 sequence numbers out), so a player sees
 * such a gap straddle the wrap about once in 65536 / gap outages: 1.4 % of them for an 18 s outage of audio.
 * werift's own SRTP context then guesses the packet's rollover counter one too low and keeps that guess, so
 * every later packet fails authentication (mediaRetry.test.ts saw audio never come back, once in CI). The
 * Node SDK's connections put @parley/werift-srtp's contexts under werift instead.
 *
 * The far end here stands in for the SFU: a werift peer with the SFU's SRTP contexts that sends RTP with the
 * sequence numbers the test picks (werift's sender keeps them: no offset before a source switch). The same
 * packets go to the SDK's play connection and to a plain werift peer with werift's own contexts.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { OPUS } from '@parley/protocol';
import { installFastSrtp } from '@parley/werift-srtp';
import {
  type MediaStreamTrack,
  RTCPeerConnection,
  RTCRtpCodecParameters,
  RtpHeader,
  RtpPacket,
} from 'werift';
import { WeriftMediaBackend, type WeriftPlayConnection } from '../../src/media/backend/index.js';
import { useParleySrtp } from '../../src/media/backend/parleySrtp.js';
import { type LoopbackStun, startLoopbackStun } from './support/loopbackStun.js';
import { once, recordFrames, SERVER_URL, until } from './support/media.js';

let stun: LoopbackStun;
before(async () => {
  stun = await startLoopbackStun();
});
after(() => stun.close());

/** A werift peer on 127.0.0.1 only, with the loopback STUN responder as its one ICE server (never a default). */
function plainPeer(): RTCPeerConnection {
  return new RTCPeerConnection({
    iceServers: [{ urls: stun.url }],
    bundlePolicy: 'max-bundle',
    iceUseIpv4: false,
    iceUseIpv6: false,
    iceAdditionalHostAddresses: ['127.0.0.1'],
    iceInterfaceAddresses: { udp4: '127.0.0.1' },
    codecs: { audio: [new RTCRtpCodecParameters({ ...OPUS })], video: [] },
    headerExtensions: { audio: [], video: [] },
  });
}

/**
 * A sender of audio the test numbers itself, and its offer. It protects with @parley/werift-srtp's contexts, as
 * the SFU does: werift's own would protect the packets after the gap with the wrong rollover counter.
 */
async function sender(): Promise<{ pc: RTCPeerConnection; offer: string }> {
  const pc = plainPeer();
  const { dtlsTransport } = pc.addTransceiver('audio', { direction: 'sendonly' });
  installFastSrtp(dtlsTransport);
  await pc.setLocalDescription(await pc.createOffer());
  return { pc, offer: pc.localDescription!.sdp };
}

/** An Opus packet of 20 ms of silence (TOC 0xf8: CELT fullband 20 ms, one frame). */
const OPUS_SILENCE = Buffer.from([0xf8, 0xff, 0xfe]);

/** The sequence numbers sent: 30 before the wrap, then, 400 numbers on, 30 after it. */
const BEFORE = Array.from({ length: 30 }, (_, i) => 65_500 + i);
const AFTER = Array.from({ length: 30 }, (_, i) => 394 + i);

async function sendRun(pc: RTCPeerConnection, seqs: number[], firstTimestamp: number): Promise<void> {
  const rtpSender = pc.getTransceivers()[0]!.sender;
  for (const [i, seq] of seqs.entries()) {
    const header = new RtpHeader({
      payloadType: OPUS.payloadType,
      sequenceNumber: seq,
      timestamp: (firstTimestamp + i * 960) >>> 0,
      marker: i === 0,
    });
    await rtpSender.sendRtp(new RtpPacket(header, OPUS_SILENCE));
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

test("a play reads on after a gap of 400 packets across the sequence wrap; werift's own SRTP stops for good", async (t) => {
  const warnings: string[] = [];
  const backend = new WeriftMediaBackend({
    logger: { debug() {}, info() {}, warn: (msg) => warnings.push(msg), error: (msg) => warnings.push(msg) },
  });
  const toSdk = await sender();
  const toPlain = await sender();
  const plain = plainPeer();
  const output = backend.createOutput('wrap');
  const frames = recordFrames(output);
  const conn = backend.createPlayConnection({
    streamID: 'wrap',
    output,
    audio: true,
    video: false,
    iceServers: [{ urls: [stun.url] }],
    iceTransportPolicy: 'all',
    serverUrl: SERVER_URL,
  }) as WeriftPlayConnection;
  t.after(async () => {
    conn.close();
    backend.close();
    await Promise.all([toSdk.pc.close(), toPlain.pc.close(), plain.close()]);
  });

  // The SDK's play connection, as the engine drives it, and the plain peer beside it.
  const connected = once(conn, 'connected');
  await toSdk.pc.setRemoteDescription({ type: 'answer', sdp: await conn.acceptOffer(toSdk.offer) });
  /** At the plain peer: the RTP it authenticated, and all that reached its socket (SRTP headers are plain). */
  const plainSeqs: number[] = [];
  const plainArrived: number[] = [];
  plain.onTrack.subscribe((track: MediaStreamTrack) => {
    track.onReceiveRtp.subscribe((rtp) => plainSeqs.push(rtp.header.sequenceNumber));
  });
  await plain.setRemoteDescription({ type: 'offer', sdp: toPlain.offer });
  plain.getTransceivers()[0]!.dtlsTransport.iceTransport.connection.onData.subscribe((data: Buffer) => {
    if (data.length >= 12 && data[0]! >> 6 === 2 && (data[1]! & 0x7f) === OPUS.payloadType)
      plainArrived.push(data.readUInt16BE(2));
  });
  await plain.setLocalDescription(await plain.createAnswer());
  await toPlain.pc.setRemoteDescription({ type: 'answer', sdp: plain.localDescription!.sdp });
  await Promise.all([connected, toPlain.pc.connectionStateChange.watch((s) => s === 'connected')]);

  await Promise.all([sendRun(toSdk.pc, BEFORE, 0), sendRun(toPlain.pc, BEFORE, 0)]);
  await until(
    () => frames.audio.length === BEFORE.length && plainSeqs.length === BEFORE.length,
    () => `the run before the wrap at both (SDK ${frames.audio.length}, plain ${plainSeqs.length})`,
  );
  // 8 s of audio later, on the same stream.
  const later = BEFORE.length * 960 + 400 * 960;
  await Promise.all([sendRun(toSdk.pc, AFTER, later), sendRun(toPlain.pc, AFTER, later)]);
  await until(
    () =>
      frames.audio.length === BEFORE.length + AFTER.length &&
      plainArrived.length === BEFORE.length + AFTER.length,
    () =>
      `the run after the wrap at the SDK's player (${frames.audio.length - BEFORE.length} of ${AFTER.length}) ` +
      `and at the plain peer's socket (${plainArrived.length - BEFORE.length})`,
  );
  assert.deepEqual(
    frames.audio.slice(BEFORE.length).map((f) => f.rtpTimestamp),
    AFTER.map((_, i) => later + i * 960),
  );
  // The same packets reached the plain peer, which authenticated none after the gap.
  assert.deepEqual(plainArrived, [...BEFORE, ...AFTER]);
  assert.deepEqual(plainSeqs, BEFORE, "werift's own context refused every packet after the gap");
  assert.deepEqual(warnings, []);
});

test("a connection whose werift sessions are not where the adapter reads them keeps werift's SRTP, and says so", () => {
  const warnings: string[] = [];
  const log = { debug() {}, info() {}, warn: (msg: string) => warnings.push(msg), error() {} };
  // What a werift with moved shapes would look like once connected: SRTP started, its sessions without the
  // `config` the adapter builds our contexts from.
  const srtp = { encrypt: () => Buffer.alloc(0), decrypt: () => Buffer.alloc(0) };
  const dtlsTransport = { srtpStarted: true, srtp, srtcp: { ...srtp }, onStateChange: { subscribe() {} } };
  const pc = {
    getTransceivers: () => [{ dtlsTransport }, { dtlsTransport }],
  } as unknown as RTCPeerConnection;
  assert.equal(useParleySrtp(pc, log).length, 1, 'one bundled transport');
  assert.equal(dtlsTransport.srtp, srtp, "werift's session stays in place");
  assert.equal(warnings.length, 1);
  assert.match(warnings[0]!, /keeps werift's own SRTP/);
});
