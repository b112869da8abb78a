/**
 * AES-128 in counter mode through one reused AES-128-ECB cipher. Node has no way to restart a CTR or GCM
 * cipher at a new IV, so werift creates one cipher object per SRTP packet; here the counter blocks of a
 * packet are written into a scratch buffer and encrypted with a single ECB `update` call (no padding, whole
 * blocks, never finalised), and the keystream is XORed onto the data in JavaScript. For packets sent in order,
 * the keystream of several is computed in one call ({@link KeystreamAhead}).
 */
import { type Cipher, createCipheriv } from 'node:crypto';

/** Counter blocks of the largest packet (64 KiB) plus the blocks a caller may ask for in front. */
const MAX_BLOCKS = 0x10000 / 16 + 4;
/** Packets whose keystream {@link AesCounterMode.computeAhead} computes in one go. */
export const AHEAD = 8;
/** Longest payload whose keystream is computed ahead (longer ones, rare in RTP, one packet at a time). */
export const AHEAD_MAX_LENGTH = 2048;
/** Blocks computed ahead at most per call. */
const MAX_AHEAD_BLOCKS = 1024;
/** Shared by every key: the event loop encrypts one packet at a time. */
const counters = new Uint8Array(MAX_BLOCKS * 16);
const counterWords = new Int32Array(counters.buffer);
const counterView = new DataView(counters.buffer);

/**
 * Keystream computed ahead for the next packets of one RTP stream, by packet index (ROC · 2^16 + SEQ). The
 * keystream of an index is a function of key and index only, so serving it later is the same as computing
 * it then; computing several packets' worth in one call saves the fixed cost of a native call per packet.
 * Each packet's region has room for its header and tag too, so the packet is sealed right there: one buffer
 * (for the garbage collector to free) per several packets, instead of two per packet. The stream's own
 * state object holds these fields (SrtpStream): one object less to reach per packet and player.
 */
export interface KeystreamAhead {
  buffer: Buffer | null;
  /** `buffer` as 32-bit words (for the XOR), made once per buffer; null if it is not 4-byte aligned. */
  words: Int32Array | null;
  /** Index of the packet whose keystream starts `buffer`. */
  first: number;
  count: number;
  /** Blocks per packet in `buffer`. */
  stride: number;
  /**
   * The MAC's slot of the AES-CM transform that computed `buffer` (`sealInKeystreamAhead` seals with it), or -1
   * (none yet, or another profile).
   */
  macSlot: number;
}

/**
 * The byte offset of the region of packet `index` (`blocks` blocks) in `ahead.buffer`, or -1 when `ahead`
 * does not hold it (then {@link AesCounterMode.computeAhead} computes it). A function of the stream's state only:
 * the packets between two computations do not reach the cipher's object.
 */
export function regionAhead(ahead: KeystreamAhead, index: number, blocks: number): number {
  const at = index - ahead.first;
  if (ahead.buffer === null || at < 0 || at >= ahead.count || blocks > ahead.stride) return -1;
  return at * ahead.stride * 16;
}

/** Writes the 16-byte counter block that starts the region of packet `index` of stream `ssrc`. */
export interface CounterBlocks {
  counterBlock(ssrc: number, index: number, out: Uint8Array, offset: number): void;
}

/**
 * One AES-128 key.
 * @example
 * const aes = new AesCounterMode(sessionKey);
 * aes.xor(iv, 0, packet, 12, packet, 12, packet.length - 12); // SRTP AES-CM, in place
 */
export class AesCounterMode {
  private readonly ecb: Cipher;

  constructor(key: Uint8Array) {
    if (key.length !== 16) throw new RangeError('AES-128 keys are 16 bytes');
    this.ecb = createCipheriv('aes-128-ecb', key, null);
    this.ecb.setAutoPadding(false);
  }

  /** E_K of whole 16-byte blocks. */
  encryptBlocks(blocks: Uint8Array): Buffer {
    if (blocks.length % 16 !== 0) throw new RangeError('AES-ECB input must be whole blocks');
    return this.ecb.update(blocks);
  }

  /**
   * XORs `length` bytes of `src` from `srcStart` onto `dst` from `dstStart` (they may be the same bytes) with
   * the keystream E_K(iv + lead), E_K(iv + lead + 1), ..., where `iv + i` adds i to the last 32-bit word of
   * the 16-byte `iv` (modulo 2^32). Returns the keystream buffer, whose first `lead` blocks, E_K(iv + 0)
   * onwards, were not used (AES-GCM needs E_K(J0)).
   */
  xor(
    iv: Uint8Array,
    lead: number,
    src: Uint8Array,
    srcStart: number,
    dst: Uint8Array,
    dstStart: number,
    length: number,
  ): Buffer {
    const blocks = lead + ((length + 15) >> 4);
    if (blocks > MAX_BLOCKS) throw new RangeError('packet too long');
    counters.set(iv.subarray(0, 16), 0);
    fillCounters(0, blocks);
    const keystream = this.ecb.update(counters.subarray(0, blocks * 16));
    xorInto(src, srcStart, keystream, lead * 16, dst, dstStart, length);
    return keystream;
  }

