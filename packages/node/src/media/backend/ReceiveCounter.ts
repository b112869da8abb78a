/**
 * The receiver statistics of one RTP stream, as RFC 3550 defines them: packets received, packets lost
 * (expected − received from the extended highest sequence number, A.3) and interarrival jitter (A.8); plus the
 * packets that were missing and arrived later (resent after a NACK, or reordered), which the quality reports
 * count as loss the network caused even though it was repaired.
 */
import { sequenceDelta } from '../RtpSequencer.js';

/**
 * How far behind the highest sequence number a missing packet is remembered. Past it, a late packet can no
 * longer be told from a duplicate; NACK repairs arrive well within it (werift NACKs a loss at most 10 times,
 * 5 ms apart, and the reorder buffer waits 150 ms for it).
 */
const MISSING_WINDOW = 1024;

/**
 * @example
 * const counter = new ReceiveCounter(90000);
 * counter.add(packet.header.sequenceNumber, packet.header.timestamp, packet.payload.length, performance.now());
 */
export class ReceiveCounter {
  /** Packets received, each sequence number once (a duplicate within the window is not counted again). */
  packets = 0;
  /** Payload bytes, duplicates included. */
  bytes = 0;
  /** Packets that arrived after having been counted missing: loss that was repaired. */
  repaired = 0;
  /** Packets received a second time (a retransmission answering a NACK sent twice). */
  duplicates = 0;
  private baseSeq: number | null = null;
  /** Extended highest sequence number (with wrap cycles). */
  private maxExt = 0;
  private lastTransit: number | null = null;
  /** Interarrival jitter in clock units (RFC 3550 A.8, in floating point). */
  private jitterUnits = 0;
  /** Extended sequence numbers skipped by the highest one and not yet received, within {@link MISSING_WINDOW}. */
  private readonly missing = new Set<number>();

  constructor(readonly clockRate: number) {}

  /** Counts a packet that arrived at `arrivedAt` (ms, performance.now()). */
  add(seq: number, timestamp: number, payloadBytes: number, arrivedAt: number): void {
    this.bytes += payloadBytes;
    if (this.baseSeq === null) {
      this.baseSeq = seq;
      this.maxExt = seq;
    } else {
      const delta = sequenceDelta(this.maxExt & 0xffff, seq);
      if (delta > 0 && delta < 0x8000) {
        // Newer than the highest so far (a forward jump of under half the space): extend, noting the skipped.
        this.skipTo(this.maxExt + delta);
      } else {
        // Not newer: a packet counted missing arriving late, a duplicate, or older than anything tracked.
        const ext = this.maxExt - ((0x10000 - delta) & 0xffff);
        const tracked = ext >= this.baseSeq && ext > this.maxExt - MISSING_WINDOW;
        if (tracked && this.missing.delete(ext)) {
          this.repaired += 1;
          this.packets += 1;
        } else if (tracked) {
          this.duplicates += 1;
        } else {
          this.packets += 1;
        }
        // Jitter is measured on packets in order only, as libwebrtc does: a resent packet's transit time says
        // how long the repair took, not how the network's delay varies.
        return;
      }
    }
    this.packets += 1;
    const arrival = (arrivedAt * this.clockRate) / 1000;
    const transit = arrival - timestamp;
    if (this.lastTransit !== null) {
      let d = Math.abs(transit - this.lastTransit);
      // A timestamp wrap shows up as a 2^32 jump in transit: fold it back.
      if (d > 0x8000_0000) d = Math.abs(d - 0x1_0000_0000);
      this.jitterUnits += (d - this.jitterUnits) / 16;
    }
    this.lastTransit = transit;
  }

  /** Packets expected from the first to the highest sequence number. */
  get expected(): number {
    return this.baseSeq === null ? 0 : this.maxExt - this.baseSeq + 1;
  }

  /** Expected − received, never below 0 (packets older than the first one can make it negative). */
  get lost(): number {
    return Math.max(0, this.expected - this.packets);
  }

  /** Moves the highest sequence number to `ext`, remembering the ones skipped as missing. */
  private skipTo(ext: number): void {
    const floor = ext - MISSING_WINDOW;
    for (let m = Math.max(this.maxExt + 1, floor + 1); m < ext; m++) this.missing.add(m);
    this.maxExt = ext;
    // Forget what fell out of the window (lost for good); rarely needed, so only when the set has grown.
    if (this.missing.size > MISSING_WINDOW / 2)
      for (const m of this.missing) if (m <= floor) this.missing.delete(m);
  }

  /** Interarrival jitter in seconds. */
  get jitter(): number {
    return this.jitterUnits / this.clockRate;
  }
}
