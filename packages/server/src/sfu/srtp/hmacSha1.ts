/**
 * HMAC-SHA1 with a fixed key, for SRTP/SRTCP authentication tags (RFC 3711 §4.2.1). Node's `createHmac`
 * builds a new object (and redoes the key setup) per call: per packet, that is most of the cost of an 80-bit
 * SRTP tag. Here the key setup is done once: the SHA-1 states after the inner and outer pad blocks are kept,
 * so a tag costs the compression of the message blocks plus one block for the outer hash. Short messages
 * (audio) are hashed in JavaScript; long ones (video) go through one native one-shot SHA-1 call for the
 * inner hash, which is cheaper than JavaScript beyond a few blocks. Both give the same digest (unit-tested
 * against `createHmac`).
 */
import { createHash, hash as nodeHash } from 'node:crypto';

const BLOCK = 64;
/** Above this many message bytes the inner hash is computed natively. */
const NATIVE_FROM = 320;
/** The largest message hashed (an RTP packet plus its 4-byte ROC). */
const MAX_MESSAGE = 0x10000;

const W = new Int32Array(80);

/** SHA-1 compression of `blocks` 64-byte blocks of `src` from `offset` into `state` (5 words). */
function compress(state: Int32Array, src: Uint8Array, offset: number, blocks: number): void {
  let h0 = state[0]!;
  let h1 = state[1]!;
  let h2 = state[2]!;
  let h3 = state[3]!;
  let h4 = state[4]!;
  const w = W;
  for (let n = 0; n < blocks; n++, offset += BLOCK) {
    for (let i = 0, o = offset; i < 16; i++, o += 4) {
      w[i] = (src[o]! << 24) | (src[o + 1]! << 16) | (src[o + 2]! << 8) | src[o + 3]!;
    }
    for (let i = 16; i < 80; i++) {
      const x = w[i - 3]! ^ w[i - 8]! ^ w[i - 14]! ^ w[i - 16]!;
      w[i] = (x << 1) | (x >>> 31);
    }
    let a = h0;
    let b = h1;
    let c = h2;
    let d = h3;
    let e = h4;
    for (let i = 0; i < 20; i++) {
      const t = (((a << 5) | (a >>> 27)) + ((b & c) | (~b & d)) + e + w[i]! + 0x5a827999) | 0;
      e = d;
      d = c;
      c = (b << 30) | (b >>> 2);
      b = a;
      a = t;
    }
    for (let i = 20; i < 40; i++) {
      const t = (((a << 5) | (a >>> 27)) + (b ^ c ^ d) + e + w[i]! + 0x6ed9eba1) | 0;
      e = d;
      d = c;
      c = (b << 30) | (b >>> 2);
      b = a;
      a = t;
    }
    for (let i = 40; i < 60; i++) {
      const t = (((a << 5) | (a >>> 27)) + ((b & c) | (b & d) | (c & d)) + e + w[i]! + 0x8f1bbcdc) | 0;
      e = d;
      d = c;
      c = (b << 30) | (b >>> 2);
      b = a;
      a = t;
    }
    for (let i = 60; i < 80; i++) {
      const t = (((a << 5) | (a >>> 27)) + (b ^ c ^ d) + e + w[i]! + 0xca62c1d6) | 0;
      e = d;
      d = c;
      c = (b << 30) | (b >>> 2);
      b = a;
      a = t;
    }
    h0 = (h0 + a) | 0;
    h1 = (h1 + b) | 0;
    h2 = (h2 + c) | 0;
    h3 = (h3 + d) | 0;
    h4 = (h4 + e) | 0;
  }
  state[0] = h0;
  state[1] = h1;
  state[2] = h2;
  state[3] = h3;
  state[4] = h4;
}

/** Node ≥ 20.12 has a one-shot `crypto.hash`; older 20.x falls back to a Hash object. */
const sha1Native: (data: Uint8Array) => Buffer =
  typeof nodeHash === 'function'
    ? (data) => nodeHash('sha1', data, 'buffer')
    : (data) => createHash('sha1').update(data).digest();

/**
 * Scratch shared by every instance (the event loop runs one tag at a time): the message, then its SHA-1
 * padding, for the JavaScript path; the inner pad block followed by the message for the native path.
 */
