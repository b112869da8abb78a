/**
 * One outgoing track towards a player. The consumer rewrites every packet onto its own SSRC, sequence numbers
 * and timestamps, so that a switch to another producer (a publisher restart) looks like one continuous stream
 * to the player. Video starts, and restarts after a switch, on a keyframe, which it asks for at once.
 * Packets (and NACK answers) go out through the {@link FastRtpSender}, or werift's sender when it cannot.
 */

import { TypedEmitter } from '@parley/protocol';
import { randomSeq, randomTimestamp, seqAdd, seqDiff, seqNewer, tsAdd } from '@parley/rtp';
import { type RTCRtpSender, RtpHeader, RtpPacket } from 'werift';
import { FastRtpSender } from './FastRtpSender.js';
import { isKeyframeStart } from './keyframe.js';
import { frameFields, type Producer, type RtpSink } from './Producer.js';
import type { LastSent, SenderReports } from './SenderReports.js';
import { high16, join16, joinMillis, low16, microsPast, seconds } from './smallIntegerFields.js';
import type { RtpStreamStats } from './stats.js';

/** Events of a {@link Consumer}. */
export interface ConsumerEvents {
  /** The consumer now forwards from `producer` (first start, or after a switch). */
  producerSwitch: [producer: Producer];
  /** Its producer closed; the consumer idles until {@link Consumer.switchProducer} gives it another. */
  producerClose: [];
  close: [];
}

/** Options of a {@link Consumer}. */
export interface ConsumerOptions {
  /**
   * Test hook: a packet (already rewritten for the player) for which this returns true is not sent, as if
   * lost on the way. The player's NACK must then be answered from the producer's buffer. The packet object
   * is reused from call to call: read it during the call, do not keep it.
   */
  dropFilter?: ((packet: RtpPacket) => boolean) | undefined;
}

/**
 * werift's RTCRtpSender keeps its own history of the last 128 packets it sent (RTP_HISTORY_SIZE in
 * rtpSender.js, slot = sequence number modulo 128) and answers NACKs for them itself. Packets sent on the
 * fast path ({@link FastRtpSender}) bypass that history. The consumer mirrors it, so it answers exactly the
 * NACKs werift cannot, and never retransmits a packet twice.
 */
const SENDER_HISTORY = 128;
/** No source mapped yet: not an SSRC (those are 32-bit unsigned). */
const NO_SOURCE = -1;

/** A send to a closing transport fails: nothing more to send to, the player gives up on the packet. */
const ignore = (): void => {};
/** What the drop filter's reused packet holds between packets (see {@link Consumer.dropped}). */
const NO_PAYLOAD = Buffer.alloc(0);

let nextConsumerId = 1;

/**
 * One outgoing track. Created by {@link SubscriberTransport}; closed with it.
 * @example
 * consumer.on('producerSwitch', (p) => log.info('now forwarding', { producer: p.id }));
 */
export class Consumer extends TypedEmitter<ConsumerEvents> implements RtpSink {
  readonly id = `consumer-${nextConsumerId++}`;
  readonly kind: 'audio' | 'video';
  private readonly sender: RTCRtpSender;
  private readonly fast: FastRtpSender;
  private readonly dropFilter: ((packet: RtpPacket) => boolean) | undefined;
  private readonly stopReports: () => void;
  /** What the drop filter is shown, rewritten in place for each packet. */
  private filterPacket: RtpPacket | null = null;
  private _producer: Producer | null = null;
  private running = false;
  /** The producer a start on a keyframe is scheduled for (see {@link startOnKeyframe}). */
  private startPendingFor: Producer | null = null;
  private _closed = false;
  /**
   * The mapping from the current source's numbering to ours: the source's SSRC as its high and low 16 bits
   * (smallIntegerFields.ts), `inSsrcHigh === NO_SOURCE` meaning "rebase on next packet". Small integers both,
   * compared with each packet's SSRC per packet and player: an SSRC of 2^30 or more (three in four) in one
   * field was a separate number object per consumer, one more read from memory per packet and player (39 % of
   * `handleRtp`'s own samples in a 400-player audio fan-out, perf annotate); and never null, whose generic
   * strict equality was a call per packet and player.
   */
  private inSsrcHigh = NO_SOURCE;
  private inSsrcLow = 0;
  private baseInSeq = 0;
  private seqOffset = 0;
  // `tsOffset`, `highestOutTs` and `highestOutAt`, read or written per packet, are each two small integers
  // behind accessors below (smallIntegerFields.ts): no number object apart from the consumer per packet.
  private tsOffsetHigh = 0;
  private tsOffsetLow = 0;
  private started = false;
  private highestOutSeq = randomSeq();
  private highestOutTsHigh = 0;
  private highestOutTsLow = 0;
  private highestOutAtSeconds = 0;
  private highestOutAtMicros = 0;
  private readonly sentHistory = new Int32Array(SENDER_HISTORY).fill(-1);
  private packets = 0;
  private bytes = 0;
  private nacksReceived = 0;
  private keyframeRequestsReceived = 0;
  private retransmitted = 0;

