/**
 * One incoming track of a publisher: it fans RTP out to its consumers, keeps the last packets for NACK
 * answers, and asks the publisher for keyframes at a bounded rate.
 */

import { TypedEmitter } from '@parley/protocol';
import type { MediaStreamTrack, RTCRtpCodecParameters, RTCRtpReceiver, RtpPacket } from 'werift';
import { FrameMeter } from './FrameMeter.js';
import { KeyframeCache, type KeyframeCacheLimits } from './KeyframeCache.js';
import { isKeyframeStart } from './keyframe.js';
import { RetransmissionBuffer } from './RetransmissionBuffer.js';
import { IncomingStreamCounter, type RtpStreamStats } from './stats.js';

/** What a producer forwards to: implemented by {@link Consumer}. */
export interface RtpSink {
  /**
   * A packet of `producer`, received at `now` (`performance.now()`, read once per packet for all sinks); the
   * sink must not mutate it (clone first).
   */
  handleRtp(packet: RtpPacket, producer: Producer, now: number): void;
  /**
   * Reads, changing nothing, the memory the sink's next {@link handleRtp} will read first (its own fields and
   * the objects it reaches on the way to the wire), and returns a number made of what it read (so the reads are
   * not optimised away). Called shortly before {@link handleRtp}, for a few sinks in a row; see
   * {@link WARM_BLOCK}. Must not throw.
   */
  warm(): number;
  /** `producer` closed; the sink must stop using it. */
  handleProducerClose(producer: Producer): void;
}

/** Events of a {@link Producer}. */
export interface ProducerEvents {
  /** The first packet arrived: media flows. */
  firstPacket: [];
  /** A keyframe started (first packet of one seen). */
  keyframe: [];
  close: [];
}

/** Options of a {@link Producer}. */
export interface ProducerOptions {
  /** Minimum time between two PLIs sent to the publisher; requests in between are coalesced into one. */
  keyframeRequestIntervalMs: number;
  /** Packets kept for NACK answers (a power of two). */
  retransmissionBufferSize: number;
  /** Bounds of the last group of pictures kept for joining players (video); see {@link KeyframeCache}. */
  keyframeCache?: Partial<KeyframeCacheLimits> | undefined;
  /**
   * Told when a player threw on a packet (the players after it still got the packet): the error, and how many
   * such errors there were since the last call. At most one call per {@link PLAYER_ERROR_REPORT_MS}.
   */
  onPlayerError?: ((error: unknown, count: number, producer: Producer) => void) | undefined;
  /**
   * Told after each packet went to every player, with the time it arrived (performance.now()): the router's
   * sender reports go out then, while the process is awake anyway (SenderReports.nudge).
   */
  onForwarded?: ((now: number) => void) | undefined;
}

/** Shortest time between two {@link ProducerOptions.onPlayerError} calls of one producer. */
export const PLAYER_ERROR_REPORT_MS = 1000;

/**
 * Where a producer's packets come from and where its keyframe requests go: a publisher's werift receiver
 * ({@link weriftProducerSource}), or a media pipe from the publisher's node (pipe/PipeTrackSource.ts).
 */
export interface ProducerSource {
  readonly kind: 'audio' | 'video';
  /** The negotiated codec. */
  readonly codec: RTCRtpCodecParameters;
  /** Calls `listener` with each RTP packet received; returns the function that stops it. */
  onRtp(listener: (packet: RtpPacket) => void): () => void;
  /** Calls `listener` each time the source asks its sender again for lost packets (a NACK sent upstream). */
  onNackSent(listener: () => void): () => void;
  /** Asks the sender for a keyframe of stream `ssrc` (a PLI); rejects if the way back is closing. */
  sendPli(ssrc: number): Promise<void>;
}

