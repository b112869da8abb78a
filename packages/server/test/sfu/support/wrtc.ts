/**
 * libwebrtc peers (through @roamhq/wrtc) playing the browser's part against the SFU: a publisher whose video
 * and audio come from wrtc's nonstandard sources (synthetic I420 frames and a PCM sine, really encoded as VP8
 * and Opus by libwebrtc), and a player that decodes what it receives through wrtc's sinks.
 *
 * Loopback only. libwebrtc has no option to pick interfaces and gathers host candidates on every interface
 * it finds (on a host with a LAN address it offers that address too), so every SDP handed to the SFU keeps
 * only its 127.0.0.1 candidates and the tests assert that the selected pair is 127.0.0.1 on both ends.
 * `iceServers` is empty by default: libwebrtc adds no public STUN server by itself, and the ICE-lite SFU needs
 * no reflexive candidate. Peers that talk to a Parley server through signaling take the server's own STUN URL
 * (from `hello`) instead, as a browser would.
 */
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { networkInterfaces } from 'node:os';
import type { SfuRouter, SubscriberTransport } from '../../../src/sfu/index.js';
import { waitFor } from './waitFor.js';

// The package's own typings lean on DOM globals this project does not load, so a narrow typed view of the
// parts the tests use stands in for them.
export interface WrtcTrack {
  readonly kind: string;
  stop(): void;
}
export interface WrtcTransceiver {
  readonly mid: string | null;
  readonly receiver: { readonly track: WrtcTrack };
}
export interface WrtcStatsReport {
  forEach(callback: (stat: Record<string, unknown> & { type: string; id: string }) => void): void;
}
export interface WrtcPeerConnection {
  readonly connectionState: string;
  readonly iceGatheringState: string;
  readonly localDescription: { type: string; sdp: string } | null;
  readonly remoteDescription: { type: string; sdp: string } | null;
  ontrack: ((event: { track: WrtcTrack; transceiver: WrtcTransceiver }) => void) | null;
  onicegatheringstatechange: (() => void) | null;
  addTransceiver(track: WrtcTrack, init: { direction: 'sendonly' }): WrtcTransceiver;
  createOffer(): Promise<{ type: 'offer'; sdp: string }>;
  createAnswer(): Promise<{ type: 'answer'; sdp: string }>;
  setLocalDescription(description: { type: string; sdp: string }): Promise<void>;
  setRemoteDescription(description: { type: string; sdp: string }): Promise<void>;
  getStats(): Promise<WrtcStatsReport>;
  close(): void;
}
export interface I420Frame {
  width: number;
  height: number;
  data: Uint8Array;
}
export interface AudioData {
  samples: Int16Array;
  sampleRate: number;
  bitsPerSample?: number;
  channelCount?: number;
  numberOfFrames?: number;
}
interface Sink {
  stop(): void;
}
interface Wrtc {
  RTCPeerConnection: new (config: { iceServers: { urls: string }[] }) => WrtcPeerConnection;
  nonstandard: {
    RTCVideoSource: new () => { createTrack(): WrtcTrack; onFrame(frame: I420Frame): void };
    RTCAudioSource: new () => { createTrack(): WrtcTrack; onData(data: AudioData): void };
    RTCVideoSink: new (track: WrtcTrack) => Sink & { onframe: ((e: { frame: I420Frame }) => void) | null };
    RTCAudioSink: new (track: WrtcTrack) => Sink & { ondata: ((e: AudioData) => void) | null };
  };
}

const wrtc = createRequire(import.meta.url)('@roamhq/wrtc') as Wrtc;

/**
 * libwebrtc cannot be told which interfaces to use: it binds a socket on every address the host has, and on a
 * host with a LAN address its checks towards the SFU's 127.0.0.1 leave from that address. So the libwebrtc
 * tests run only where loopback is the only interface, e.g.
 * `unshare -n bash -c 'ip link set lo up && node scripts/test.mjs libwebrtc'`, and are skipped elsewhere
 * (`false` here means: run). CI runs the suite in such a namespace and sets PARLEY_REQUIRE_ALL_TESTS=1: there
 * they must run, never skip, so importing this module throws instead.
 */
export const wrtcSkip: string | false = (() => {
  const nonLoopback = Object.values(networkInterfaces())
    .flat()
    .filter((a) => a !== undefined && !a.internal)
    .map((a) => a?.address);
  const skip =
    nonLoopback.length > 0 &&
    `libwebrtc would bind ${nonLoopback.join(', ')}; run in a loopback-only network namespace`;
  if (skip && process.env['PARLEY_REQUIRE_ALL_TESTS'] === '1')
    throw new Error(`required test cannot run: ${skip}`);
  return skip;
})();