  /**
   * Computes the keystream ahead from packet `index` of stream `ssrc` on, when {@link regionAhead} found that
   * `ahead` does not hold it: the regions of this packet and of the next indexes (up to {@link AHEAD} in all),
   * `blocks` blocks each (at least), in one call; region i is E_K of the counter block `source` writes for
   * index + i, then of that block with its last word + 1, + 2, ... For packets sent in order (a retransmission
   * of an older index goes through {@link xor}). Returns the byte offset of packet `index`'s region in
   * `ahead.buffer` (0), which the caller may overwrite: nothing reads a region twice.
   */
  computeAhead(
    ahead: KeystreamAhead,
    source: CounterBlocks,
    ssrc: number,
    index: number,
    blocks: number,
  ): number {
    const stride = Math.max(blocks, ahead.stride);
    const count = Math.max(1, Math.min(AHEAD, Math.floor(MAX_AHEAD_BLOCKS / stride)));
    if (stride * count > MAX_BLOCKS) throw new RangeError('packet too long');
    for (let j = 0; j < count; j++) {
      source.counterBlock(ssrc, index + j, counters, j * stride * 16);
      fillCounters(j * stride, stride);
    }
    const buffer = this.ecb.update(counters.subarray(0, count * stride * 16));
    ahead.buffer = buffer;
    ahead.words =
      (buffer.byteOffset & 3) === 0
        ? new Int32Array(buffer.buffer, buffer.byteOffset, buffer.length >> 2)
        : null;
    ahead.first = index;
    ahead.count = count;
    ahead.stride = stride;
    return 0;
  }
}

/** Blocks `first + 1 .. first + blocks - 1` of the counter scratch: block `first` with its last word + i. */
function fillCounters(first: number, blocks: number): void {
  const base = first * 4;
  const w0 = counterWords[base]!;
  const w1 = counterWords[base + 1]!;
  const w2 = counterWords[base + 2]!;
  const last = counterView.getUint32(base * 4 + 12);
  for (let i = 1, o = base + 4; i < blocks; i++, o += 4) {
    counterWords[o] = w0;
    counterWords[o + 1] = w1;
    counterWords[o + 2] = w2;
    counterView.setUint32((o + 3) * 4, (last + i) >>> 0);
  }
}

/** dst[dstStart + i] = src[srcStart + i] ^ ks[ksStart + i] for i < length. */
function xorInto(
  src: Uint8Array,
  srcStart: number,
  ks: Uint8Array,
  ksStart: number,
  dst: Uint8Array,
  dstStart: number,
  length: number,
): void {
  let i = 0;
  const dstAt = dst.byteOffset + dstStart;
  const ksAt = ks.byteOffset + ksStart;
  if (length >= 64 && (dstAt & 3) === 0 && (ksAt & 3) === 0) {
    // Word at a time: copy (native), then XOR 32-bit words in place.
    if (src !== dst || srcStart !== dstStart) dst.set(src.subarray(srcStart, srcStart + length), dstStart);
    const words = length >> 2;
    const d = new Int32Array(dst.buffer, dstAt, words);
    const k = new Int32Array(ks.buffer, ksAt, words);
    for (let j = 0; j < words; j++) d[j] = d[j]! ^ k[j]!;
    i = words << 2;
    for (; i < length; i++) dst[dstStart + i] = dst[dstStart + i]! ^ ks[ksStart + i]!;
    return;
  }
  for (; i < length; i++) dst[dstStart + i] = src[srcStart + i]! ^ ks[ksStart + i]!;
}

/**
 * Copies the 12-byte RTP header `header` to `dst` at `at`, byte by byte: for 12 bytes that is cheaper than
 * `set` (a builtin call) on a `subarray` (a new view) once per packet and player.
 */
export function copyHeader(header: Uint8Array, dst: Uint8Array, at: number): void {
  for (let i = 0; i < 12; i++) dst[at + i] = header[i]!;
}

/** The last source `xorOnto` read as words, and that view: a fan-out XORs one payload onto many keystreams. */
let lastSource: Uint8Array | null = null;
let lastSourceWords: Int32Array | null = null;

/**
 * dst[dstStart + i] ^= src[srcStart + i] for i < length (`dst` holds the keystream, `src` the plaintext).
 * `dstWords`, if given, is `dst` as 32-bit words from its first byte (KeystreamAhead.words).
 */
export function xorOnto(
  src: Uint8Array,
  srcStart: number,
  dst: Uint8Array,
  dstStart: number,
  length: number,
  dstWords: Int32Array | null = null,
): void {
  let i = 0;
  const srcAt = src.byteOffset + srcStart;
  const dstAt = dst.byteOffset + dstStart;
  if (length >= 64 && (srcAt & 3) === 0 && (dstAt & 3) === 0) {
    const words = length >> 2;
    let x: Int32Array;
    if (srcStart === 0) {
      // The whole source as words, kept for the next call with the same source (no view per packet).
      if (src !== lastSource || lastSourceWords === null) {
        lastSource = src;
        lastSourceWords = new Int32Array(src.buffer, srcAt, src.length >> 2);
      }
      x = lastSourceWords;
    } else {
      x = new Int32Array(src.buffer, srcAt, words);
    }
    let d: Int32Array;
    let di: number;
    if (dstWords !== null) {
      // `dstWords` views `dst`'s own bytes from its first one (the contract), and `dstAt` is aligned: the same
      // memory, found without reading `dst.buffer` (a call into the runtime) per packet.
      d = dstWords;
      di = (dstAt - dstWords.byteOffset) >> 2;
    } else {
      d = new Int32Array(dst.buffer, dstAt, words);
      di = 0;
    }
    for (let j = 0; j < words; j++) d[di + j] = d[di + j]! ^ x[j]!;
    i = words << 2;
  }
  for (; i < length; i++) dst[dstStart + i] = dst[dstStart + i]! ^ src[srcStart + i]!;
}