/** The source of a publisher's track: the remote track werift hands over, its receiver, the negotiated codec. */
export function weriftProducerSource(
  track: MediaStreamTrack,
  receiver: RTCRtpReceiver,
  codec: RTCRtpCodecParameters,
): ProducerSource {
  const kind = track.kind;
  if (kind !== 'audio' && kind !== 'video') throw new TypeError(`unsupported track kind ${String(kind)}`);
  return {
    kind,
    codec,
    onRtp: (listener) => track.onReceiveRtp.subscribe(listener).unSubscribe,
    // werift's receiver NACKs lost video packets upstream by itself (when `nack` is negotiated).
    onNackSent: (listener) => receiver.onPacketLost.subscribe(() => listener()).unSubscribe,
    sendPli: (ssrc) => receiver.sendRtcpPLI(ssrc),
  };
}

let nextProducerId = 1;

/**
 * Players whose memory the fan-out warms ({@link RtpSink.warm}) in one pass before it forwards the packet to
 * them. Each player's state is in memory no other player shares, out of the processor's caches by the time the
 * next packet comes (every other player's came in between), and {@link Consumer.handleRtp}'s reads of it depend
 * on each other (consumer, fast sender, SRTP stream, keystream; route): the processor cannot start a read
 * before the one that gives its address is done, nor run ahead into the next player's past the system call
 * that sends this one's packet. So the players paid their cache misses one after another — four loads after
 * those first touches held 84 % of the fan-out loop's own samples in an 800-player audio profile of the loop
 * cut down to sealing and sending (perf annotate; the rest of the consumer's work cost next to nothing). A
 * pass whose body is only those reads lets the processor have many players' misses in flight at once; the
 * forwarding pass after it then finds their state in cache. A block (not all players) so that what was warmed
 * is still in cache when its turn comes.
 */
export const WARM_BLOCK = 32;

/** Where the warm pass's result goes: written, never read, so that the reads it is made of stay. */
let _warmth = 0;

/**
 * One incoming track. Created by {@link PublisherTransport}; closed with it.
 * @example
 * const video = publisher.producer('video');
 * video?.requestKeyframe();
 */
export class Producer extends TypedEmitter<ProducerEvents> {
  readonly id = `producer-${nextProducerId++}`;
  readonly kind: 'audio' | 'video';
  /** The negotiated codec, e.g. `video/VP8`. */
  readonly codec: RTCRtpCodecParameters;
  readonly buffer: RetransmissionBuffer;
  private readonly source: ProducerSource;
  private readonly options: ProducerOptions;
  private readonly sinks = new Set<RtpSink>();
  /**
   * The sinks as an array, replaced (never changed in place) on attach and detach: what handleRtp walks per
   * packet, cheaper than a Set's iterator over hundreds of players, and a sink that detaches (or attaches) during
   * the walk changes the next packet's array, not this one's (a detached consumer ignores the packet itself).
   */
  private sinkList: readonly RtpSink[] = [];
  private readonly counter: IncomingStreamCounter;
  /** The last group of pictures, for players who join (video only). */
  private readonly keyframes: KeyframeCache | null;
  private cachedStarts = 0;
  /** Frame rate and size (video). */
  readonly meter: FrameMeter;
  private readonly unsubscribers: (() => void)[] = [];
  private lastSsrc: number | null = null;
  private lastPliAt = Number.NEGATIVE_INFINITY;
  private pliTimer: NodeJS.Timeout | null = null;
  private plisSent = 0;
  private keyframeRequests = 0;
  private nacksSent = 0;
  private duplicates = 0;
  private pliOnFirstPacket = false;
  private _closed = false;
  /** Player errors since the last report, and when that report was made. */
  private playerErrors = 0;
  private playerErrorReportedAt = Number.NEGATIVE_INFINITY;

  constructor(source: ProducerSource, options: ProducerOptions) {
    super();
    this.kind = source.kind;
    this.codec = source.codec;
    this.source = source;
    this.options = options;
    this.buffer = new RetransmissionBuffer(options.retransmissionBufferSize);
    this.counter = new IncomingStreamCounter(source.codec.clockRate);
    this.meter = new FrameMeter(source.codec.mimeType);
    this.keyframes = this.kind === 'video' ? new KeyframeCache(options.keyframeCache) : null;
    this.unsubscribers.push(
      source.onRtp((packet) => this.handleRtp(packet)),
      // The source repairs upstream losses by itself; we count its NACKs.
      source.onNackSent(() => {
        this.nacksSent += 1;
      }),
    );
  }