/**
 * @roamhq/wrtc 0.10.0 crashes (SIGSEGV or a HandleScope abort) while Node tears the environment down after
 * any peer connection that carried media, however it was closed: its finalizers run without a V8 scope. Call
 * this once everything is closed (in the file's last `after`) to leave before that teardown; the exit code
 * still reports failures.
 */
export function exitBeforeWrtcTeardown(): void {
  setImmediate(() => process.exit());
}

/** Options of the libwebrtc peers. */
export interface WrtcPeerOptions {
  /** STUN URLs for libwebrtc's ICE agent (e.g. a Parley server's `hello.iceServers`); default none. */
  iceServers?: string[];
}

function newPeerConnection(options: WrtcPeerOptions): WrtcPeerConnection {
  return new wrtc.RTCPeerConnection({ iceServers: (options.iceServers ?? []).map((urls) => ({ urls })) });
}

export const WIDTH = 320;
export const HEIGHT = 240;
/** Luma of the top half of frame n is LEVELS[n % LEVELS.length]: the frame counter, readable after decoding. */
export const LEVELS = [40, 64, 88, 112, 136, 160, 184, 208];
/** The bottom half is a left-to-right luma ramp, the same in every frame. */
export const rampLuma = (x: number): number => Math.round(16 + (x * 219) / (WIDTH - 1));
export const SINE_HZ = 440;
export const SINE_AMPLITUDE = 8000;

/** Frame `n`: top half solid at the counter's level, bottom half the ramp, neutral chroma. */
export function syntheticFrame(n: number): I420Frame {
  const data = new Uint8Array((WIDTH * HEIGHT * 3) / 2);
  const level = LEVELS[n % LEVELS.length]!;
  for (let y = 0; y < HEIGHT; y++) {
    const row = y * WIDTH;
    for (let x = 0; x < WIDTH; x++) data[row + x] = y < HEIGHT / 2 ? level : rampLuma(x);
  }
  data.fill(128, WIDTH * HEIGHT);
  return { width: WIDTH, height: HEIGHT, data };
}

/** Mean luma of a 16x16 block centred on (cx, cy) of a decoded I420 frame. */
export function lumaAt(frame: I420Frame, cx: number, cy: number): number {
  let sum = 0;
  for (let y = cy - 8; y < cy + 8; y++)
    for (let x = cx - 8; x < cx + 8; x++) sum += frame.data[y * frame.width + x]!;
  return sum / 256;
}

/** The counter (mod LEVELS.length) a decoded frame shows, or -1 when its top half matches no level. */
export function counterOfFrame(frame: I420Frame): number {
  const luma = lumaAt(frame, frame.width / 2, frame.height / 4);
  const i = LEVELS.findIndex((level) => Math.abs(level - luma) <= 6);
  return i;
}

/** Keeps only the 127.0.0.1 candidates of `sdp`; returns the SDP and the candidates kept and dropped. */
export function loopbackOnly(sdp: string): { sdp: string; kept: string[]; dropped: string[] } {
  const kept: string[] = [];
  const dropped: string[] = [];
  const lines = sdp.split('\r\n').filter((line) => {
    if (!line.startsWith('a=candidate:')) return true;
    // a=candidate:<foundation> <component> <transport> <priority> <address> <port> typ <type> ...
    const [, , transport, , address] = line.split(' ');
    const keep = address === '127.0.0.1' && transport?.toLowerCase() === 'udp';
    (keep ? kept : dropped).push(line);
    return keep;
  });
  return { sdp: lines.join('\r\n'), kept, dropped };
}

/** Sets the local description and waits for gathering to finish: the SFU takes complete SDP only. */
async function completeLocalSdp(
  pc: WrtcPeerConnection,
  description: { type: string; sdp: string },
): Promise<string> {
  await pc.setLocalDescription(description);
  await waitFor(() => pc.iceGatheringState === 'complete', 'libwebrtc ICE gathering');
  return pc.localDescription!.sdp;
}

/** The local and remote addresses of the nominated candidate pair, from libwebrtc's stats. */
export async function selectedPair(
  pc: WrtcPeerConnection,
): Promise<{ local: string; remote: string } | null> {
  const stats = new Map<string, Record<string, unknown>>();
  (await pc.getStats()).forEach((s) => {
    stats.set(s.id, s);
  });
  for (const s of stats.values()) {
    if (s.type !== 'candidate-pair' || s.nominated !== true || s.state !== 'succeeded') continue;
    const local = stats.get(s.localCandidateId as string);
    const remote = stats.get(s.remoteCandidateId as string);
    return { local: String(local?.address ?? local?.ip), remote: String(remote?.address ?? remote?.ip) };
  }
  return null;
}

