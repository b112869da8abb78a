/**
 * Statistics of the SFU: per RTP stream (one producer or consumer) and per transport.
 * Counters the SFU owns (packets, NACKs, keyframe requests) are exact; loss and RTT towards players come from
 * their RTCP receiver reports, through werift.
 */
import type { RtpPacket } from 'werift';
import { seqDiff } from './rtpMath.js';

/** Statistics of one RTP stream through the SFU. */
export interface RtpStreamStats {
  kind: 'audio' | 'video';
  mimeType: string;
  /** Incoming: the publisher's SSRC (latest); outgoing: the consumer's SSRC. */
  ssrc: number;
  /** Packets and payload bytes received (producer) or sent, retransmissions excluded (consumer). */
  packets: number;
  bytes: number;
  /** Producer: sequence gaps not filled; consumer: cumulative loss the player reports in RTCP (0 until it does). */
  packetsLost: number;
  /** Producer: interarrival jitter (RFC 3550 §6.4.1) in seconds; consumer: null (werift keeps no remote jitter). */
  jitter: number | null;
  /** Producer: NACK packets sent to the publisher; consumer: NACK packets received from the player. */
  nackCount: number;
  /** Producer: PLIs sent to the publisher; consumer: PLIs and FIRs received from the player. */
  pliCount: number;
  /** Producer: keyframe requests absorbed by the rate limit (0 for a consumer). */
  keyframeRequestsCoalesced: number;
  /** Consumer: packets resent from the producer's buffer on the player's NACKs (0 for a producer). */
  retransmitted: number;
  /** Video: frames (RTP marker bits) received, frames per second over the last 2 s, and the VP8 keyframe's
   * picture size — what the publisher sends (for a consumer: the stream it forwards); null where unknown. */
  frames: number | null;
  frameRate: number | null;
  frameWidth: number | null;
  frameHeight: number | null;
}

/** Statistics of one transport (one werift peer connection). */
export interface TransportStats {
  key: string;
  direction: 'publish' | 'play';
  connectionState: string;
  /** Round-trip time in seconds: from RTCP receiver reports (play) or ICE checks; null before a measurement. */
  rtt: number | null;
  packets: number;
  bytes: number;
  packetsLost: number;
  nackCount: number;
  pliCount: number;
  streams: RtpStreamStats[];
}

/** Sums per-stream counters into a transport's totals. */
export function transportStats(
  key: string,
  direction: 'publish' | 'play',
  connectionState: string,
  rtt: number | null,
  streams: RtpStreamStats[],
): TransportStats {
  const sum = (f: (s: RtpStreamStats) => number): number => streams.reduce((n, s) => n + f(s), 0);
  return {
    key,
    direction,
    connectionState,
    rtt,
    packets: sum((s) => s.packets),
    bytes: sum((s) => s.bytes),
    packetsLost: sum((s) => s.packetsLost),
    nackCount: sum((s) => s.nackCount),
    pliCount: sum((s) => s.pliCount),
    streams,
  };
}

/**
 * Receive-side counters of one incoming stream: packets, bytes, loss from the extended highest sequence
 * number, and RFC 3550 interarrival jitter. A new SSRC starts a new count of loss (a publisher restart).
 */
export class IncomingStreamCounter {
  packets = 0;
  bytes = 0;
  private ssrc: number | null = null;
  private baseExt = 0;
  private highestExt = 0;
  private received = 0;
  private lostBefore = 0;
  private jitterTicks = 0;
  private lastTransit: number | null = null;

  constructor(
    private readonly clockRate: number,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Counts `packet`, received now. */
  add(packet: RtpPacket): void {
    const { ssrc, sequenceNumber, timestamp } = packet.header;
    this.packets += 1;
    this.bytes += packet.payload.length;
    if (ssrc !== this.ssrc) {
      this.lostBefore += this.lostOfCurrent();
      this.ssrc = ssrc;
      this.baseExt = sequenceNumber;
      this.highestExt = sequenceNumber;
      this.received = 1;
      this.lastTransit = null;
      return;
    }
    this.received += 1;
    const d = seqDiff(sequenceNumber, this.highestExt & 0xffff);
    if (d <= 0) return; // late or duplicate: counted as received, no jitter sample
    this.highestExt += d;
    const arrival = (this.now() * this.clockRate) / 1000;
    const transit = arrival - timestamp;
    if (this.lastTransit !== null) {
      // Timestamps wrap at 2^32; fold the difference back into a signed 32-bit range.
      let delta = transit - this.lastTransit;
      delta = (((delta % 0x100000000) + 0x100000000 + 0x80000000) % 0x100000000) - 0x80000000;
      this.jitterTicks += (Math.abs(delta) - this.jitterTicks) / 16;
    }
    this.lastTransit = transit;
  }

  /** Packets expected but not received, over every SSRC seen. */
  get packetsLost(): number {
    return this.lostBefore + this.lostOfCurrent();
  }

  /** Jitter in seconds. */
  get jitter(): number {
    return this.jitterTicks / this.clockRate;
  }

  private lostOfCurrent(): number {
    if (this.ssrc === null) return 0;
    return Math.max(0, this.highestExt - this.baseExt + 1 - this.received);
  }
}
