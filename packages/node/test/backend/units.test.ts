/**
 * The backend's parts that need no network: ICE configuration, sources, reordering, counters, breaks, and the
 * receive pipeline under loss (with hand-made RTP and explicit times, so nothing waits).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ErrorCode, ParleyError } from '@parley/protocol';
import type { RtpPacket } from 'werift';
import {
  clientPeerConfig,
  createNodeLocalStream,
  type EncodedFrame,
  IvfFileSource,
  isLoopbackHost,
  MediaBreakWatch,
  OPUS_SILENCE,
  type ReceivedFrame,
  ReceivedTrack,
  ReorderBuffer,
  vp8FrameSize,
} from '../../src/media/backend/index.js';
import { RtpSequencer } from '../../src/media/RtpSequencer.js';
import { SyntheticCamera } from '../../src/media/synth/SyntheticCamera.js';
import { Vp8RtpPacketizer } from '../../src/media/vp8Rtp.js';
import { readSample } from '../media/samples.js';

const WS = 'ws://127.0.0.1:8080/ws';

/**
 * Source timers are unref'd (a source alone must not keep an app alive); a test awaiting their frames with
 * nothing else open holds the event loop with this.
 */
function holdEventLoop(t: { after(fn: () => void): void }): void {
  const timer = setInterval(() => {}, 1000);
  t.after(() => clearInterval(timer));
}

test('ICE config with TURN: relay only when the engine says so, through the first TURN URL with its credentials', () => {
  const stun = { urls: ['stun:127.0.0.1:3478'] };
  const turn = {
    urls: ['turns:127.0.0.1:5349?transport=tcp', 'turn:127.0.0.1:3478?transport=udp'],
    username: '1700000000:alice',
    credential: 'c2VjcmV0',
  };
  const ca = '-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n';
  // The direct path: werift gets no TURN server (it would wait out a broken one while gathering).
  const all = clientPeerConfig({ iceServers: [stun, turn], serverUrl: WS }, { turnTls: { ca } });
  assert.deepEqual(all.iceServers, [{ urls: 'stun:127.0.0.1:3478' }]);
  assert.equal(all.iceTransportPolicy, 'all');
  assert.deepEqual(all.turnTlsOptions, { ca });
  const relay = clientPeerConfig({ iceServers: [stun, turn], iceTransportPolicy: 'relay', serverUrl: WS });
  assert.equal(relay.iceTransportPolicy, 'relay');
  assert.deepEqual(relay.iceServers, [
    { urls: 'stun:127.0.0.1:3478' },
    { urls: 'turns:127.0.0.1:5349?transport=tcp', username: turn.username, credential: turn.credential },
  ]);
  // Relay only without a TURN server would connect directly after all: refused.
  assert.throws(
    () => clientPeerConfig({ iceServers: [stun], iceTransportPolicy: 'relay', serverUrl: WS }),
    (err: unknown) => err instanceof ParleyError && /TURN/.test(err.message),
  );
  assert.throws(
    () => clientPeerConfig({ iceServers: [stun], iceTransportPolicy: 'direct', serverUrl: WS }),
    TypeError,
  );
});

test('ICE config: only the server STUN URLs, max-bundle, loopback candidates for a loopback server', () => {
  const c = clientPeerConfig({ iceServers: [{ urls: ['stun:127.0.0.1:3478'] }], serverUrl: WS });
  assert.deepEqual(c.iceServers, [{ urls: 'stun:127.0.0.1:3478' }]);
  assert.equal(c.iceTransportPolicy, 'all');
  assert.equal(c.bundlePolicy, 'max-bundle');
  assert.equal(c.iceUseIpv4, false);
  assert.equal(c.iceUseIpv6, false);
  assert.deepEqual(c.iceAdditionalHostAddresses, ['127.0.0.1']);
  assert.deepEqual(
    c.codecs?.video?.map((v) => [v.mimeType, v.payloadType, v.rtcpFeedback?.length]),
    [['video/VP8', 96, 3]],
  );
  assert.deepEqual(
    c.codecs?.audio?.map((a) => [a.mimeType, a.payloadType, a.clockRate, a.channels]),
    [['audio/opus', 111, 48000, 2]],
  );

  const stun = { urls: ['stun:rtc.example.com:3478'] };
  const remote = clientPeerConfig({ iceServers: [stun], serverUrl: 'wss://rtc.example.com/ws' });
  assert.equal(remote.iceUseIpv4, undefined, "werift's own interface scan");
  assert.equal(remote.iceAdditionalHostAddresses, undefined);
  const pinned = clientPeerConfig(
    { iceServers: [stun], serverUrl: 'wss://rtc.example.com/ws' },
    { hostAddresses: ['10.1.2.3'] },
  );
  assert.deepEqual(pinned.iceAdditionalHostAddresses, ['10.1.2.3']);
  assert.equal(pinned.iceInterfaceAddresses, undefined);

  // No STUN URL from the server, TURN or not: refused, so werift never falls back to a public STUN server.
  const turn = { urls: ['turn:relay.example.com:3478'], username: '1:u', credential: 'c' };
  for (const iceServers of [[], [turn]]) {
    assert.throws(
      () => clientPeerConfig({ iceServers, serverUrl: WS }),
      (err: unknown) => err instanceof ParleyError && err.code === ErrorCode.INPUT_PARAMETER,
    );
  }
  assert.throws(() => clientPeerConfig({ iceServers: 'stun:x' as unknown, serverUrl: WS }), TypeError);
  assert.throws(() => clientPeerConfig({ iceServers: ['stun:x'], serverUrl: WS }), TypeError);
  assert.throws(
    () => clientPeerConfig({ iceServers: [{ urls: ['stun:a:1'] }], serverUrl: WS }, { hostAddresses: ['x'] }),
    TypeError,
  );
  for (const h of ['127.0.0.1', '127.8.9.1', 'localhost', '::1', '[::1]', '::ffff:127.0.0.1'])
    assert.ok(isLoopbackHost(h), h);
  for (const h of ['10.0.0.1', 'example.com', '::2', '128.0.0.1']) assert.ok(!isLoopbackHost(h), h);
});