/** The RTP stats of one kind and direction (`inbound-rtp` / `outbound-rtp`), from libwebrtc. */
export async function rtpStats(
  pc: WrtcPeerConnection,
  type: 'inbound-rtp' | 'outbound-rtp',
  kind: 'audio' | 'video',
): Promise<Record<string, unknown> | undefined> {
  let found: Record<string, unknown> | undefined;
  (await pc.getStats()).forEach((s) => {
    if (s.type === type && s.kind === kind) found = s;
  });
  return found;
}

export class WrtcPublisher {
  readonly pc: WrtcPeerConnection;
  /** Frames handed to the video source. */
  framesSent = 0;
  /** Candidates libwebrtc gathered that were not handed to the SFU. */
  dropped: string[] = [];
  offerSdp = '';
  private readonly video = new wrtc.nonstandard.RTCVideoSource();
  private readonly audio = new wrtc.nonstandard.RTCAudioSource();
  private readonly tracks: WrtcTrack[] = [];
  private readonly timers: NodeJS.Timeout[] = [];
  private sampleIndex = 0;

  constructor(options: WrtcPeerOptions = {}) {
    this.pc = newPeerConnection(options);
    for (const source of [this.audio, this.video]) {
      const track = source.createTrack();
      this.tracks.push(track);
      this.pc.addTransceiver(track, { direction: 'sendonly' });
    }
  }

  /** Feeds the sources: video at `fps`, audio 10 ms of 48 kHz mono PCM every 10 ms. */
  start(fps = 30): void {
    this.timers.push(
      setInterval(() => this.video.onFrame(syntheticFrame(this.framesSent++)), Math.round(1000 / fps)),
      setInterval(() => {
        const samples = new Int16Array(480);
        for (let i = 0; i < samples.length; i++, this.sampleIndex++) {
          samples[i] = Math.round(
            SINE_AMPLITUDE * Math.sin((2 * Math.PI * SINE_HZ * this.sampleIndex) / 48000),
          );
        }
        this.audio.onData({
          samples,
          sampleRate: 48000,
          bitsPerSample: 16,
          channelCount: 1,
          numberOfFrames: 480,
        });
      }, 10),
    );
  }

  async publish(router: SfuRouter, key: string): Promise<void> {
    await this.negotiate(async (offerSdp) => (await router.publish(key, offerSdp)).answerSdp);
  }

  /**
   * Offers (loopback candidates only), gets the answer from `exchange` (the SFU directly, or a `publish`
   * request over signaling), and waits until connected.
   */
  async negotiate(exchange: (offerSdp: string) => Promise<string>): Promise<void> {
    const filtered = loopbackOnly(await completeLocalSdp(this.pc, await this.pc.createOffer()));
    this.dropped = filtered.dropped;
    this.offerSdp = filtered.sdp;
    const answerSdp = await exchange(filtered.sdp);
    await this.pc.setRemoteDescription({ type: 'answer', sdp: answerSdp });
    await waitFor(() => this.pc.connectionState === 'connected', 'the libwebrtc publisher connected');
  }

  close(): Promise<void> {
    for (const timer of this.timers) clearInterval(timer);
    for (const track of this.tracks) track.stop();
    this.pc.close();
    return Promise.resolve();
  }
}

export interface DecodedFrame {
  at: number;
  width: number;
  height: number;
  /** Counter mod LEVELS.length read from the top half, -1 when unreadable. */
  counter: number;
  /** Luma at a quarter and three quarters of the width, in the ramp half. */
  rampLeft: number;
  rampRight: number;
}

export class WrtcPlayer {
  readonly pc: WrtcPeerConnection;
  readonly frames: DecodedFrame[] = [];
  /** Per 10 ms chunk received by the audio sink: RMS and zero crossings. */
  readonly audio: { rms: number; crossings: number; sampleRate: number }[] = [];
  transport: SubscriberTransport | undefined;
  dropped: string[] = [];
  private readonly sinks: Sink[] = [];

  constructor(options: WrtcPeerOptions = {}) {
    this.pc = newPeerConnection(options);
    this.pc.ontrack = ({ track }) => {
      if (track.kind === 'video') {
        const sink = new wrtc.nonstandard.RTCVideoSink(track);
        sink.onframe = ({ frame }) =>
          this.frames.push({
            at: performance.now(),
            width: frame.width,
            height: frame.height,
            counter: counterOfFrame(frame),
            rampLeft: lumaAt(frame, frame.width / 4, (frame.height * 3) / 4),
            rampRight: lumaAt(frame, (frame.width * 3) / 4, (frame.height * 3) / 4),
          });
        this.sinks.push(sink);
      } else {
        const sink = new wrtc.nonstandard.RTCAudioSink(track);
        sink.ondata = (data) => {
          const channels = data.channelCount ?? 1;
          let sum = 0;
          let crossings = 0;
          let prev = 0;
          const n = data.samples.length / channels;
          for (let i = 0; i < n; i++) {
            const s = data.samples[i * channels]!;
            sum += s * s;
            if (i > 0 && prev < 0 !== s < 0) crossings += 1;
            prev = s;
          }
          this.audio.push({ rms: Math.sqrt(sum / n), crossings, sampleRate: data.sampleRate });
        };
        this.sinks.push(sink);
      }
    };
  }

