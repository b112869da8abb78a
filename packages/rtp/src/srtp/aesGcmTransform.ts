/**
 * AEAD_AES_128_GCM (RFC 7714): AES-128-GCM with the 12-byte IV salt XOR (0 0 || SSRC || ROC || SEQ) for SRTP
 * and salt XOR (0 0 || SSRC || 0 0 || index) for SRTCP, a 16-byte tag; the RTP header (SRTP), or the first
 * 8 bytes and the E flag and index word (SRTCP), are the additional authenticated data.
 *
 * Two implementations give the same bytes. SRTP packets are protected with the counter mode on one reused
 * AES-ECB cipher ({@link AesCounterMode}, keystream computed ahead for packets in order) and GHASH in
 * JavaScript ({@link Ghash}). Node's `createCipheriv('aes-128-gcm')` costs a new cipher object per packet:
 * mostly a fixed cost, which JavaScript beats for audio-sized packets; for video-sized ones it takes less CPU
 * than GHASH in JavaScript, but those objects are freed by the garbage collector at a cost that grows with
 * their number, and in a fan-out of video its pauses (tens of ms at 20k packets/s) set the tail latency.
 * Unprotecting (once per incoming packet, not per player) uses Node's cipher from {@link NATIVE_FROM} bytes
 * of payload, and so does SRTCP (a few packets a second), which then needs no GHASH table.
 */
import { createCipheriv, createDecipheriv } from 'node:crypto';
import {
  AesCounterMode,
  AHEAD_MAX_LENGTH,
  type CounterBlocks,
  copyHeader,
  type KeystreamAhead,
  regionAhead,
  xorOnto,
} from './aesCounterMode.js';
import { Ghash } from './ghash.js';
import type { SrtpSessionKeys } from './keyDerivation.js';
import {
  authenticationFailed,
  getUint32,
  putUint32,
  type SrtpTransform,
  saltedIv,
  sameBytes,
} from './transform.js';

const TAG = 16;
const INDEX = 4;
/** Payload bytes from which an incoming RTP packet is unprotected by Node's AES-GCM (measured crossover). */
export const NATIVE_FROM = 512;
const expected = new Uint8Array(TAG);
/** E_K(J0) of the packet being sealed. */
const ekj0 = new Uint8Array(16);

/** One key of the profile: AES for the keystream and E_K(J0), GHASH with H = E_K(0^128). */
class GcmKey {
  readonly key: Uint8Array;
  private cipher: AesCounterMode | null = null;
  private table: Ghash | null = null;
  constructor(key: Uint8Array) {
    this.key = key;
  }
  /**
   * AES with this key, made on first use: a player's transport never unprotects RTP, and its OpenSSL cipher
   * context is 1.1 KiB of RSS (measured with aesCmTransform.ts's halves).
   */
  get aes(): AesCounterMode {
    this.cipher ??= new AesCounterMode(this.key);
    return this.cipher;
  }
  /** GHASH with H = E_K(0^128); its 8 KiB table is built on first use (a video-only key never needs it). */
  get ghash(): Ghash {
    this.table ??= new Ghash(this.aes.encryptBlocks(new Uint8Array(16)));
    return this.table;
  }
}

export class AesGcmTransform implements SrtpTransform, CounterBlocks {
  readonly rtpOverhead = TAG;
  readonly rtcpOverhead = TAG + INDEX;
  private readonly rtp: GcmKey;
  private readonly rtcpKey: Uint8Array;
  private readonly rtpSalt: Uint8Array;
  private readonly rtcpSalt: Uint8Array;
  /** J0 = IV || 0 0 0 1. */
  private readonly j0 = new Uint8Array(16);

  constructor(keys: SrtpSessionKeys) {
    this.rtp = new GcmKey(keys.rtpKey);
    this.rtcpKey = keys.rtcpKey;
    this.rtpSalt = keys.rtpSalt.subarray(0, 12);
    this.rtcpSalt = keys.rtcpSalt.subarray(0, 12);
  }

  protectRtp(
    packet: Uint8Array,
    headerLength: number,
    payloadEnd: number,
    ssrc: number,
    seq: number,
    roc: number,
  ): void {
    this.setJ0(this.rtpSalt, ssrc, roc, seq);
    const { aes, ghash } = this.rtp;
    const ks = aes.xor(this.j0, 1, packet, headerLength, packet, headerLength, payloadEnd - headerLength);
    ghash.start();
    ghash.update(packet, 0, headerLength);
    ghash.update(packet, headerLength, payloadEnd);
    ghash.finish(headerLength, payloadEnd - headerLength, ks, 0, packet, payloadEnd);
  }

