/**
 * RTP on a media pipe: plain RTP (RFC 3550) over UDP, multiplexed with RTCP on one socket (RFC 5761; reading
 * it: rtpDatagram.ts). Writing produces the minimal header a consumer would: no CSRC, no header extension, no
 * padding.
 */
import type { RtpPacket } from 'werift';

const HEADER = 12;

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
