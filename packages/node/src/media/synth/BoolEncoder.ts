/**
 * The boolean entropy encoder of VP8 (RFC 6386 §7): an arithmetic coder in which every symbol is one
 * bit and every bit carries the probability, in 1/256ths, that it is 0. Every part of a VP8 frame after
 * the uncompressed header is written with it.
 *
 * This follows the RFC's reference encoder (§7.3) bit for bit, so any conforming decoder reads back
 * exactly the bits that were written.
 *
 * @example
 * const e = new BoolEncoder();
 * e.writeBool(true, 200);
 * e.writeLiteral(5, 3);
 * const bytes = e.finish();
 */
export class BoolEncoder {
  private buffer = new Uint8Array(1024);
  private length = 0;
  /** 128 <= range <= 255 between calls. */
  private range = 255;
  /** The low end of the coding interval; its top byte is the next output byte. Kept below 2^32. */
  private bottom = 0;
  /** Shifts left before the next byte is complete. */
  private bitCount = 24;
  private finished = false;

  /** Writes one bit whose probability of being 0 is `probability / 256` (1..255). */
  writeBool(bit: boolean, probability: number): void {
    if (this.finished) throw new Error('BoolEncoder.writeBool() after finish()');
    const split = 1 + (((this.range - 1) * probability) >> 8);
    if (bit) {
      this.bottom += split;
      this.range -= split;
    } else {
      this.range = split;
    }
    while (this.range < 128) {
      this.range <<= 1;
      // A set top bit is about to be shifted out: it is a carry into the bytes already written.
      if (this.bottom >= 0x8000_0000) this.carry();
      this.bottom = (this.bottom * 2) % 0x1_0000_0000;
      if (--this.bitCount === 0) {
        this.push(Math.floor(this.bottom / 0x100_0000));
        this.bottom %= 0x100_0000;
        this.bitCount = 8;
      }
    }
  }

  /** Writes `bits` bits of the unsigned `value`, most significant first, each at probability 128 (L(n)). */
  writeLiteral(value: number, bits: number): void {
    for (let i = bits - 1; i >= 0; i--) this.writeBool(((value >>> i) & 1) === 1, 128);
  }

  /** Writes a magnitude of `bits` bits followed by its sign, as the frame header's signed fields are. */
  writeSigned(value: number, bits: number): void {
    this.writeLiteral(Math.abs(value), bits);
    this.writeBool(value < 0, 128);
  }

  /** Flushes the coder (RFC 6386 §7.3, padded so a decoder may read ahead) and returns the bytes. */
  finish(): Uint8Array {
    if (this.finished) throw new Error('BoolEncoder.finish() called twice');
    this.finished = true;
    let c = this.bitCount;
    let v = this.bottom;
    if (v >= 2 ** (32 - c)) this.carry();
    v = (v * 2 ** (c & 7)) % 0x1_0000_0000;
    c >>= 3;
    while (--c >= 0) v = (v * 256) % 0x1_0000_0000;
    for (let i = 0; i < 4; i++) {
      this.push(Math.floor(v / 0x100_0000));
      v = (v * 256) % 0x1_0000_0000;
    }
    return this.buffer.slice(0, this.length);
  }

  private carry(): void {
    let i = this.length - 1;
    while (i >= 0 && this.buffer[i] === 255) {
      this.buffer[i] = 0;
      i--;
    }
    // The RFC proves the carry never runs past the first byte; a bug here must not go unnoticed.
    if (i < 0) throw new Error('BoolEncoder carry ran past the start of the output');
    this.buffer[i] = (this.buffer[i] as number) + 1;
  }

  private push(byte: number): void {
    if (this.length === this.buffer.length) {
      const bigger = new Uint8Array(this.buffer.length * 2);
      bigger.set(this.buffer);
      this.buffer = bigger;
    }
    this.buffer[this.length++] = byte;
  }
}
