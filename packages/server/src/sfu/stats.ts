/**
 * Statistics of the SFU: per RTP stream (one producer or consumer) and per transport.
 * Counters the SFU owns (packets, NACKs, keyframe requests) are exact; loss and RTT towards players come from
 * their RTCP receiver reports, through werift.
 */
import { ReceiverStatistics } from '@parley/rtp';
import type { RtpPacket } from 'werift';

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
 * Receive-side counters of one incoming stream: packets and bytes as they came (duplicates included), and
 * the RFC 3550 receiver statistics of the current SSRC (loss, jitter). A new SSRC starts a new count of loss
 * (a publisher restart); the loss of the SSRCs before it is kept.
 */
export class IncomingStreamCounter {
  packets = 0;
  bytes = 0;
  private ssrc: number | null = null;
  private readonly statistics: ReceiverStatistics;
  private lostBefore = 0;

  constructor(
    clockRate: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.statistics = new ReceiverStatistics(clockRate);
  }

  /** Counts `packet`, received now. */
  add(packet: RtpPacket): void {
    const { ssrc, sequenceNumber, timestamp } = packet.header;
    this.packets += 1;
    this.bytes += packet.payload.length;
    if (ssrc !== this.ssrc) {
      this.lostBefore += this.statistics.lost;
      this.statistics.reset();
      this.ssrc = ssrc;
    }
    this.statistics.receive(sequenceNumber, timestamp, this.now());
  }

  /** Packets expected but not received, over every SSRC seen. */
  get packetsLost(): number {
    return this.lostBefore + this.statistics.lost;
  }

  /** Jitter of the current SSRC in seconds. */
  get jitter(): number {
    return this.statistics.jitter;
  }
}
