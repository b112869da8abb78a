import { sequenceDelta } from '@parley/rtp';
import { RtpHeader, RtpPacket } from 'werift';

// The SDK's public sequence arithmetic is @parley/rtp's.
export { sequenceDelta };

/** The part of an RTP packet the depacketizers read; werift's `RtpPacket` satisfies it. */
export interface RtpPacketLike {
  header: { sequenceNumber: number; timestamp: number; marker: boolean };
  payload: Uint8Array;
}

/** RTP clock rates used by Parley: 90 kHz for video (RFC 3551), 48 kHz for Opus (RFC 7587). */
export const RtpClockRate = { video: 90_000, audio: 48_000 } as const;

const SEQ_MOD = 0x1_0000;
const TS_MOD = 0x1_0000_0000;

/**
 * Converts a time in `numerator/denominator`-second ticks (an IVF pts, say) into RTP clock units,
 * rounded to the nearest unit.
 *
 * @example
 * rescaleTime(15, 1, 15, RtpClockRate.video) // 90000: frame 15 at 15 fps is one second
 */
export function rescaleTime(
  ticks: number,
  numerator: number,
  denominator: number,
  clockRate: number,
): number {
  if (denominator <= 0 || numerator <= 0) throw new TypeError('timebase terms must be positive');
  return Math.round((ticks * numerator * clockRate) / denominator);
}

/** Options of an {@link RtpSequencer}; unset initial values are random, as RFC 3550 §5.1 asks. */
export interface RtpSequencerOptions {
  payloadType: number;
  clockRate: number;
  ssrc?: number;
  initialSequenceNumber?: number;
  initialTimestamp?: number;
}

/**
 * Numbers the RTP packets of one outgoing stream: sequence numbers wrap at 2^16, timestamps are
 * a random origin plus media time in clock units and wrap at 2^32, and the marker bit ends a frame.
 *
 * @example
 * const seq = new RtpSequencer({ payloadType: 96, clockRate: RtpClockRate.video });
 * for (const p of seq.frame(vp8.packetize(frame.data), rescaleTime(frame.pts, 1, 15, 90000))) track.writeRtp(p);
 */
export class RtpSequencer {
  readonly payloadType: number;
  readonly clockRate: number;
  readonly ssrc: number;
  readonly initialTimestamp: number;
  private sequence: number;

  constructor(options: RtpSequencerOptions) {
    const { payloadType, clockRate } = options;
    if (!Number.isInteger(payloadType) || payloadType < 0 || payloadType > 127) {
      throw new TypeError(`RTP payload type must be 0..127, got ${payloadType}`);
    }
    if (!Number.isInteger(clockRate) || clockRate <= 0)
      throw new TypeError(`bad RTP clock rate ${clockRate}`);
    this.payloadType = payloadType;
    this.clockRate = clockRate;
    this.ssrc = checkedUint(options.ssrc ?? randomUint(TS_MOD), TS_MOD, 'SSRC');
    this.sequence = checkedUint(
      options.initialSequenceNumber ?? randomUint(SEQ_MOD),
      SEQ_MOD,
      'sequence number',
    );
    this.initialTimestamp = checkedUint(options.initialTimestamp ?? randomUint(TS_MOD), TS_MOD, 'timestamp');
  }

  /** The sequence number the next packet will carry. */
  get nextSequenceNumber(): number {
    return this.sequence;
  }

  /** The RTP timestamp of media time `mediaTime`, given in clock units since the stream began. */
  rtpTimestamp(mediaTime: number): number {
    if (!Number.isSafeInteger(mediaTime) || mediaTime < 0) {
      throw new TypeError(`media time must be a non-negative integer of clock units, got ${mediaTime}`);
    }
    return (this.initialTimestamp + (mediaTime % TS_MOD)) % TS_MOD;
  }

  /** Builds the next packet. `marker` is the RTP marker bit (end of a video frame). */
  packet(payload: Uint8Array, mediaTime: number, marker = false): RtpPacket {
    const header = new RtpHeader({
      payloadType: this.payloadType,
      sequenceNumber: this.sequence,
      timestamp: this.rtpTimestamp(mediaTime),
      ssrc: this.ssrc,
      marker,
    });
    this.sequence = (this.sequence + 1) % SEQ_MOD;
    return new RtpPacket(header, Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength));
  }

  /** Builds the packets of one video frame: one timestamp, consecutive numbers, marker on the last. */
  frame(payloads: readonly Uint8Array[], mediaTime: number): RtpPacket[] {
    if (payloads.length === 0) throw new TypeError('a frame needs at least one payload');
    return payloads.map((p, i) => this.packet(p, mediaTime, i === payloads.length - 1));
  }
}

function randomUint(modulus: number): number {
  return Math.floor(Math.random() * modulus);
}

function checkedUint(value: number, modulus: number, what: string): number {
  if (!Number.isInteger(value) || value < 0 || value >= modulus) {
    throw new TypeError(`${what} must be an integer in 0..${modulus - 1}, got ${value}`);
  }
  return value;
}

/**
 * Follows the sequence numbers of an incoming RTP stream that is expected in order: counts the packets lost
 * before each one, and drops duplicates and late packets (counted in `discarded`).
 */
export class SequenceTracker {
  private last: number | undefined;
  /** Packets known lost so far. */
  lostPackets = 0;
  /** Duplicate or late packets dropped so far. */
  discarded = 0;

  /** The number of packets lost just before `seq`, or null when `seq` is a duplicate or late and must be dropped. */
  next(seq: number): number | null {
    let lost = 0;
    if (this.last !== undefined) {
      const delta = sequenceDelta(this.last, seq);
      if (delta === 0 || delta >= 0x8000) {
        this.discarded++;
        return null;
      }
      lost = delta - 1;
    }
    this.last = seq;
    this.lostPackets += lost;
    return lost;
  }
}