test('a track source runs while it has users, mutes (audio to Opus silence), and closes', async (t) => {
  holdEventLoop(t);
  const stream = createNodeLocalStream({ camera: { video: { width: 64, height: 48, fps: 50 } } });
  const { audio, video } = stream;
  assert.ok(audio && video);
  const frames: EncodedFrame[] = [];
  audio.on('frame', (f) => frames.push(f));
  video.on('frame', (f) => frames.push(f));
  const states: [string, boolean][] = [];
  stream.on('trackStateChange', (kind, muted) => states.push([kind, muted]));
  assert.equal(audio.running, false);
  audio.start();
  audio.start();
  video.start();
  assert.equal(audio.running, true);
  audio.stop();
  assert.equal(audio.running, true, 'one user left');
  const got = (pred: (f: EncodedFrame) => boolean) =>
    new Promise<EncodedFrame>((resolve) => {
      const check = (f: EncodedFrame) => {
        if (!pred(f)) return;
        audio.off('frame', check);
        video.off('frame', check);
        resolve(f);
      };
      audio.on('frame', check);
      video.on('frame', check);
    });
  const firstVideo = await got((f) => f.kind === 'video');
  assert.equal(firstVideo.keyframe, true, 'a started camera begins with a key frame');
  assert.deepEqual(vp8FrameSize(firstVideo.data), { width: 64, height: 48 });
  stream.setMuted('audio', true);
  const silent = await got((f) => f.kind === 'audio');
  assert.equal(silent.silence, true);
  assert.ok(silent.data.equals(OPUS_SILENCE));
  stream.setMuted('video', true);
  stream.setMuted('video', false);
  const afterUnmute = await got((f) => f.kind === 'video');
  assert.equal(afterUnmute.keyframe, true, 'unmuted video restarts on a key frame');
  assert.deepEqual(states, [
    ['audio', true],
    ['video', true],
    ['video', false],
  ]);
  // Timestamps follow the wall clock, in each kind's RTP clock.
  const a = frames.filter((f) => f.kind === 'audio');
  assert.ok(
    a.every((f, i) => i === 0 || f.timestamp - a[i - 1]!.timestamp === 960),
    'audio steps 20 ms',
  );
  audio.stop();
  video.stop();
  assert.equal(audio.running, false);
  assert.equal(video.running, false);
  stream.close();
  assert.ok(audio.closed && video.closed);
  assert.throws(() => audio.start(), /closed/);
});

test('an IVF source serves key frame requests by skipping to the next key frame of the file', async (t) => {
  holdEventLoop(t);
  const source = new IvfFileSource(await readSample('testsrc.ivf'));
  assert.equal(source.frameCount, 30);
  const frames: EncodedFrame[] = [];
  const done = new Promise<void>((resolve) => {
    source.on('frame', (f) => {
      frames.push(f);
      if (frames.length === 3) source.requestKeyframe();
      if (frames.length === 5) resolve();
    });
  });
  source.start();
  await done;
  source.close();
  assert.deepEqual(
    frames.map((f) => f.keyframe),
    [true, false, false, true, false],
  );
  // 15 fps: 6000 ticks of 90 kHz per frame.
  assert.deepEqual(
    frames.map((f) => f.timestamp - frames[0]!.timestamp),
    [0, 6000, 12000, 18000, 24000],
  );
});

