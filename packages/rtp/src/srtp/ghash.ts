/**
 * GHASH (NIST SP 800-38D §6.4), the authentication half of AES-GCM, for the AEAD_AES_128_GCM SRTP profile
 * (RFC 7714). Node can only compute a GCM tag through a new cipher object per packet (`createCipheriv`),
 * which costs more than the whole tag here. Multiplication by the hash key H uses 32 tables of 16 entries,
 * one per 4-bit digit position of the multiplicand (8 KiB per key, built once per session key): a block costs
 * 32 table lookups and XORs, no shifts or reductions.
 *
 * Field elements are four 32-bit words, big-endian, bit 0 of the spec (the coefficient of x^0) being the most
 * significant bit of the first byte.
 */

/**
 * A GHASH key. `start`, then `update` with the additional data, `update` with the ciphertext (each padded
 * with zeros to a whole block, as GCM does), then `finish` with both lengths.
 * @example
 * const g = new Ghash(aesEcb(key, zeroBlock));
 * g.start(); g.update(header, 0, 12); g.update(packet, 12, end); g.finish(12, end - 12, ekJ0, 0, out, end);
 */
export class Ghash {
  /** table[((position << 4) | digit) << 2 .. + 4): H times the digit placed at that position. */
  private readonly table = new Int32Array(32 * 16 * 4);
  private y0 = 0;
  private y1 = 0;
  private y2 = 0;
  private y3 = 0;
  /** A zero-padded last partial block. */
  private readonly tail = new Uint8Array(16);

  constructor(h: Uint8Array) {
    if (h.length !== 16) throw new RangeError('the GHASH key is one 16-byte block');
    // H·x^i for i = 0..127: multiplying by x is a right shift, reduced by x^128 = x^7 + x^2 + x + 1 (0xe1...).
    let v0 = word(h, 0);
    let v1 = word(h, 4);
    let v2 = word(h, 8);
    let v3 = word(h, 12);
    const powers = new Int32Array(128 * 4);
    for (let i = 0; i < 128; i++) {
      powers[i * 4] = v0;
      powers[i * 4 + 1] = v1;
      powers[i * 4 + 2] = v2;
      powers[i * 4 + 3] = v3;
      const carry = v3 & 1;
      v3 = (v3 >>> 1) | (v2 << 31);
      v2 = (v2 >>> 1) | (v1 << 31);
      v1 = (v1 >>> 1) | (v0 << 31);
      v0 = v0 >>> 1;
      if (carry) v0 ^= 0xe1000000;
    }
    const t = this.table;
    for (let position = 0; position < 32; position++) {
      for (let digit = 0; digit < 16; digit++) {
        const o = ((position << 4) | digit) << 2;
        for (let bit = 0; bit < 4; bit++) {
          if ((digit & (8 >> bit)) === 0) continue;
          const p = (position * 4 + bit) * 4;
          t[o] = t[o]! ^ powers[p]!;
          t[o + 1] = t[o + 1]! ^ powers[p + 1]!;
          t[o + 2] = t[o + 2]! ^ powers[p + 2]!;
          t[o + 3] = t[o + 3]! ^ powers[p + 3]!;
        }
      }
    }
  }

  /** Starts a new hash. */
  start(): void {
    this.y0 = 0;
    this.y1 = 0;
    this.y2 = 0;
    this.y3 = 0;
  }

  /** Absorbs `src[start, end)`, zero-padded to a whole number of blocks. */
  update(src: Uint8Array, start: number, end: number): void {
    const whole = start + ((end - start) & ~15);
    this.blocks(src, start, whole);
    if (whole < end) {
      const tail = this.tail;
      tail.fill(0);
      tail.set(src.subarray(whole, end));
      this.blocks(tail, 0, 16);
    }
  }

