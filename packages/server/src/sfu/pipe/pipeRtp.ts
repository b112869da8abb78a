/**
 * RTP on a media pipe: plain RTP (RFC 3550) over UDP, multiplexed with RTCP on one socket (RFC 5761). Parsing
 * is defensive (a pipe socket may receive anything); writing produces the minimal header a consumer would:
 * no CSRC, no header extension, no padding.
 */
import { rtpHeaderLength } from '@parley/rtp';
import { RtpHeader, RtpPacket } from 'werift';

const HEADER = 12;

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

/** One datagram: the 12-byte header of `packet` with payload type `payloadType`, then its payload. */
export function writeRtp(packet: RtpPacket, payloadType: number): Buffer {
  const { marker, sequenceNumber, timestamp, ssrc } = packet.header;
  const payload = packet.payload;
  const data = Buffer.allocUnsafe(HEADER + payload.length);
  data[0] = 0x80; // V=2, no padding, extension or CSRC
  data[1] = (marker ? 0x80 : 0) | (payloadType & 0x7f);
  data.writeUInt16BE(sequenceNumber & 0xffff, 2);
  data.writeUInt32BE(timestamp >>> 0, 4);
  data.writeUInt32BE(ssrc >>> 0, 8);
  payload.copy(data, HEADER);
  return data;
}