  get closed(): boolean {
    return this._closed;
  }

  /** The codec's MIME type, e.g. `audio/opus`. */
  get mimeType(): string {
    return this.codec.mimeType;
  }

  /** The publisher's current SSRC, once a packet has arrived. */
  get ssrc(): number | null {
    return this.lastSsrc;
  }

  /** Packets received twice and dropped. */
  get duplicatesDropped(): number {
    return this.duplicates;
  }

  /** True while a keyframe request waits: for the rate limit, or for the publisher's first packet. */
  get keyframeRequestPending(): boolean {
    return this.pliTimer !== null || this.pliOnFirstPacket;
  }

  /** Players started from the cached group of pictures instead of a keyframe request. */
  get startsFromCache(): number {
    return this.cachedStarts;
  }

  /**
   * The packets a new player of this video track starts with: the last keyframe and every packet since, oldest
   * first, if that group is within the cache's bounds (see {@link KeyframeCache}); else null, and the caller
   * asks for a keyframe ({@link requestKeyframe}). Read the array at once; do not keep it.
   */
  takeKeyframeGroup(): readonly RtpPacket[] | null {
    const keyframes = this.keyframes;
    if (keyframes === null) return null;
    const now = performance.now();
    const group = keyframes.fresh(now);
    if (group === null) return null;
    this.cachedStarts += 1;
    // A group past half its age bound is still served, and the publisher is asked for a new keyframe too (within
    // the usual rate limit): a browser sends keyframes only when asked, so without this every join after the
    // first would find an ever older group until it expired, and that join would wait for a PLI round trip.
    if ((keyframes.age(now) ?? 0) > keyframes.maxAgeMs / 2) this.requestKeyframe();
    return group;
  }

  /** Starts forwarding to `sink` (internal: used by {@link Consumer}). */
  attach(sink: RtpSink): void {
    if (this._closed || this.sinks.has(sink)) return;
    this.sinks.add(sink);
    this.sinkList = [...this.sinks];
  }

  /** Stops forwarding to `sink`. */
  detach(sink: RtpSink): void {
    if (this.sinks.delete(sink)) this.sinkList = [...this.sinks];
  }

  /** Number of attached consumers. */
  get sinkCount(): number {
    return this.sinks.size;
  }

  /**
   * Asks the publisher for a keyframe. At most one PLI per `keyframeRequestIntervalMs`: a request inside the
   * interval is sent when the interval ends, and further requests until then join it. No-op for audio.
   */
  requestKeyframe(): void {
    if (this._closed || this.kind !== 'video') return;
    this.keyframeRequests += 1;
    if (this.pliTimer) return;
    const wait = this.lastPliAt + this.options.keyframeRequestIntervalMs - performance.now();
    if (wait <= 0) {
      this.sendPli();
      return;
    }
    this.pliTimer = setTimeout(() => {
      this.pliTimer = null;
      this.sendPli();
    }, wait);
  }

  /** Counters of this incoming stream. */
  stats(): RtpStreamStats {
    return {
      kind: this.kind,
      mimeType: this.mimeType,
      ssrc: this.lastSsrc ?? 0,
      packets: this.counter.packets,
      bytes: this.counter.bytes,
      packetsLost: this.counter.packetsLost,
      jitter: this.counter.jitter,
      nackCount: this.nacksSent,
      pliCount: this.plisSent,
      keyframeRequestsCoalesced: Math.max(
        0,
        this.keyframeRequests - this.plisSent - (this.keyframeRequestPending ? 1 : 0),
      ),
      retransmitted: 0,
      ...frameFields(this),
    };
  }

  /** Stops forwarding, tells the consumers, and releases timers. Idempotent. */
  close(): void {
    if (this._closed) return;
    this._closed = true;
    if (this.pliTimer) clearTimeout(this.pliTimer);
    this.pliTimer = null;
    for (const unsubscribe of this.unsubscribers) unsubscribe();
    this.buffer.clear();
    this.keyframes?.clear();
    const sinks = [...this.sinks];
    this.sinks.clear();
    this.sinkList = [];
    for (const sink of sinks) sink.handleProducerClose(this);
    this.emit('close');
    this.removeAllListeners();
  }