  /**
   * Absorbs the length block (bit lengths of the additional data and of the ciphertext), then writes the
   * 16-byte tag, GHASH XOR `mask[maskOffset, +16)` (the encrypted initial counter block), to `out`.
   */
  finish(
    aadBytes: number,
    textBytes: number,
    mask: Uint8Array,
    maskOffset: number,
    out: Uint8Array,
    outOffset: number,
  ): void {
    const tail = this.tail;
    tail.fill(0);
    writeBitLength(tail, 0, aadBytes);
    writeBitLength(tail, 8, textBytes);
    this.blocks(tail, 0, 16);
    putWord(out, outOffset, this.y0 ^ word(mask, maskOffset));
    putWord(out, outOffset + 4, this.y1 ^ word(mask, maskOffset + 4));
    putWord(out, outOffset + 8, this.y2 ^ word(mask, maskOffset + 8));
    putWord(out, outOffset + 12, this.y3 ^ word(mask, maskOffset + 12));
  }

  /** Y = (Y XOR X)·H for each whole block X of `src[start, end)`. */
  private blocks(src: Uint8Array, start: number, end: number): void {
    const t = this.table;
    let y0 = this.y0;
    let y1 = this.y1;
    let y2 = this.y2;
    let y3 = this.y3;
    for (let i = start; i < end; i += 16) {
      const x0 = y0 ^ ((src[i]! << 24) | (src[i + 1]! << 16) | (src[i + 2]! << 8) | src[i + 3]!);
      const x1 = y1 ^ ((src[i + 4]! << 24) | (src[i + 5]! << 16) | (src[i + 6]! << 8) | src[i + 7]!);
      const x2 = y2 ^ ((src[i + 8]! << 24) | (src[i + 9]! << 16) | (src[i + 10]! << 8) | src[i + 11]!);
      const x3 = y3 ^ ((src[i + 12]! << 24) | (src[i + 13]! << 16) | (src[i + 14]! << 8) | src[i + 15]!);
      let z0 = 0;
      let z1 = 0;
      let z2 = 0;
      let z3 = 0;
      // Digit k of each word: positions k, 8 + k, 16 + k and 24 + k.
      for (let k = 0; k < 8; k++) {
        const shift = 28 - 4 * k;
        let o = (k << 6) | (((x0 >>> shift) & 15) << 2);
        z0 ^= t[o]!;
        z1 ^= t[o + 1]!;
        z2 ^= t[o + 2]!;
        z3 ^= t[o + 3]!;
        o = ((8 + k) << 6) | (((x1 >>> shift) & 15) << 2);
        z0 ^= t[o]!;
        z1 ^= t[o + 1]!;
        z2 ^= t[o + 2]!;
        z3 ^= t[o + 3]!;
        o = ((16 + k) << 6) | (((x2 >>> shift) & 15) << 2);
        z0 ^= t[o]!;
        z1 ^= t[o + 1]!;
        z2 ^= t[o + 2]!;
        z3 ^= t[o + 3]!;
        o = ((24 + k) << 6) | (((x3 >>> shift) & 15) << 2);
        z0 ^= t[o]!;
        z1 ^= t[o + 1]!;
        z2 ^= t[o + 2]!;
        z3 ^= t[o + 3]!;
      }
      y0 = z0;
      y1 = z1;
      y2 = z2;
      y3 = z3;
    }
    this.y0 = y0;
    this.y1 = y1;
    this.y2 = y2;
    this.y3 = y3;
  }
}

function word(b: Uint8Array, o: number): number {
  return (b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!;
}

function putWord(b: Uint8Array, o: number, v: number): void {
  b[o] = v >>> 24;
  b[o + 1] = v >>> 16;
  b[o + 2] = v >>> 8;
  b[o + 3] = v;
}

/** A byte count as a 64-bit big-endian bit count. */
function writeBitLength(b: Uint8Array, o: number, bytes: number): void {
  const bits = bytes * 8;
  putWord(b, o, Math.floor(bits / 0x100000000));
  putWord(b, o + 4, bits >>> 0);
}