  unprotectRtp(packet: Buffer, headerLength: number, ssrc: number, seq: number, roc: number): Buffer {
    const tagAt = packet.length - TAG;
    if (tagAt < headerLength) throw authenticationFailed('SRTP');
    this.setJ0(this.rtpSalt, ssrc, roc, seq);
    const out = Buffer.allocUnsafe(tagAt);
    packet.copy(out, 0, 0, headerLength);
    if (tagAt - headerLength >= NATIVE_FROM) {
      const decipher = createDecipheriv('aes-128-gcm', this.rtp.key, this.j0.subarray(0, 12));
      decipher.setAAD(packet.subarray(0, headerLength));
      decipher.setAuthTag(packet.subarray(tagAt));
      const plain = decipher.update(packet.subarray(headerLength, tagAt));
      try {
        decipher.final();
      } catch {
        throw authenticationFailed('SRTP');
      }
      plain.copy(out, headerLength);
      return out;
    }
    const { aes, ghash } = this.rtp;
    const ks = aes.xor(this.j0, 1, packet, headerLength, out, headerLength, tagAt - headerLength);
    ghash.start();
    ghash.update(packet, 0, headerLength);
    ghash.update(packet, headerLength, tagAt);
    ghash.finish(headerLength, tagAt - headerLength, ks, 0, expected, 0);
    if (!sameBytes(expected, 0, packet, tagAt, TAG)) throw authenticationFailed('SRTP');
    return out;
  }

  // SRTCP (a few packets per second and transport) always goes through Node's cipher: no GHASH table to keep.
  protectRtcp(rtcp: Buffer, index: number): Buffer {
    const length = rtcp.length;
    const out = Buffer.allocUnsafe(length + TAG + INDEX);
    rtcp.copy(out, 0, 0, 8);
    const word = (0x80000000 | index) >>> 0;
    putUint32(out, length + TAG, word);
    this.setJ0(this.rtcpSalt, getUint32(rtcp, 4), index >>> 16, index & 0xffff);
    const cipher = createCipheriv('aes-128-gcm', this.rtcpKey, this.j0.subarray(0, 12));
    cipher.setAAD(Buffer.concat([rtcp.subarray(0, 8), out.subarray(length + TAG)]));
    cipher.update(rtcp.subarray(8)).copy(out, 8);
    cipher.final();
    cipher.getAuthTag().copy(out, length);
    return out;
  }

  unprotectRtcp(packet: Buffer): Buffer {
    const length = packet.length;
    if (length < 8 + TAG + INDEX) throw authenticationFailed('SRTCP');
    const indexAt = length - INDEX;
    const tagAt = indexAt - TAG;
    const word = getUint32(packet, indexAt);
    const index = word & 0x7fffffff;
    this.setJ0(this.rtcpSalt, getUint32(packet, 4), index >>> 16, index & 0xffff);
    const decipher = createDecipheriv('aes-128-gcm', this.rtcpKey, this.j0.subarray(0, 12));
    decipher.setAuthTag(packet.subarray(tagAt, indexAt));
    const out = Buffer.allocUnsafe(tagAt);
    if ((word & 0x80000000) !== 0) {
      packet.copy(out, 0, 0, 8);
      decipher.setAAD(Buffer.concat([packet.subarray(0, 8), packet.subarray(indexAt)]));
      decipher.update(packet.subarray(8, tagAt)).copy(out, 8);
    } else {
      // Sent unencrypted (E = 0, RFC 7714 §9.2): everything is additional data.
      packet.copy(out, 0, 0, tagAt);
      decipher.setAAD(Buffer.concat([packet.subarray(0, tagAt), packet.subarray(indexAt)]));
    }
    try {
      decipher.final();
    } catch {
      throw authenticationFailed('SRTCP');
    }
    return out;
  }

  sealRtp(
    ahead: KeystreamAhead,
    header: Uint8Array,
    ssrc: number,
    seq: number,
    roc: number,
    payload: Uint8Array,
  ): Buffer | null {
    const length = payload.length;
    if (length > AHEAD_MAX_LENGTH) return null;
    // Region: E_K(J0), whose block then takes the header (in its last 12 bytes), the payload's keystream
    // from J0 + 1 on, room for the tag.
    const { aes, ghash } = this.rtp;
    const index = roc * 0x10000 + seq;
    const blocks = 1 + ((length + TAG + 15) >> 4);
    let at = regionAhead(ahead, index, blocks);
    if (at < 0) at = aes.computeAhead(ahead, this, ssrc, index, blocks);
    const buffer = ahead.buffer!;
    const start = at + 4;
    const payloadEnd = at + 16 + length;
    ekj0.set(buffer.subarray(at, at + 16));
    copyHeader(header, buffer, start);
    xorOnto(payload, 0, buffer, at + 16, length, ahead.words);
    ghash.start();
    ghash.update(buffer, start, at + 16);
    ghash.update(buffer, at + 16, payloadEnd);
    ghash.finish(12, length, ekj0, 0, buffer, payloadEnd);
    return buffer.subarray(start, payloadEnd + TAG);
  }

  /** J0 of SRTP packet `index`: a packet's region in keystream computed ahead starts with E_K(J0). */
  counterBlock(ssrc: number, index: number, out: Uint8Array, offset: number): void {
    this.setJ0(this.rtpSalt, ssrc, Math.floor(index / 0x10000), index & 0xffff);
    out.set(this.j0, offset);
  }

  /**
   * J0 = (salt XOR (0 0 || ssrc || high || low)) || 0 0 0 1, `high` a 32-bit and `low` a 16-bit word: ROC and
   * sequence number for SRTP, the 31-bit SRTCP index split in two for SRTCP.
   */
  private setJ0(salt: Uint8Array, ssrc: number, high: number, low: number): void {
    const j0 = this.j0;
    saltedIv(j0, salt, 2, ssrc, high, low);
    j0[12] = 0;
    j0[13] = 0;
    j0[14] = 0;
    j0[15] = 1;
  }
}
