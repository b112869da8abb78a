/**
 * The receiver statistics of one RTP stream, as RFC 3550 defines them: packets received, packets lost
 * (expected − received from the extended highest sequence number, A.3) and interarrival jitter (A.8).
 */
import { sequenceDelta } from '../RtpSequencer.js';

/**
 * @example
 * const counter = new ReceiveCounter(90000);
 * counter.add(packet.header.sequenceNumber, packet.header.timestamp, packet.payload.length, performance.now());
 */
export class ReceiveCounter {
  packets = 0;
  /** Payload bytes. */
  bytes = 0;
  private baseSeq: number | null = null;
  /** Extended highest sequence number (with wrap cycles). */
  private maxExt = 0;
  private lastTransit: number | null = null;
  /** Interarrival jitter in clock units (RFC 3550 A.8, in floating point). */
  private jitterUnits = 0;

  constructor(readonly clockRate: number) {}

  /** Counts a packet that arrived at `arrivedAt` (ms, performance.now()). */
  add(seq: number, timestamp: number, payloadBytes: number, arrivedAt: number): void {
    this.packets += 1;
    this.bytes += payloadBytes;
    if (this.baseSeq === null) {
      this.baseSeq = seq;
      this.maxExt = seq;
    } else {
      const delta = sequenceDelta(this.maxExt & 0xffff, seq);
      // Newer than the highest so far (a forward jump of under half the space): extend.
      if (delta > 0 && delta < 0x8000) this.maxExt += delta;
    }
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

  /** Expected − received, never below 0 (duplicates can make it negative). */
  get lost(): number {
    return Math.max(0, this.expected - this.packets);
  }

  /** Interarrival jitter in seconds. */
  get jitter(): number {
    return this.jitterUnits / this.clockRate;
  }
}