  /** `reports` sends this track's RTCP sender reports (in place of werift's loop) until it closes. */
  constructor(
    kind: 'audio' | 'video',
    sender: RTCRtpSender,
    reports: SenderReports,
    options: ConsumerOptions = {},
  ) {
    super();
    this.kind = kind;
    this.sender = sender;
    this.fast = new FastRtpSender(sender);
    this.dropFilter = options.dropFilter;
    this.highestOutTs = randomTimestamp();
    this.stopReports = reports.add(sender, kind, this.fast, () => this.lastSent());
  }

  /** The SSRC of the source mapped, or {@link NO_SOURCE} until the next packet rebases. */
  private get inSsrc(): number {
    return this.inSsrcHigh === NO_SOURCE ? NO_SOURCE : join16(this.inSsrcHigh, this.inSsrcLow);
  }

  private set inSsrc(ssrc: number) {
    this.inSsrcHigh = ssrc === NO_SOURCE ? NO_SOURCE : high16(ssrc);
    this.inSsrcLow = ssrc === NO_SOURCE ? 0 : low16(ssrc);
  }

  /** Our RTP timestamp minus the source's (mod 2^32). */
  private get tsOffset(): number {
    return join16(this.tsOffsetHigh, this.tsOffsetLow);
  }

  private set tsOffset(value: number) {
    this.tsOffsetHigh = high16(value);
    this.tsOffsetLow = low16(value);
  }

  /** The RTP timestamp of the newest packet sent. */
  private get highestOutTs(): number {
    return join16(this.highestOutTsHigh, this.highestOutTsLow);
  }

  private set highestOutTs(value: number) {
    this.highestOutTsHigh = high16(value);
    this.highestOutTsLow = low16(value);
  }

  /** When the newest packet sent was received (`performance.now()`), to the microsecond. */
  private get highestOutAt(): number {
    return joinMillis(this.highestOutAtSeconds, this.highestOutAtMicros);
  }

  private set highestOutAt(ms: number) {
    const whole = seconds(ms);
    this.highestOutAtSeconds = whole;
    this.highestOutAtMicros = microsPast(ms, whole);
  }

  get closed(): boolean {
    return this._closed;
  }

  /** The SSRC the player sees, whatever the source. */
  get ssrc(): number {
    return this.sender.ssrc;
  }

  /** The producer forwarded from, or null while idle. */
  get producer(): Producer | null {
    return this._producer;
  }

  /**
   * Forwards from `producer` from now on, continuing this consumer's numbering. Returns false (and changes
   * nothing) if the producer's codec differs from the one negotiated with the player.
   */
  switchProducer(producer: Producer): boolean {
    if (this._closed) return false;
    if (producer.kind !== this.kind) return false;
    const negotiated = this.sender.codec?.mimeType;
    if (negotiated && negotiated.toLowerCase() !== producer.mimeType.toLowerCase()) return false;
    this._producer?.detach(this);
    this._producer = producer;
    this.inSsrc = NO_SOURCE;
    producer.attach(this);
    if (this.running) this.startOnKeyframe(producer);
    this.emit('producerSwitch', producer);
    return true;
  }

  /**
   * Starts sending (the transport is connected): with the producer's cached group of pictures at once, else
   * after the keyframe it asks for.
   */
  start(): void {
    if (this._closed || this.running) return;
    this.running = true;
    this.inSsrc = NO_SOURCE;
    if (this._producer) this.startOnKeyframe(this._producer);
  }

  /** A keyframe request (PLI or FIR) from the player. */
  handleKeyframeRequest(): void {
    this.keyframeRequestsReceived += 1;
    this._producer?.requestKeyframe();
  }

