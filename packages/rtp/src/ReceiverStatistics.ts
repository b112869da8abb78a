/**
 * The receiver-side statistics of one RTP stream (one SSRC), as RFC 3550 defines them: the extended highest
 * sequence number with its cycles (§A.1), packets expected and lost, the fraction lost per report interval
 * (§A.3) and the interarrival jitter (§A.8). On top of RFC 3550's count, packets skipped by the highest
 * sequence number are remembered for a while, so a packet that arrives after being counted missing (resent
 * after a NACK, or reordered) is told from a second copy of one already received: the first is "repaired"
 * loss and counts as received, the second is a duplicate and counts nowhere (RFC 3550 would count it as
 * received, hiding loss behind duplicates).
 *
 * Zero I/O: the caller says when each packet arrived.
 */
import { extendSequence } from './sequence.js';

/**
 * How far behind the highest sequence number a missing packet is remembered. Past it, a late packet can no
 * longer be told from a duplicate; NACK repairs arrive well within it.
 */
export const MISSING_WINDOW = 1024;

/** The figures of one RTCP reception report block (RFC 3550 §6.4.1) for this stream. */
export interface ReceptionReport {
  /** The extended highest sequence number received, modulo 2^32 (cycles in the high 16 bits). */
  extendedHighest: number;
  /** Packets lost since the previous report, in 1/256ths of those expected (0..255). */
  fractionLost: number;
  /** Packets lost since the first one, capped to the 24-bit field (0..0x7fffff). */
  cumulativeLost: number;
  /** Interarrival jitter in RTP timestamp units, an integer. */
  jitter: number;
}

/**
 * @example
 * const stats = new ReceiverStatistics(90000);
 * stats.receive(header.sequenceNumber, header.timestamp, performance.now());
 * stats.lost; // packets lost so far
 * stats.takeReport(); // the next receiver report's block
 */
export class ReceiverStatistics {
  /** Distinct packets received: each sequence number once (a duplicate within the window counts nowhere). */
  received = 0;
  /** Packets that arrived after having been counted missing: loss that was repaired. */
  repaired = 0;
  /** Packets received a second time (a retransmission answering a NACK sent twice, a duplicate path). */
  duplicates = 0;
  /** The extended sequence number of the first packet, or null before it. */
  private first: number | null = null;
  /** The extended highest sequence number received. */
  private highest = 0;
  /** Interarrival jitter in clock units (RFC 3550 §A.8, in floating point). */
  private jitterUnits = 0;
  private lastTransit: number | null = null;
  /** Extended sequence numbers skipped by the highest one and not received yet, within the window. */
  private missing: Set<number> | null = null;
  /** Expected and received at the previous report (RFC 3550 §A.3). */
  private expectedPrior = 0;
  private receivedPrior = 0;

  /** `clockRate` is the stream's RTP clock rate in Hz (the jitter's unit). */
  constructor(readonly clockRate: number) {
    if (!(clockRate > 0)) throw new RangeError(`bad RTP clock rate ${clockRate}`);
  }

  /**
   * Counts a packet with sequence number `seq` and RTP timestamp `timestamp` that arrived at `arrivalMs`
   * (milliseconds on any monotonic clock, the same for every packet). Returns its extended sequence number:
   * the number with the stream's cycles, from which the caller reads the packet's rollover counter
   * (`Math.floor(ext / 65536)`) and, by comparing with {@link extendedHighest} before the call, the gap it
   * skipped. Negative for a late packet from before the first one of a stream that began near a wrap.
   */
  receive(seq: number, timestamp: number, arrivalMs: number): number {
    if (this.first === null) {
      this.first = seq;
      this.highest = seq;
      this.received = 1;
      this.lastTransit = (arrivalMs * this.clockRate) / 1000 - timestamp;
      return seq;
    }
    const ext = extendSequence(this.highest, seq);
    if (ext > this.highest) {
      if (ext > this.highest + 1) this.skip(ext);
      this.highest = ext;
      this.received += 1;
      this.sampleJitter(timestamp, arrivalMs);
      return ext;
    }
    // Not newer: a packet counted missing arriving late, a duplicate, or older than anything tracked. Jitter
    // is measured on packets in order only, as libwebrtc does: a resent packet's transit time says how long
    // the repair took, not how the network's delay varies.
    const tracked = ext >= this.first && ext > this.highest - MISSING_WINDOW;
    if (!tracked) this.received += 1;
    else if (this.missing?.delete(ext)) {
      this.repaired += 1;
      this.received += 1;
    } else this.duplicates += 1;
    return ext;
  }

