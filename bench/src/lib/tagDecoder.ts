/**
 * Reads the benchmark's tag (lib/synthRtp.ts: source id, packet number, send time at payload byte
 * TAG_OFFSET) out of an SRTP packet without decrypting or authenticating the rest: only the keystream over
 * payload bytes 0–31 is needed. AES_CM_128_HMAC_SHA1_80 (RFC 3711 §4.1.1): block i of a packet's keystream is
 * AES(k_e, IV + i), IV = (k_s · 2^16) XOR (SSRC · 2^64) XOR (index · 2^16), index = ROC · 2^16 + SEQ.
 * AEAD_AES_128_GCM (RFC 7714 §8.1): the payload is encrypted in counter mode from block IV || 00000002, IV =
 * k_s XOR (00 00 | SSRC | ROC | SEQ). Session keys come from `@parley/rtp`'s key derivation (RFC 3711 §4.3).
 *
 * This is deliberately not `@parley/rtp`'s SRTP context: that one authenticates and decrypts a whole packet,
 * as a real receiver must; a benchmark player only needs its tag, so that one load-generator core can take
 * tens of thousands of packets a second. The tests check it against packets `@parley/rtp` protected.
 *
 * The keystream of a stream's next packets is computed ahead, 32 packets in one AES-ECB call, as they
 * arrive in order; a packet out of that range gets a fresh batch. A wrong key, index or rewrite by the
 * forwarder gives a garbage tag, which the Meter does not count: it shows as loss.
 */
import { type Cipher, createCipheriv } from 'node:crypto';
import {
  deriveSessionKeys,
  type RolloverCounter,
  rtpHeaderLength,
  SRTP_AEAD_AES_128_GCM,
  SRTP_AES128_CM_HMAC_SHA1_80,
  seqDiff,
  seqNewer,
} from '@parley/rtp';
import { TAG_OFFSET } from './synthRtp.js';

const TAG_BYTES = 16;
/** Keystream bytes per packet: payload bytes 0–31 cover the tag. */
const PER_PACKET = 32;
/** Packets of keystream computed at once. */
const AHEAD = 32;

/**
 * The rollover counter of a packet with sequence number `seq` in the stream `counter` counts (RFC 3711
 * Appendix A, `@parley/rtp`'s estimate), which it updates; a light receiver authenticates nothing, so every
 * packet moves it. Returns `{ roc, gap }`: the packet's ROC, and how many sequence numbers it skipped past
 * the highest so far (0 if none, late, or the stream's first).
 */
export function advance(counter: RolloverCounter, seq: number): { roc: number; gap: number } {
  const gap =
    counter.highestSeq >= 0 && seqNewer(seq, counter.highestSeq) ? seqDiff(seq, counter.highestSeq) - 1 : 0;
  return { roc: counter.next(seq), gap };
}

/** One direction's tag reader; `read(packet, roc)` fills `sourceId`, `number`, `sentAt`. */
export class TagDecoder {
  private readonly gcm: boolean;
  private readonly srtpTagBytes: number;
  private readonly salt: Buffer;
  private readonly ecb: Cipher;
  private readonly counters = Buffer.alloc(AHEAD * PER_PACKET);
  /** Per SSRC: `{ index, keystream }`, the keystream of packets index .. index + AHEAD − 1. */
  private readonly ahead = new Map<number, { index: number; keystream: Buffer }>();
  private readonly tag = Buffer.alloc(TAG_BYTES);
  /** The last tag read. */
  sourceId = 0;
  number = 0;
  sentAt = 0;

  /** `masterSalt`: 14 bytes (AES-CM) or 12 (GCM, zero-padded to 14 for the key derivation, as werift does). */
  constructor(profile: number, masterKey: Uint8Array, masterSalt: Uint8Array) {
    if (profile !== SRTP_AES128_CM_HMAC_SHA1_80 && profile !== SRTP_AEAD_AES_128_GCM) {
      throw new Error(`SRTP profile ${profile} is not one the benchmark decodes`);
    }
    this.gcm = profile === SRTP_AEAD_AES_128_GCM;
    // The session keys as the SFU derives them (a 12-byte GCM salt zero-padded to 14, as werift does).
    const keys = deriveSessionKeys(masterKey, masterSalt);
    this.srtpTagBytes = this.gcm ? 16 : 10;
    this.salt = keys.rtpSalt;
    this.ecb = createCipheriv('aes-128-ecb', keys.rtpKey, null);
    this.ecb.setAutoPadding(false);
  }

  /** Reads the tag of `packet` (SRTP, rollover counter `roc`); false if the payload is too short to hold one. */
  read(packet: Buffer, roc: number): boolean {
    const payloadAt = rtpHeaderLength(packet, packet.length - this.srtpTagBytes);
    if (payloadAt < 0 || packet.length - this.srtpTagBytes - payloadAt < TAG_OFFSET + TAG_BYTES) return false;
    const ssrc = packet.readUInt32BE(8);
    const index = roc * 0x10000 + packet.readUInt16BE(2);
    let a = this.ahead.get(ssrc);
    if (a === undefined || index < a.index || index >= a.index + AHEAD) {
      a = { index, keystream: this.compute(ssrc, index) };
      this.ahead.set(ssrc, a);
    }
    const ks = a.keystream;
    const at = (index - a.index) * PER_PACKET + TAG_OFFSET;
    const tag = this.tag;
    const from = payloadAt + TAG_OFFSET;
    for (let i = 0; i < TAG_BYTES; i++) tag[i] = packet[from + i] ^ ks[at + i];
    this.sourceId = tag.readUInt32BE(0);
    this.number = tag.readUInt32BE(4);
    this.sentAt = tag.readDoubleBE(8);
    return true;
  }

  /** The keystream over payload bytes 0–31 of packets `index` .. `index` + AHEAD − 1 of `ssrc`. */
  private compute(ssrc: number, index: number): Buffer {
    const c = this.counters;
    c.fill(0);
    const salt = this.salt;
    for (let p = 0; p < AHEAD; p++) {
      const i = index + p;
      const roc = Math.floor(i / 0x10000) >>> 0;
      const seq = i & 0xffff;
      const o = p * PER_PACKET;
      if (this.gcm) {
        c.writeUInt32BE(ssrc, o + 2);
        c.writeUInt32BE(roc, o + 6);
        c.writeUInt16BE(seq, o + 10);
        for (let b = 0; b < 12; b++) c[o + b] ^= salt[b];
        c.copy(c, o + 16, o, o + 12);
        c.writeUInt32BE(2, o + 12);
        c.writeUInt32BE(3, o + 28);
      } else {
        salt.copy(c, o, 0, 14);
        c.writeUInt32BE((c.readUInt32BE(o + 4) ^ ssrc) >>> 0, o + 4);
        c.writeUInt32BE((c.readUInt32BE(o + 8) ^ roc) >>> 0, o + 8);
        c.writeUInt16BE(c.readUInt16BE(o + 12) ^ seq, o + 12);
        c.copy(c, o + 16, o, o + 16);
        c[o + 31] = 1;
      }
    }
    return this.ecb.update(c);
  }
}
