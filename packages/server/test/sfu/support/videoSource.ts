/**
 * A producer's source with no publisher behind it: a test hands the producer packets itself (`deliver`) and
 * reads the keyframe requests it sent (`plis`, by SSRC).
 */
import { RTCRtpCodecParameters, RtpHeader, RtpPacket } from 'werift';
import type { ProducerSource } from '../../../src/sfu/Producer.js';

export interface FakeVideoSource {
  source: ProducerSource;
  deliver(packet: RtpPacket): void;
  plis: number[];
}

export function fakeVp8Source(): FakeVideoSource {
  let listener: ((p: RtpPacket) => void) | null = null;
  const plis: number[] = [];
  const source: ProducerSource = {
    kind: 'video',
    codec: new RTCRtpCodecParameters({ mimeType: 'video/VP8', clockRate: 90000 }),
    onRtp: (l) => {
      listener = l;
      return () => {};
    },
    onNackSent: () => () => {},
    sendPli: async (ssrc) => {
      plis.push(ssrc);
    },
  };
  return {
    source,
    plis,
    deliver(packet) {
      if (listener === null) throw new Error('no producer listens to this source');
      listener(packet);
    },
  };
}

/** A VP8 packet of SSRC 9 with sequence number `seq`, the start of a keyframe or not. */
export function vp8Packet(seq: number, keyframe: boolean): RtpPacket {
  return new RtpPacket(
    new RtpHeader({ sequenceNumber: seq, timestamp: seq * 3000, ssrc: 9 }),
    Buffer.from([0x10, keyframe ? 0x00 : 0x01, 0, 0]),
  );
}
