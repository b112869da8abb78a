/** Reading the fixed parts of an RTP header (RFC 3550 §5.1) out of its bytes. */

/**
 * The length of the RTP header at the start of `packet`: the 12 fixed bytes, the CSRC list and the header
 * extension (RFC 3550 §5.3.1), if any. −1 if that header does not fit in `packet[0, end)` (`end` defaults to
 * the packet's length; an SRTP receiver passes where the tag starts).
 *
 * @example
 * const at = rtpHeaderLength(packet);
 * if (at < 0) return null; // truncated
 * const payload = packet.subarray(at);
 */
export function rtpHeaderLength(packet: Uint8Array, end: number = packet.length): number {
  if (end < 12) return -1;
  const b0 = packet[0]!;
  let length = 12 + (b0 & 0x0f) * 4;
  if (b0 & 0x10) {
    if (length + 4 > end) return -1;
    length += 4 + ((packet[length + 2]! << 8) | packet[length + 3]!) * 4;
  }
  return length > end ? -1 : length;
}