const scratch = new Uint8Array(BLOCK + MAX_MESSAGE + 4 + 2 * BLOCK);
const scratchView = new DataView(scratch.buffer);
const state = new Int32Array(5);
const SHA1_INIT = new Int32Array([0x67452301, 0xefcdab89 | 0, 0x98badcfe | 0, 0x10325476, 0xc3d2e1f0 | 0]);

/**
 * An HMAC-SHA1 key. `tag` writes the first `length` bytes of HMAC(key, message || suffix) where the message
 * is `src[start, end)` and the optional suffix is one 32-bit big-endian word (the SRTP rollover counter).
 * @example
 * const mac = new HmacSha1(sessionAuthKey);
 * mac.tag(packet, 0, payloadEnd, roc, out, payloadEnd, 10);
 */
export class HmacSha1 {
  /** SHA-1 state after the inner (key XOR ipad) and outer (key XOR opad) blocks. */
  private readonly innerState = new Int32Array(5);
  private readonly outerState = new Int32Array(5);
  /** key XOR ipad, the first block of the native inner hash. */
  private readonly innerPad = new Uint8Array(BLOCK);

  constructor(key: Uint8Array) {
    const k = key.length > BLOCK ? sha1Native(key) : key;
    const outerPad = new Uint8Array(BLOCK);
    for (let i = 0; i < BLOCK; i++) {
      const b = i < k.length ? k[i]! : 0;
      this.innerPad[i] = b ^ 0x36;
      outerPad[i] = b ^ 0x5c;
    }
    this.innerState.set(SHA1_INIT);
    compress(this.innerState, this.innerPad, 0, 1);
    this.outerState.set(SHA1_INIT);
    compress(this.outerState, outerPad, 0, 1);
  }

  /**
   * Writes the first `length` (≤ 20) bytes of the MAC of `src[start, end)` (followed by `suffix` as a 32-bit
   * big-endian word unless it is null) to `out` at `outOffset`. `out` may be `src`.
   */
  tag(
    src: Uint8Array,
    start: number,
    end: number,
    suffix: number | null,
    out: Uint8Array,
    outOffset: number,
    length: number,
  ): void {
    const size = end - start;
    if (size < 0 || size > MAX_MESSAGE) throw new RangeError('HMAC message too long');
    const total = size + (suffix === null ? 0 : 4);
    if (total > NATIVE_FROM) {
      scratch.set(this.innerPad, 0);
      scratch.set(src.subarray(start, end), BLOCK);
      if (suffix !== null) scratchView.setUint32(BLOCK + size, suffix);
      scratch.set(sha1Native(scratch.subarray(0, BLOCK + total)), 0);
      this.finishOuter(out, outOffset, length);
      return;
    }
    scratch.set(src.subarray(start, end), 0);
    if (suffix !== null) scratchView.setUint32(size, suffix);
    const blocks = pad(total);
    state.set(this.innerState);
    compress(state, scratch, 0, blocks);
    for (let i = 0; i < 5; i++) scratchView.setInt32(i * 4, state[i]!);
    this.finishOuter(out, outOffset, length);
  }

  /** The outer hash over the 20-byte inner digest at the start of the scratch (one block with the padding). */
  private finishOuter(out: Uint8Array, outOffset: number, length: number): void {
    state.set(this.outerState);
    compress(state, scratch, 0, pad(20));
    for (let i = 0; i < length; i++) out[outOffset + i] = (state[i >> 2]! >>> (24 - 8 * (i & 3))) & 0xff;
  }
}

/**
 * Appends SHA-1 padding in the scratch after a message of `size` bytes that follows one already-hashed
 * 64-byte block; returns the number of blocks to compress.
 */
function pad(size: number): number {
  const blocks = Math.ceil((size + 9) / BLOCK);
  const end = blocks * BLOCK;
  scratch.fill(0, size, end);
  scratch[size] = 0x80;
  const bits = (size + BLOCK) * 8;
  scratchView.setUint32(end - 8, Math.floor(bits / 0x100000000));
  scratchView.setUint32(end - 4, bits >>> 0);
  return blocks;
}