  async play(router: SfuRouter, playerKey: string, streamKey: string): Promise<SubscriberTransport> {
    const { offerSdp, transport } = await router.play(playerKey, streamKey);
    this.transport = transport;
    await this.answer(offerSdp, (answerSdp) => transport.setAnswer(answerSdp));
    return transport;
  }

  /**
   * Answers the SFU's offer (loopback candidates only), hands the answer to `deliver` (the transport directly,
   * or a `playAnswer` request over signaling), and waits until connected.
   */
  async answer(offerSdp: string, deliver: (answerSdp: string) => Promise<unknown>): Promise<void> {
    await this.pc.setRemoteDescription({ type: 'offer', sdp: offerSdp });
    const filtered = loopbackOnly(await completeLocalSdp(this.pc, await this.pc.createAnswer()));
    this.dropped = filtered.dropped;
    await deliver(filtered.sdp);
    await waitFor(() => this.pc.connectionState === 'connected', 'the libwebrtc player connected');
  }

  close(): Promise<void> {
    for (const sink of this.sinks) sink.stop();
    this.pc.close();
    return Promise.resolve();
  }
}

/** Asserts that libwebrtc nominated a 127.0.0.1 ↔ 127.0.0.1 candidate pair. */
export async function assertLoopbackPair(pc: WrtcPeerConnection, what: string): Promise<void> {
  let pair: Awaited<ReturnType<typeof selectedPair>> = null;
  await waitFor(async () => {
    pair = await selectedPair(pc);
    return pair !== null;
  }, `${what}: a selected candidate pair`);
  assert.deepEqual(pair, { local: '127.0.0.1', remote: '127.0.0.1' }, `${what}: the pair is loopback`);
}

/**
 * Asserts that what a {@link WrtcPlayer} decoded is what a {@link WrtcPublisher} sent: every frame has the size
 * sent, shows a readable and advancing counter in its top half and the ramp in its bottom half, every counter
 * level was seen; the audio is the sine (loud, about 2 × SINE_HZ zero crossings a second).
 */
export function assertDecodedMedia(player: WrtcPlayer): void {
  for (const [i, f] of player.frames.entries()) {
    assert.equal(f.width, WIDTH, `frame ${i} width`);
    assert.equal(f.height, HEIGHT, `frame ${i} height`);
  }
  const readable = player.frames.filter((f) => f.counter >= 0);
  assert.ok(
    readable.length >= player.frames.length * 0.9,
    `counter readable in ${readable.length} of ${player.frames.length} frames`,
  );
  const last = player.frames.at(-1)!;
  assert.ok(Math.abs(last.rampLeft - rampLuma(WIDTH / 4)) <= 12, `ramp left ${last.rampLeft}`);
  assert.ok(Math.abs(last.rampRight - rampLuma((WIDTH * 3) / 4)) <= 12, `ramp right ${last.rampRight}`);
  // The counter advances: consecutive decoded frames mostly show the next level (an encoder may drop a frame).
  let advances = 0;
  for (let i = 1; i < readable.length; i++) {
    const step = (readable[i]!.counter - readable[i - 1]!.counter + LEVELS.length) % LEVELS.length;
    if (step >= 1 && step <= 3) advances += 1;
  }
  assert.ok(
    advances >= (readable.length - 1) * 0.9,
    `the counter advanced ${advances} times in ${readable.length}`,
  );
  assert.equal(
    new Set(readable.map((f) => f.counter)).size,
    LEVELS.length,
    'every counter level was decoded',
  );

  const loud = player.audio.filter((a) => a.rms > 2000);
  assert.ok(
    loud.length >= player.audio.length / 2,
    `${loud.length} of ${player.audio.length} audio chunks are loud`,
  );
  const crossingsPerSecond = loud.reduce((n, a) => n + a.crossings, 0) / (loud.length * 0.01);
  assert.ok(
    Math.abs(crossingsPerSecond - 2 * SINE_HZ) < 2 * SINE_HZ * 0.15,
    `${crossingsPerSecond.toFixed(0)} zero crossings per second`,
  );
}
