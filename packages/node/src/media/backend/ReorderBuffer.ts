/**
 * Puts RTP packets back in sequence-number order before depacketizing. A packet that arrives early (after a gap)
 * waits for the missing ones — a retransmission answering werift's NACK, or a plain reorder — for at most
 * `maxDelayMs`; then the gap is given up and the depacketizer sees it as a loss.
 */
import { sequenceDelta } from '@parley/rtp';
import type { RtpPacketLike } from '../RtpSequencer.js';

interface Held<P> {
  packet: P;
  arrivedAt: number;
}

/** Options of a {@link ReorderBuffer}. */
export interface ReorderBufferOptions {
  /** Longest a packet waits behind a gap; default 100 ms. */
  maxDelayMs?: number;
  /** Most packets held; beyond it the oldest gap is given up at once. Default 512. */
  maxPackets?: number;
}

/**
 * @example
 * const reorder = new ReorderBuffer<RtpPacket>({ maxDelayMs: 150 });
 * for (const p of reorder.push(packet, performance.now())) depacketizer.push(p);
 * for (const p of reorder.expire(performance.now())) depacketizer.push(p); // from a timer
 */
export class ReorderBuffer<P extends RtpPacketLike> {
  readonly maxDelayMs: number;
  readonly maxPackets: number;
  private readonly held = new Map<number, Held<P>>();
  /** The sequence number the next released packet must carry; null before the first packet. */
  private expected: number | null = null;
  /** Packets that came too late (their gap was given up) or twice. */
  discarded = 0;
  /** Gaps given up. */
  gapsSkipped = 0;

  constructor(options: ReorderBufferOptions = {}) {
    this.maxDelayMs = options.maxDelayMs ?? 100;
    this.maxPackets = options.maxPackets ?? 512;
  }

  /** Packets held behind a gap. */
  get size(): number {
    return this.held.size;
  }

  /** Adds a packet; returns the packets now in order, oldest first. */
  push(packet: P, now: number): P[] {
    const seq = packet.header.sequenceNumber;
    if (this.expected === null) this.expected = seq;
    const delta = sequenceDelta(this.expected, seq);
    if (delta >= 0x8000 || this.held.has(seq)) {
      this.discarded += 1;
      return this.expire(now);
    }
    this.held.set(seq, { packet, arrivedAt: now });
    const out = this.release();
    if (this.held.size > this.maxPackets) out.push(...this.skipGap());
    out.push(...this.expire(now));
    return out;
  }

  /** Gives up the gaps the oldest held packet has waited behind for `maxDelayMs`; returns what that releases. */
  expire(now: number): P[] {
    const out: P[] = [];
    while (this.held.size > 0) {
      let oldest = Number.POSITIVE_INFINITY;
      for (const h of this.held.values()) oldest = Math.min(oldest, h.arrivedAt);
      if (now - oldest < this.maxDelayMs) break;
      out.push(...this.skipGap());
    }
    return out;
  }

  /** Releases everything held, in order, giving up every gap (the track ends). */
  drain(): P[] {
    const out: P[] = [];
    while (this.held.size > 0) out.push(...this.skipGap());
    return out;
  }

  /** Moves `expected` to the nearest held packet and releases the run that starts there. */
  private skipGap(): P[] {
    if (this.expected === null || this.held.size === 0) return [];
    let nearest = Number.POSITIVE_INFINITY;
    for (const seq of this.held.keys()) nearest = Math.min(nearest, sequenceDelta(this.expected, seq));
    this.expected = (this.expected + nearest) & 0xffff;
    this.gapsSkipped += 1;
    return this.release();
  }

  private release(): P[] {
    const out: P[] = [];
    while (this.expected !== null) {
      const h = this.held.get(this.expected);
      if (!h) break;
      this.held.delete(this.expected);
      out.push(h.packet);
      this.expected = (this.expected + 1) & 0xffff;
    }
    return out;
  }
}
