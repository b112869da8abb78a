/**
 * One track of a pipe-in as a {@link ProducerSource}: the remote node's {@link Producer} of a piped stream gets
 * its packets from here, as a publisher's producer gets them from werift's receiver, so buffering, fan-out,
 * keyframe-request throttling and statistics are the producer's own, whatever the source. Its PLIs go back
 * through the pipe to the origin; losses on the pipe are repaired by {@link PipeLossRepair}.
 */
import type { RTCRtpCodecParameters, RtpPacket } from 'werift';
import type { ProducerSource } from '../Producer.js';
import { PipeLossRepair } from './PipeLossRepair.js';
import { type PipeTrack, rtpCodecParameters } from './pipeMessages.js';
import { nack, pli } from './pipeRtcp.js';

/** Where a piped track's RTCP goes: the pipe-in's endpoint. */
export interface PipeRtcpSender {
  /** The SSRC of this end's RTCP. */
  readonly ssrc: number;
  readonly closed: boolean;
  sendRtcp(data: Buffer): void;
}

export class PipeTrackSource implements ProducerSource {
  readonly kind: 'audio' | 'video';
  readonly codec: RTCRtpCodecParameters;
  /** The payload type this track's packets carry on the pipe. */
  readonly payloadType: number;
  private readonly rtcp: PipeRtcpSender;
  private readonly repair: PipeLossRepair;
  private rtpListener: ((packet: RtpPacket) => void) | null = null;
  private nackListener: (() => void) | null = null;

  constructor(track: PipeTrack, rtcp: PipeRtcpSender) {
    this.kind = track.kind;
    this.codec = rtpCodecParameters(track.codec);
    this.payloadType = track.codec.payloadType;
    this.rtcp = rtcp;
    this.repair = new PipeLossRepair((ssrc, lost) => {
      rtcp.sendRtcp(nack(rtcp.ssrc, ssrc, lost));
      this.nackListener?.();
    });
  }

  onRtp(listener: (packet: RtpPacket) => void): () => void {
    this.rtpListener = listener;
    return () => {
      if (this.rtpListener === listener) this.rtpListener = null;
    };
  }

  onNackSent(listener: () => void): () => void {
    this.nackListener = listener;
    return () => {
      if (this.nackListener === listener) this.nackListener = null;
    };
  }

  sendPli(ssrc: number): Promise<void> {
    if (this.rtcp.closed) return Promise.reject(new Error('the pipe is closed'));
    this.rtcp.sendRtcp(pli(this.rtcp.ssrc, ssrc));
    return Promise.resolve();
  }

  /** A packet of this track from the pipe. */
  deliver(packet: RtpPacket): void {
    this.repair.received(packet.header.ssrc, packet.header.sequenceNumber);
    this.rtpListener?.(packet);
  }

  /** Packets missing on the pipe right now (NACKed, not yet repaired). */
  get missing(): number {
    return this.repair.missingCount;
  }

  close(): void {
    this.repair.close();
    this.rtpListener = null;
    this.nackListener = null;
  }
}