  /** True once a packet was received. */
  get started(): boolean {
    return this.first !== null;
  }

  /** The extended highest sequence number received (RFC 3550 §A.1); 0 before the first packet. */
  get extendedHighest(): number {
    return this.highest;
  }

  /** Times the sequence number wrapped past the highest packet received (RFC 3550's `cycles` >> 16). */
  get cycles(): number {
    return Math.floor(this.highest / 0x10000);
  }

  /** Packets expected from the first to the highest sequence number. */
  get expected(): number {
    return this.first === null ? 0 : this.highest - this.first + 1;
  }

  /** Expected − received, never below 0 (packets from before the first one can make it negative). */
  get lost(): number {
    return Math.max(0, this.expected - this.received);
  }

  /** Interarrival jitter in seconds. */
  get jitter(): number {
    return this.jitterUnits / this.clockRate;
  }

  /** Interarrival jitter in RTP clock units, unrounded. */
  get jitterInClockUnits(): number {
    return this.jitterUnits;
  }

  /**
   * The fraction lost since the previous call (RFC 3550 §A.3), in 1/256ths (0..255; 0 when more arrived than
   * were expected, repairs of an earlier interval for instance), and starts the next interval.
   */
  takeFractionLost(): number {
    const expected = this.expected;
    const expectedInterval = expected - this.expectedPrior;
    const lostInterval = expectedInterval - (this.received - this.receivedPrior);
    this.expectedPrior = expected;
    this.receivedPrior = this.received;
    if (expectedInterval <= 0 || lostInterval <= 0) return 0;
    return Math.min(255, Math.floor((lostInterval * 256) / expectedInterval));
  }

  /** The figures of the next reception report block; starts the next report interval. */
  takeReport(): ReceptionReport {
    return {
      extendedHighest: this.highest >>> 0,
      fractionLost: this.takeFractionLost(),
      cumulativeLost: Math.min(this.lost, 0x7fffff),
      jitter: Math.floor(this.jitterUnits) >>> 0,
    };
  }

  /** Forgets everything: the next packet starts a new stream (a new SSRC, say). */
  reset(): void {
    this.received = 0;
    this.repaired = 0;
    this.duplicates = 0;
    this.first = null;
    this.highest = 0;
    this.jitterUnits = 0;
    this.lastTransit = null;
    this.missing = null;
    this.expectedPrior = 0;
    this.receivedPrior = 0;
  }

  /** One jitter sample (RFC 3550 §A.8) for a packet in order. */
  private sampleJitter(timestamp: number, arrivalMs: number): void {
    const transit = (arrivalMs * this.clockRate) / 1000 - timestamp;
    if (this.lastTransit !== null) {
      let d = Math.abs(transit - this.lastTransit);
      // RTP timestamps wrap at 2^32: a wrap between two packets shows as a jump of about 2^32 in transit.
      if (d > 0x8000_0000) d = Math.abs(d - 0x1_0000_0000);
      this.jitterUnits += (d - this.jitterUnits) / 16;
    }
    this.lastTransit = transit;
  }

  /** Remembers the sequence numbers between the highest and `ext` as missing (the last window's worth). */
  private skip(ext: number): void {
    const floor = ext - MISSING_WINDOW;
    let missing = this.missing;
    if (missing === null) {
      missing = new Set();
      this.missing = missing;
    }
    for (let m = Math.max(this.highest + 1, floor + 1); m < ext; m++) missing.add(m);
    // Forget what fell out of the window (lost for good); rarely needed, so only when the set has grown.
    if (missing.size > MISSING_WINDOW / 2) for (const m of missing) if (m <= floor) missing.delete(m);
  }
}
