import type { RtpPacket } from 'werift';

/**
 * The last `size` packets of one incoming stream, by sequence number, so a player's NACK can be answered
 * without asking the publisher. A slot holds the latest packet whose sequence number maps to it; a lookup
 * checks the full sequence number and SSRC, so a stale or foreign packet is never returned.
 */
export class RetransmissionBuffer {
  private readonly slots: (RtpPacket | undefined)[];

  /** `size` must be a power of two (slot = sequence number modulo size). */
  constructor(readonly size = 1024) {
    if (!Number.isInteger(size) || size < 16 || size > 0x8000 || (size & (size - 1)) !== 0) {
      throw new TypeError('retransmission buffer size must be a power of two between 16 and 32768');
    }
    this.slots = new Array<RtpPacket | undefined>(size);
  }

  /**
   * Keeps `packet` (not copied: callers must not mutate it afterwards). A payload that is a view on a larger
   * buffer is first replaced by an exact-size copy with the same bytes, which everyone holding the packet
   * then reads: the decrypted packets werift parses are slices of Node's shared 8 KiB pool, and a slot kept
   * for seconds would keep its whole slab alive, with the other packets' bytes cut from it. Under load the
   * slabs hold few of this stream's packets (each player's own small buffers are cut from the same pool in
   * between): a heap snapshot of the bench server held 148 slabs for a video stream's 1,024 slots with 25
   * players and 352 with 300, ~6 KiB per player. One copy per incoming packet, not per player.
   */
  put(packet: RtpPacket): void {
    const payload = packet.payload;
    if (payload.byteLength < payload.buffer.byteLength) {
      const own = Buffer.allocUnsafeSlow(payload.byteLength);
      payload.copy(own);
      packet.payload = own;
    }
    this.slots[packet.header.sequenceNumber & (this.size - 1)] = packet;
  }

  /** The packet of stream `ssrc` with `sequenceNumber`, if still kept. */
  get(ssrc: number, sequenceNumber: number): RtpPacket | undefined {
    const packet = this.slots[sequenceNumber & (this.size - 1)];
    if (!packet) return undefined;
    const h = packet.header;
    return h.sequenceNumber === sequenceNumber && h.ssrc === ssrc ? packet : undefined;
  }

  /** Forgets everything (a publisher restart, or close). */
  clear(): void {
    this.slots.fill(undefined);
  }
}
