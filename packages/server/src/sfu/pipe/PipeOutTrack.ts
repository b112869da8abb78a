/**
 * One track of a pipe-out, at the origin: an {@link RtpSink} of the stream's producer, like a player's
 * consumer, that sends each packet once through the pipe as the publisher sent it (its SSRC, sequence number
 * and timestamp; only the payload type is the pipe's, so the remote node tells the tracks apart). It answers
 * the remote node's NACKs from the producer's buffer, passes its keyframe requests on to the producer (which
 * throttles them as it does a player's), and follows a restarted publisher to its new producer.
 */
import type { RtpPacket } from 'werift';
import type { Producer, RtpSink } from '../Producer.js';
import { type PipeCodec, pipeCodecOf, sameCodec } from './pipeMessages.js';
import { writeRtp } from './pipeRtp.js';

/** What a track needs of its pipe-out. */
export interface PipeOutWire {
  /** True once the remote node has been heard: only then do packets go out. */
  readonly open: boolean;
  /** Sends one RTP datagram; false if it could not. */
  sendRtp(data: Buffer): boolean;
  /** The track's producer closed and no successor took its place. */
  trackIdle(track: PipeOutTrack): void;
}

/** Counters of one piped track. */
export interface PipeOutTrackStats {
  kind: 'audio' | 'video';
  mimeType: string;
  payloadType: number;
  /** The SSRC of the last packet sent (the publisher's), null before the first. */
  ssrc: number | null;
  /** Packets sent once each, and their datagram bytes (RTP header included); repairs excluded. */
  packetsSent: number;
  bytesSent: number;
  /** Packets sent again on the remote node's NACKs. */
  retransmitted: number;
  /** Keyframe requests (PLI, FIR) from the remote node, before the producer's throttling. */
  keyframeRequests: number;
}

export class PipeOutTrack implements RtpSink {
  readonly kind: 'audio' | 'video';
  /** The codec on the pipe, as the answer announced it (payload type included). */
  readonly codec: PipeCodec;
  private readonly wire: PipeOutWire;
  private _producer: Producer | null;
  private lastSsrc: number | null = null;
  private packetsSent = 0;
  private bytesSent = 0;
  private retransmitted = 0;
  private keyframeRequests = 0;

  constructor(producer: Producer, payloadType: number, wire: PipeOutWire) {
    this.kind = producer.kind;
    this.codec = pipeCodecOf(producer, payloadType);
    this.wire = wire;
    this._producer = producer;
    producer.attach(this);
  }

  /** The producer forwarded from, or null once it closed without a successor. */
  get producer(): Producer | null {
    return this._producer;
  }

  /** The SSRC of the last packet sent, null before the first. */
  get ssrc(): number | null {
    return this.lastSsrc;
  }

  /** True if `producer` sends what this track carries (the pipe can follow it without renegotiating). */
  canCarry(producer: Producer): boolean {
    return (
      producer.kind === this.kind && sameCodec(this.codec, pipeCodecOf(producer, this.codec.payloadType))
    );
  }

  /** Forwards from `producer` (a restarted publisher's) from now on; the remote resumes on its next keyframe. */
  switchTo(producer: Producer): void {
    if (producer === this._producer) return;
    this._producer?.detach(this);
    this._producer = producer;
    producer.attach(this);
    producer.requestKeyframe();
  }

  /** A keyframe request from the remote node for `ssrc`: true if it was this track's. */
  requestKeyframe(ssrc: number): boolean {
    const producer = this._producer;
    if (!producer || !this.isMine(ssrc)) return false;
    this.keyframeRequests += 1;
    producer.requestKeyframe();
    return true;
  }

  /** A NACK from the remote node for `lost` of `ssrc`: resends what the producer's buffer still holds. */
  answerNack(ssrc: number, lost: readonly number[]): boolean {
    const producer = this._producer;
    if (!producer || !this.isMine(ssrc)) return false;
    for (const seq of lost) {
      const packet = producer.buffer.get(ssrc, seq);
      if (packet && this.wire.sendRtp(writeRtp(packet, this.codec.payloadType))) this.retransmitted += 1;
    }
    return true;
  }

  stats(): PipeOutTrackStats {
    return {
      kind: this.kind,
      mimeType: this.codec.mimeType,
      payloadType: this.codec.payloadType,
      ssrc: this.lastSsrc,
      packetsSent: this.packetsSent,
      bytesSent: this.bytesSent,
      retransmitted: this.retransmitted,
      keyframeRequests: this.keyframeRequests,
    };
  }

  /** Detaches from the producer. */
  close(): void {
    this._producer?.detach(this);
    this._producer = null;
  }

  /** @internal Called by the producer for each packet. */
  handleRtp(packet: RtpPacket, producer: Producer): void {
    if (producer !== this._producer || !this.wire.open) return;
    const data = writeRtp(packet, this.codec.payloadType);
    if (!this.wire.sendRtp(data)) return;
    this.lastSsrc = packet.header.ssrc;
    this.packetsSent += 1;
    this.bytesSent += data.length;
  }

  /**
   * @internal Nothing to warm (`RtpSink.warm`): a pipe is one per track and node, not one of hundreds of players,
   * and its wire's memory is shared by all its tracks.
   */
  warm(): number {
    return 0;
  }

  /** @internal Called by the producer when it closes. */
  handleProducerClose(producer: Producer): void {
    if (producer !== this._producer) return;
    this._producer = null;
    this.wire.trackIdle(this);
  }

  /** A request about `ssrc` is this track's: the SSRC it sends, or its producer's current one. */
  private isMine(ssrc: number): boolean {
    return ssrc === this.lastSsrc || ssrc === this._producer?.ssrc;
  }
}
