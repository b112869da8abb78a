/**
 * RTP and RTCP multiplexed on one UDP socket (RFC 3550, RFC 5761), read from a datagram: by a media pipe's
 * endpoint (pipe/PipeEndpoint.ts) and by the publisher's receive path in the UDP mux (werift/receiveInMux.ts).
 * Parsing is defensive: a socket may receive anything.
 */
import { rtpHeaderLength } from '@parley/rtp';
import { RtpHeader, RtpPacket } from 'werift';

/** True if `data` is RTCP rather than RTP: its second byte is 192–223 (RFC 5761 §4). */
export function isRtcp(data: Buffer): boolean {
  const b1 = data[1];
  return data.length >= 2 && b1 !== undefined && b1 >= 192 && b1 <= 223;
}

/**
 * `data` as an RTP packet (CSRCs and header extension skipped, padding removed; the payload is a view of
 * `data`), or null if it is not well-formed RTP version 2.
 */
export function parseRtp(data: Buffer): RtpPacket | null {
  const offset = rtpHeaderLength(data);
  if (offset < 0) return null;
  const b0 = data[0]!;
  if (b0 >> 6 !== 2) return null;
  let end = data.length;
  if (b0 & 0x20) {
    const pad = data[end - 1]!;
    if (pad === 0 || end - pad < offset) return null;
    end -= pad;
  }
  if (offset > end) return null;
  const b1 = data[1]!;
  const header = new RtpHeader({
    marker: (b1 & 0x80) !== 0,
    payloadType: b1 & 0x7f,
    sequenceNumber: data.readUInt16BE(2),
    timestamp: data.readUInt32BE(4),
    ssrc: data.readUInt32BE(8),
  });
  return new RtpPacket(header, data.subarray(offset, end));
}