  /** A NACK from the player for our sequence numbers `lost`; answers what werift's sender cannot. */
  handleNack(lost: readonly number[]): void {
    this.nacksReceived += 1;
    const producer = this._producer;
    if (!producer || this.inSsrcHigh === NO_SOURCE || this._closed) return;
    const transport = this.sender.dtlsTransport;
    const payloadType = this.fast.payloadType;
    if (!transport || payloadType === undefined) return;
    for (const outSeq of lost) {
      if (this.sentHistory[outSeq % SENDER_HISTORY] === outSeq) continue; // werift resends this one
      const inSeq = seqAdd(outSeq, -this.seqOffset);
      if (seqNewer(this.baseInSeq, inSeq)) continue; // before this mapping started
      const original = producer.buffer.get(this.inSsrc, inSeq);
      if (!original) continue;
      this.retransmitted += 1;
      const { marker, timestamp } = original.header;
      const outTs = tsAdd(timestamp, this.tsOffset);
      if (this.fast.send(marker, payloadType, outSeq, outTs, original.payload, true)) continue;
      transport.sendRtp(original.payload, this.header(marker, payloadType, outSeq, outTs)).catch(ignore);
    }
  }

  /** The newest packet sent (for the sender reports), or null before the first. */
  lastSent(): LastSent | null {
    if (!this.started) return null;
    const clockRate = this.sender.codec?.clockRate ?? this._producer?.codec.clockRate;
    if (clockRate === undefined) return null;
    return { rtpTimestamp: this.highestOutTs, at: this.highestOutAt, clockRate };
  }

  /** Counters; `packetsLost` is filled in by the transport from the player's receiver reports. */
  stats(): RtpStreamStats {
    return {
      kind: this.kind,
      mimeType: this.sender.codec?.mimeType ?? this._producer?.mimeType ?? '',
      ssrc: this.ssrc,
      packets: this.packets,
      bytes: this.bytes,
      packetsLost: 0,
      jitter: null,
      nackCount: this.nacksReceived,
      pliCount: this.keyframeRequestsReceived,
      keyframeRequestsCoalesced: 0,
      retransmitted: this.retransmitted,
      ...frameFields(this._producer),
    };
  }

  /** Detaches from the producer. Idempotent; the sender itself belongs to the transport. */
  close(): void {
    if (this._closed) return;
    this._closed = true;
    this.running = false;
    this.stopReports();
    this.fast.close();
    this._producer?.detach(this);
    this._producer = null;
    this.emit('close');
    this.removeAllListeners();
  }

  /** @internal Called by the producer for each packet, received at `now` (`performance.now()`). */
  handleRtp(packet: RtpPacket, producer: Producer, now: number): void {
    if (!this.running || producer !== this._producer) return;
    const h = packet.header;
    const ssrc = h.ssrc;
    if (high16(ssrc) !== this.inSsrcHigh || low16(ssrc) !== this.inSsrcLow) {
      // A new source (first packet, switch, or the publisher changed SSRC): video waits for a keyframe.
      if (this.kind === 'video' && !isKeyframeStart(producer.mimeType, packet.payload)) return;
      this.rebase(h.sequenceNumber, h.timestamp, ssrc, producer.codec.clockRate);
    } else if (seqNewer(this.baseInSeq, h.sequenceNumber)) {
      return; // older than where this mapping started: the player never expected it
    }
    // From the fast path's copy: werift's sender and its codec are two more objects per player to read.
    const payloadType = this.fast.payloadType;
    if (payloadType === undefined) return;
    const outSeq = seqAdd(h.sequenceNumber, this.seqOffset);
    const outTs = tsAdd(h.timestamp, this.tsOffset);
    if (seqNewer(outSeq, this.highestOutSeq) || !this.started) {
      this.highestOutSeq = outSeq;
      this.highestOutTs = outTs;
      this.highestOutAt = now;
    }
    this.started = true;
    const payload = packet.payload;
    if (this.dropFilter && this.dropped(h.marker, payloadType, outSeq, outTs, payload)) return;
    this.packets += 1;
    this.bytes += payload.length;
    if (this.fast.send(h.marker, payloadType, outSeq, outTs, payload, false)) return;
    this.sentHistory[outSeq % SENDER_HISTORY] = outSeq;
    this.sender
      .sendRtp(new RtpPacket(this.header(h.marker, payloadType, outSeq, outTs), payload))
      .catch(ignore);
  }