test('the reorder buffer restores order, waits for a late packet, and gives a gap up after its delay', () => {
  const pkt = (seq: number) => ({
    header: { sequenceNumber: seq & 0xffff, timestamp: 0, marker: false },
    payload: new Uint8Array(1),
  });
  const r = new ReorderBuffer({ maxDelayMs: 100 });
  const seqs = (ps: { header: { sequenceNumber: number } }[]) => ps.map((p) => p.header.sequenceNumber);
  assert.deepEqual(seqs(r.push(pkt(65534), 0)), [65534]);
  assert.deepEqual(seqs(r.push(pkt(0), 1)), []);
  assert.deepEqual(
    seqs(r.push(pkt(65535), 2)),
    [65535, 0],
    'the retransmission fills the gap across the wrap',
  );
  assert.deepEqual(seqs(r.push(pkt(3), 10)), []);
  assert.deepEqual(seqs(r.push(pkt(4), 20)), []);
  assert.deepEqual(seqs(r.expire(109)), []);
  assert.deepEqual(seqs(r.expire(110)), [3, 4], 'packets 1 and 2 given up');
  assert.deepEqual(seqs(r.push(pkt(2), 111)), [], 'too late');
  assert.equal(r.discarded, 1);
  assert.equal(r.gapsSkipped, 1);
});

test('media breaks: detected after the threshold, summed until the resume', () => {
  const w = new MediaBreakWatch();
  assert.deepEqual(w.check(10_000), [], 'nothing flowed yet: no break');
  w.frame('audio', 0);
  w.frame('video', 0);
  assert.deepEqual(w.check(500), []);
  assert.deepEqual(w.check(501), ['audio']);
  assert.deepEqual(w.check(700), [], 'reported once');
  assert.deepEqual(w.check(1001), ['video']);
  assert.equal(w.frame('audio', 1501), true);
  assert.equal(w.frame('audio', 1520), false);
  assert.equal(w.totalBreakSeconds('audio', 2000), 1);
  assert.equal(w.totalBreakSeconds('video', 2001), 1);
});

/** RTP packets of synthetic camera frames, as a publisher would send them. */
function videoPackets(count: number, keyframeAt: number[] = []): { packets: RtpPacket[]; frames: Buffer[] } {
  const camera = new SyntheticCamera({ width: 320, height: 240 });
  const vp8 = new Vp8RtpPacketizer({ maxPayloadSize: 300, pictureId: true });
  const seq = new RtpSequencer({ payloadType: 96, clockRate: 90000, initialSequenceNumber: 65500 });
  const packets: RtpPacket[] = [];
  const frames: Buffer[] = [];
  for (let i = 0; i < count; i++) {
    if (keyframeAt.includes(i)) camera.requestKeyframe();
    const frame = camera.nextFrame().data;
    frames.push(frame);
    packets.push(...seq.frame(vp8.packetize(frame), i * 3000));
  }
  return { packets, frames };
}

test('receive pipeline: a lost packet drops its frame and what follows until the key frame it asks for', () => {
  const { packets, frames } = videoPackets(8, [5]);
  const out: ReceivedFrame[] = [];
  const losses: string[] = [];
  let plis = 0;
  const track = new ReceivedTrack('video', {
    frame: (f) => out.push(f),
    loss: (k) => losses.push(k),
    requestKeyframe: () => {
      plis += 1;
    },
  });
  // Lose one packet of frame 2 for good (its retransmission never comes).
  const frameOf = new Map<RtpPacket, number>();
  let f = 0;
  for (const p of packets) {
    frameOf.set(p, f);
    if (p.header.marker) f += 1;
  }
  const lost = packets.find((p) => frameOf.get(p) === 2 && !p.header.marker)!;
  let now = 0;
  for (const p of packets) {
    if (p === lost) continue;
    now += 5;
    track.push(p, now);
  }
  track.tick(now + 1000); // the reorder delay is over
  const delivered = out.map((o) => frames.findIndex((fr) => fr.equals(o.data)));
  assert.deepEqual(delivered, [0, 1, 5, 6, 7], 'frames 2 (incomplete), 3 and 4 (undecodable) dropped');
  assert.equal(out[2]!.keyframe, true);
  assert.deepEqual(losses, ['incomplete', 'dropped', 'dropped']);
  assert.ok(plis >= 1, 'a PLI was asked for');
  const s = track.stats(0);
  assert.equal(s.packetsLost, 1);
  assert.equal(s.framesDecoded, 5);
  assert.equal(s.framesDropped, 3);
  assert.equal(s.frameWidth, 320);
});

test('receive pipeline: a packet that arrives late (a retransmission) still completes its frame', () => {
  const { packets, frames } = videoPackets(4);
  const out: ReceivedFrame[] = [];
  const track = new ReceivedTrack('video', {
    frame: (f) => out.push(f),
    loss: assert.fail,
    requestKeyframe: assert.fail,
  });
  assert.ok(packets.length >= 4);
  // Packet 1 comes after packets 2 and 3, as a retransmission answering a NACK would.
  const order = [packets[0]!, packets[2]!, packets[3]!, packets[1]!, ...packets.slice(4)];
  for (const [i, p] of order.entries()) track.push(p, i * 2);
  assert.deepEqual(
    out.map((o) => frames.findIndex((fr) => fr.equals(o.data))),
    [0, 1, 2, 3],
  );
});
