/**
 * HMAC-SHA1 with a fixed key, for SRTP/SRTCP authentication tags (RFC 3711 §4.2.1). Node's `createHmac`
 * builds a new object (and redoes the key setup) per call, and its one-shot `crypto.hash` looks the digest
 * up by name and returns a new buffer per call: per packet, that fixed cost and the garbage are most of the
 * cost of an 80-bit SRTP tag. Here the key setup is done once (the SHA-1 states after the inner and outer pad
 * blocks are kept), and a tag is computed by a small WebAssembly module (scripts/wasm/sha1.mjs): the message is copied
 * into its memory, it compresses the message blocks and the outer block, and the tag is read back. No
 * buffer is allocated per tag (only a view of the message); the same digest as `createHmac` (unit-tested
 * against it).
 *
 * Each key's two states live in a slot of the module's own memory, one slot after another, which the module
 * reads itself: a fan-out tags one packet with hundreds of keys in turn, and a state kept in a typed array of
 * each key's own was two more objects to reach per tag, somewhere in the heap (in a 800-player audio fan-out
 * profile, copying the states in took 2.6 times as long in the server as in the bench's relay, whose keys were
 * made one after another). A slot is reused once its key has been garbage-collected.
 */
import { createHash } from 'node:crypto';
import { SHA1_WASM } from './sha1Wasm.js';

const BLOCK = 64;
/** The largest message hashed (an RTP packet plus its 4-byte ROC). */
const MAX_MESSAGE = 0x10000 + 4;

/** The module's memory layout (see scripts/wasm/sha1.mjs); the outer state follows the inner one (byte 20). */
const INNER_STATE = 0;
const MAC = 40;
const MESSAGE = 512;
/** Where the keys' slots start, and the size of one: the inner state, then the outer one. */
const SLOTS = 66560;
const SLOT = 40;
const PAGE = 0x10000;

interface Sha1Exports {
  memory: { buffer: ArrayBuffer; grow(pages: number): number };
  compress(state: number, blocks: number, count: number): void;
  mac(length: number, key: number): void;
}
/** The part of the WebAssembly API used here (the project's TypeScript libraries do not declare it). */
interface WebAssemblyApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object) => { exports: unknown };
}
const { Module, Instance } = (globalThis as unknown as { WebAssembly: WebAssemblyApi }).WebAssembly;

/** One instance for every key: the event loop computes one tag at a time. */
const wasm = new Instance(new Module(Buffer.from(SHA1_WASM, 'base64'))).exports as Sha1Exports;
/** Views of the module's memory, made again when it grows (growing detaches the old buffer). */
let memory = new Uint8Array(wasm.memory.buffer);
let words = new Int32Array(wasm.memory.buffer);
let view = new DataView(wasm.memory.buffer);
const SHA1_INIT = new Int32Array([0x67452301, 0xefcdab89 | 0, 0x98badcfe | 0, 0x10325476, 0xc3d2e1f0 | 0]);

/** Slots handed out so far, and those whose key was collected. */
let slotsMade = 0;
const freeSlots: number[] = [];
const slotOwners = new FinalizationRegistry<number>((slot) => freeSlots.push(slot));

/** @internal For tests: slots handed out so far, and how many of them are free for new keys. */
export function hmacKeySlots(): { made: number; free: number } {
  return { made: slotsMade, free: freeSlots.length };
}

/** The byte offset of a slot for a new key, growing the memory when every slot is taken. */
function takeSlot(): number {
  const reused = freeSlots.pop();
  if (reused !== undefined) return reused;
  const slot = SLOTS + slotsMade * SLOT;
  const needed = slot + SLOT - wasm.memory.buffer.byteLength;
  if (needed > 0) {
    // A page holds 1,638 more keys; new views once per growth.
    wasm.memory.grow(Math.ceil(needed / PAGE));
    memory = new Uint8Array(wasm.memory.buffer);
    words = new Int32Array(wasm.memory.buffer);
    view = new DataView(wasm.memory.buffer);
  }
  slotsMade += 1;
  return slot;
}

/** Writes to `slot` + `offset` the SHA-1 state after compressing one 64-byte `block` from the initial state. */
function stateAfter(block: Uint8Array, slot: number, offset: number): void {
  words.set(SHA1_INIT, INNER_STATE / 4);
  memory.set(block, MESSAGE);
  wasm.compress(INNER_STATE, MESSAGE, 1);
  memory.copyWithin(slot + offset, INNER_STATE, INNER_STATE + 20);
}

/**
 * An HMAC-SHA1 key. `tag` writes the first `length` bytes of HMAC(key, message || suffix) where the message
 * is `src[start, end)` and the optional suffix is one 32-bit big-endian word (the SRTP rollover counter).
 * @example
 * const mac = new HmacSha1(sessionAuthKey);
 * mac.tag(packet, 0, payloadEnd, roc, out, payloadEnd, 10);
 */
export class HmacSha1 {
  /**
   * The byte offset of this key's slot in the module's memory (the states after the pad blocks), for
   * {@link tagInSlot}; valid while this object is reachable (a collected key's slot goes to a new key).
   */
  readonly slot: number;

  constructor(key: Uint8Array) {
    const k = key.length > BLOCK ? createHash('sha1').update(key).digest() : key;
    const innerPad = new Uint8Array(BLOCK);
    const outerPad = new Uint8Array(BLOCK);
    for (let i = 0; i < BLOCK; i++) {
      const b = i < k.length ? k[i]! : 0;
      innerPad[i] = b ^ 0x36;
      outerPad[i] = b ^ 0x5c;
    }
    this.slot = takeSlot();
    slotOwners.register(this, this.slot);
    stateAfter(innerPad, this.slot, 0);
    stateAfter(outerPad, this.slot, 20);
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
    tagInSlot(this.slot, src, start, end, suffix, out, outOffset, length);
  }
}

/**
 * {@link HmacSha1.tag} of the key in `slot` ({@link HmacSha1.slot}; the caller keeps that key reachable): for a
 * caller that tags with hundreds of keys in turn and keeps each key's slot number in its own fields, so the
 * key's object is not read per tag (a fan-out's SRTP transform; that read was a third of `sealRtp`'s own
 * samples in a 400-player audio fan-out, perf annotate).
 */
export function tagInSlot(
  slot: number,
  src: Uint8Array,
  start: number,
  end: number,
  suffix: number | null,
  out: Uint8Array,
  outOffset: number,
  length: number,
): void {
  const size = end - start;
  const total = size + (suffix === null ? 0 : 4);
  if (size < 0 || total > MAX_MESSAGE) throw new RangeError('HMAC message too long');
  memory.set(src.subarray(start, end), MESSAGE);
  if (suffix !== null) view.setUint32(MESSAGE + size, suffix);
  wasm.mac(total, slot);
  for (let i = 0; i < length; i++) out[outOffset + i] = memory[MAC + i]!;
}