  /**
   * @internal Reads what {@link handleRtp} reads first, changing nothing (see {@link RtpSink.warm}): this
   * consumer's numbering, then its fast path's state.
   */
  warm(): number {
    return (
      this.inSsrcLow +
      this.seqOffset +
      this.tsOffsetLow +
      this.highestOutAtMicros +
      this.bytes +
      this.fast.warm()
    );
  }

  /** @internal Called by the producer when it closes. */
  handleProducerClose(producer: Producer): void {
    if (producer !== this._producer) return;
    this._producer = null;
    this.inSsrc = NO_SOURCE;
    this.emit('producerClose');
  }

  /**
   * Video starts on a keyframe: the producer's cached one and the packets since, sent through the same path as
   * live packets (the first rebases the numbering, the rest and then the live packets continue it), or, when
   * there is no fresh cached group, the next one, which it asks the publisher for. Audio starts with the next
   * packet.
   *
   * Not at once but on the next check phase of the event loop: werift's DTLS server reports the handshake done
   * as soon as it has queued its last flight (ChangeCipherSpec, Finished), which reaches the socket through
   * werift's chain of promises; packets sent by the fast path before that would reach the player ahead of the
   * Finished, before it has its SRTP keys, and be dropped (a whole cached keyframe, in the tests). By the check
   * phase that chain has run. Live packets that arrive meanwhile are not forwarded (no keyframe has started the
   * numbering), and the group is read when it is sent, so it ends with the newest packet.
   */
  private startOnKeyframe(producer: Producer): void {
    if (this.kind !== 'video' || this.startPendingFor === producer) return;
    this.startPendingFor = producer;
    setImmediate(() => {
      if (this.startPendingFor === producer) this.startPendingFor = null;
      // Closed, switched, or a keyframe arrived live meanwhile and started the stream.
      if (!this.running || producer !== this._producer || this.inSsrcHigh !== NO_SOURCE) return;
      const group = producer.takeKeyframeGroup();
      if (group === null) {
        producer.requestKeyframe();
        return;
      }
      const now = performance.now();
      try {
        for (let i = 0; i < group.length; i++) this.handleRtp(group[i]!, producer, now);
      } catch (error) {
        // As a live packet's error (Producer.handleRtp): reported, and nobody else's concern.
        producer.playerFailed(error, now);
      }
    });
  }

  /** Maps the source's numbering so its packet (`seq`, `ts`) directly follows the last one we sent. */
  private rebase(seq: number, ts: number, ssrc: number, clockRate: number): void {
    const nextSeq = this.started ? seqAdd(this.highestOutSeq, 1) : this.highestOutSeq;
    // Keep the timestamp moving with wall time across the gap, at least one tick.
    const elapsed = this.started ? performance.now() - this.highestOutAt : 0;
    const step = this.started ? Math.max(1, Math.round((elapsed * clockRate) / 1000)) : 0;
    const nextTs = tsAdd(this.highestOutTs, step);
    this.seqOffset = seqDiff(nextSeq, seq) & 0xffff;
    this.tsOffset = (nextTs - ts) >>> 0;
    this.baseInSeq = seq;
    this.inSsrc = ssrc;
  }

  /** Asks the drop filter about a packet, shown in a reused object (no allocation per packet). */
  private dropped(marker: boolean, payloadType: number, seq: number, ts: number, payload: Buffer): boolean {
    let p = this.filterPacket;
    if (p === null) {
      p = new RtpPacket(this.header(marker, payloadType, seq, ts), payload);
      this.filterPacket = p;
    } else {
      p.header.marker = marker;
      p.header.payloadType = payloadType;
      p.header.sequenceNumber = seq;
      p.header.timestamp = ts;
      p.payload = payload;
    }
    const drop = this.dropFilter?.(p) === true;
    // The reused object must not keep the payload: it is often a slice of an 8 KiB pooled buffer, and one held
    // per consumer between packets was ~8 KiB per player transport in a heap snapshot of the bench server.
    p.payload = NO_PAYLOAD;
    return drop;
  }

  /** Our header of a packet, for werift's pipeline (when the fast path does not apply). */
  private header(marker: boolean, payloadType: number, sequenceNumber: number, timestamp: number): RtpHeader {
    return new RtpHeader({
      version: 2,
      padding: false,
      marker,
      payloadType,
      sequenceNumber,
      timestamp,
      ssrc: this.sender.ssrc,
      // The publisher's header extensions use its own negotiated IDs; werift adds ours.
      extensions: [],
    });
  }
}