  private handleRtp(packet: RtpPacket): void {
    if (this._closed) return;
    // A retransmission that arrives twice (the publisher answered two NACKs) is forwarded once.
    if (this.buffer.get(packet.header.ssrc, packet.header.sequenceNumber)) {
      this.duplicates += 1;
      return;
    }
    const first = this.lastSsrc === null;
    this.lastSsrc = packet.header.ssrc;
    if (first) this.emit('firstPacket');
    if (this.pliOnFirstPacket) {
      this.pliOnFirstPacket = false;
      this.sendPli();
    }
    const now = performance.now();
    try {
      // The players first: every copy waits for what runs before the loop, so the bookkeeping (the NACK
      // buffer, the keyframe cache, the counters), which nothing in the loop reads, comes after it. One player
      // that throws (a bug on its path) must not cost the players after it their copy; the `finally` keeps the
      // packet even if the error's report (onPlayerError) throws.
      const sinks = this.sinkList;
      const count = sinks.length;
      for (let start = 0; start < count; start += WARM_BLOCK) {
        const end = Math.min(count, start + WARM_BLOCK);
        if (end - start > 1) {
          // (One player alone: no misses to overlap.)
          try {
            _warmth = warmBlock(sinks, start, end);
          } catch (error) {
            this.playerFailed(error, now); // a sink's bug; it costs the block its warming, nothing more
          }
        }
        for (let i = start; i < end; i++) {
          try {
            sinks[i]!.handleRtp(packet, this, now);
          } catch (error) {
            this.playerFailed(error, now);
          }
        }
      }
    } finally {
      this.counter.add(packet);
      this.buffer.put(packet);
      const keyframes = this.keyframes;
      if (keyframes !== null) {
        this.meter.add(packet);
        const keyframe = isKeyframeStart(this.mimeType, packet.payload);
        keyframes.add(packet, keyframe, now);
        if (keyframe) this.emit('keyframe');
      }
      this.options.onForwarded?.(now);
    }
  }

  /**
   * Counts a player's error; reports it, with the count, unless the last report is under a second old. Also
   * for a consumer whose own delivery of this producer's packets threw (the cached group of pictures).
   */
  playerFailed(error: unknown, now: number): void {
    this.playerErrors += 1;
    if (now - this.playerErrorReportedAt < PLAYER_ERROR_REPORT_MS) return;
    const count = this.playerErrors;
    this.playerErrors = 0;
    this.playerErrorReportedAt = now;
    this.options.onPlayerError?.(error, count, this);
  }

  private sendPli(): void {
    const ssrc = this.lastSsrc;
    if (ssrc === null) {
      // Nothing received yet: the publisher may not even be connected. Ask when its first packet arrives.
      this.pliOnFirstPacket = true;
      return;
    }
    this.lastPliAt = performance.now();
    this.plisSent += 1;
    this.source.sendPli(ssrc).catch(() => {
      // The transport is closing; the next request will try again.
    });
  }
}

/** The frame fields of a stream's stats: the producer's meter for video, nulls for audio. */
export function frameFields(
  producer: Producer | null,
): Pick<RtpStreamStats, 'frames' | 'frameRate' | 'frameWidth' | 'frameHeight'> {
  if (producer?.kind !== 'video') {
    return { frames: null, frameRate: null, frameWidth: null, frameHeight: null };
  }
  const m = producer.meter;
  return { frames: m.frames, frameRate: m.frameRate, frameWidth: m.width, frameHeight: m.height };
}

/** {@link RtpSink.warm} of `sinks[start, end)`, summed (see {@link WARM_BLOCK}). */
function warmBlock(sinks: readonly RtpSink[], start: number, end: number): number {
  let sum = 0;
  for (let i = start; i < end; i++) sum += sinks[i]!.warm();
  return sum;
}
