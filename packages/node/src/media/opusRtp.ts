import type { RtpPacket } from 'werift';
import { OPUS_CLOCK_RATE, opusPacketSamples } from './opusToc.js';
import { type RtpPacketLike, type RtpSequencer, SequenceTracker } from './RtpSequencer.js';

/**
 * Sends Opus over RTP (RFC 7587): one Opus packet per RTP packet, the payload is the Opus packet
 * unchanged, and the timestamp advances by the packet's duration in 48 kHz samples (from its TOC).
 *
 * @example
 * const opus = new OpusRtpPacketizer(new RtpSequencer({ payloadType: 111, clockRate: 48000 }));
 * for (const p of readOggOpus(bytes).packets) track.writeRtp(opus.packetize(p));
 */
export class OpusRtpPacketizer {
  private mediaTime = 0;

  constructor(private readonly sequencer: RtpSequencer) {
    if (sequencer.clockRate !== OPUS_CLOCK_RATE) {
      throw new TypeError(`Opus RTP uses a 48000 Hz clock, the sequencer has ${sequencer.clockRate}`);
    }
  }

  /** Wraps one Opus packet; throws `MediaFormatError` if its TOC is unreadable. */
  packetize(opusPacket: Uint8Array): RtpPacket {
    const samples = opusPacketSamples(opusPacket);
    const packet = this.sequencer.packet(opusPacket, this.mediaTime);
    this.mediaTime += samples;
    return packet;
  }

  /** Skips `samples` of silence (DTX or a paused source) so the next timestamp stays on the media clock. */
  skip(samples: number): void {
    if (!Number.isInteger(samples) || samples < 0) throw new TypeError(`bad sample count ${samples}`);
    this.mediaTime += samples;
  }
}

/** One received Opus packet, with how many RTP packets went missing just before it. */
export interface OpusRtpFrame {
  data: Uint8Array;
  timestamp: number;
  sequenceNumber: number;
  lostBefore: number;
}

/**
 * Unwraps Opus packets from in-order RTP packets. Duplicates and packets older than the last one
 * are dropped (counted in `discarded`); gaps are reported on the next packet as `lostBefore`.
 */
export class OpusRtpDepacketizer {
  private readonly sequence = new SequenceTracker();
  /** Packets known lost so far (empty payloads count as lost media). */
  get lostPackets(): number {
    return this.sequence.lostPackets + this.empty;
  }
  /** Duplicate or late packets dropped so far. */
  get discarded(): number {
    return this.sequence.discarded;
  }
  private empty = 0;

  /** Returns the Opus packet, or `undefined` for a duplicate, late or empty packet. */
  push(rtp: RtpPacketLike): OpusRtpFrame | undefined {
    const seq = rtp.header.sequenceNumber;
    const lostBefore = this.sequence.next(seq);
    if (lostBefore === null) return undefined;
    // An empty payload carries no Opus packet (RFC 7587 §4.2 forbids it); count it as lost media.
    if (rtp.payload.length === 0) {
      this.empty++;
      return undefined;
    }
    return { data: rtp.payload, timestamp: rtp.header.timestamp, sequenceNumber: seq, lostBefore };
  }
}
