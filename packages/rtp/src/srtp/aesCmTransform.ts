/**
 * AES_CM_128_HMAC_SHA1_80 (RFC 3711 §4.1.1 and §4.2.1, RFC 5764): AES-128 in counter mode with the IV
 * (salt · 2^16) XOR (SSRC · 2^64) XOR (index · 2^16), and an HMAC-SHA1 tag truncated to 80 bits, over the
 * packet and the ROC (SRTP) or over the packet and its E flag and index word (SRTCP).
 */
import {
  AesCounterMode,
  AHEAD_MAX_LENGTH,
  type CounterBlocks,
  copyHeader,
  type KeystreamAhead,
  regionAhead,
  xorOnto,
} from './aesCounterMode.js';
import { HmacSha1, tagInSlot } from './hmacSha1.js';
import type { SrtpSessionKeys } from './keyDerivation.js';
import {
  authenticationFailed,
  getUint32,
  putUint32,
  type SrtpTransform,
  saltedIv,
  sameBytes,
} from './transform.js';

const TAG = 10;
const INDEX = 4;
/** The expected tag of the packet being checked. */
const expected = new Uint8Array(TAG);

/** Blocks of a packet's region ahead: one for the header (its last 12 bytes), the payload's keystream, the tag. */
function regionBlocks(length: number): number {
  return 1 + ((length + TAG + 15) >> 4);
}

/** Seals packet (`header`, `payload`) of rollover count `roc` in its region, at byte `at` of `ahead.buffer`. */
function sealAt(
  ahead: KeystreamAhead,
  at: number,
  header: Uint8Array,
  payload: Uint8Array,
  roc: number,
  macSlot: number,
): Buffer {
  const buffer = ahead.buffer!;
  const length = payload.length;
  const start = at + 4;
  const payloadEnd = at + 16 + length;
  copyHeader(header, buffer, start);
  xorOnto(payload, 0, buffer, at + 16, length, ahead.words);
  tagInSlot(macSlot, buffer, start, payloadEnd, roc, buffer, payloadEnd, TAG);
  return buffer.subarray(start, payloadEnd + TAG);
}

/**
 * Seals packet (`seq`, `roc`) of an AES-CM stream in the keystream {@link AesCmTransform.sealRtp} computed for it
 * ahead, with the MAC's slot it left there (`ahead.macSlot`): without reading the transform's object. A fan-out
 * seals each packet for hundreds of transports in turn, each transform in memory no other player shares; its
 * first touch held 56 % of the fan-out loop's own samples in an 800-player audio profile once the other objects
 * on the way were allocated side by side (an experiment; perf annotate). Null when that keystream is not there
 * (or the payload is too long to seal ahead): then the transform seals it.
 */
export function sealInKeystreamAhead(
  ahead: KeystreamAhead,
  header: Uint8Array,
  seq: number,
  roc: number,
  payload: Uint8Array,
  macSlot: number,
): Buffer | null {
  const length = payload.length;
  if (length > AHEAD_MAX_LENGTH) return null;
  const at = regionAhead(ahead, roc * 0x10000 + seq, regionBlocks(length));
  return at < 0 ? null : sealAt(ahead, at, header, payload, roc, macSlot);
}

/**
 * Each half of a direction (SRTP or SRTCP) has its cipher and MAC, made on its first packet. An SFU's transport
 * uses three of its four halves: a player's never unprotects RTP (a player sends none), a publisher's never
 * protects it. Each half holds an OpenSSL cipher context and an HMAC state: 2.1 KiB of RSS per half (1.1 the
 * cipher, 0.6 the HMAC), measured over 20,000 of them. (AesGcmTransform's `GcmKey` makes its cipher the same way.)
 * They are fields of the transform itself, not of an object per half: a fan-out seals each packet for
 * hundreds of transports in turn, and each object on the way is one more read from memory per player (in
 * a 800-player audio fan-out profile, reaching the cipher and MAC through two objects was 39 % of the
 * server's time in `sealRtp`).
 */
export class AesCmTransform implements SrtpTransform, CounterBlocks {
  readonly rtpOverhead = TAG;
  readonly rtcpOverhead = INDEX + TAG;
  private readonly keys: SrtpSessionKeys;
  private rtpAes: AesCounterMode | null = null;
  private rtpMac: HmacSha1 | null = null;
  /** `rtpMac`'s slot ({@link tagInSlot}): sealing reads this number, not the MAC's object, per packet. */
  private rtpMacSlot = -1;
  private rtcpAes: AesCounterMode | null = null;
  private rtcpMac: HmacSha1 | null = null;
  private readonly rtpSalt: Uint8Array;
  private readonly rtcpSalt: Uint8Array;
  private readonly iv = new Uint8Array(16);

  constructor(keys: SrtpSessionKeys) {
    this.keys = keys;
    this.rtpSalt = keys.rtpSalt.subarray(0, 14);
    this.rtcpSalt = keys.rtcpSalt.subarray(0, 14);
  }

  protectRtp(
    packet: Uint8Array,
    headerLength: number,
    payloadEnd: number,
    ssrc: number,
    seq: number,
    roc: number,
  ): void {
    this.setIv(this.rtpSalt, ssrc, roc, seq);
    const aes = this.rtpAes ?? this.makeRtp();
    aes.xor(this.iv, 0, packet, headerLength, packet, headerLength, payloadEnd - headerLength);
    this.rtpMac!.tag(packet, 0, payloadEnd, roc, packet, payloadEnd, TAG);
  }

  sealRtp(
    ahead: KeystreamAhead,
    header: Uint8Array,
    ssrc: number,
    seq: number,
    roc: number,
    payload: Uint8Array,
  ): Buffer | null {
    // In the keystream computed ahead, as the stream itself seals it; the cipher's object is reached only when
    // the next packets' keystream is computed.
    const sealed = sealInKeystreamAhead(ahead, header, seq, roc, payload, this.rtpMacSlot);
    if (sealed !== null || payload.length > AHEAD_MAX_LENGTH) return sealed;
    const index = roc * 0x10000 + seq;
    const aes = this.rtpAes ?? this.makeRtp();
    const at = aes.computeAhead(ahead, this, ssrc, index, regionBlocks(payload.length));
    ahead.macSlot = this.rtpMacSlot;
    return sealAt(ahead, at, header, payload, roc, this.rtpMacSlot);
  }

  /**
   * The block before the packet's first counter block (IV + 0): IV - 1, whose low 16 bits are 0xffff, a block
   * counter no payload reaches; so the region's header block takes no keystream any packet uses.
   */
  counterBlock(ssrc: number, index: number, out: Uint8Array, offset: number): void {
    this.setIv(this.rtpSalt, ssrc, Math.floor(index / 0x10000), index & 0xffff);
    out.set(this.iv, offset);
    putUint32(out, offset + 12, (getUint32(out, offset + 12) - 1) >>> 0);
  }

  unprotectRtp(packet: Buffer, headerLength: number, ssrc: number, seq: number, roc: number): Buffer {
    const tagAt = packet.length - TAG;
    if (tagAt < headerLength) throw authenticationFailed('SRTP');
    const aes = this.rtpAes ?? this.makeRtp();
    this.rtpMac!.tag(packet, 0, tagAt, roc, expected, 0, TAG);
    if (!sameBytes(expected, 0, packet, tagAt, TAG)) throw authenticationFailed('SRTP');
    const out = Buffer.allocUnsafe(tagAt);
    packet.copy(out, 0, 0, headerLength);
    this.setIv(this.rtpSalt, ssrc, roc, seq);
    aes.xor(this.iv, 0, packet, headerLength, out, headerLength, tagAt - headerLength);
    return out;
  }

  protectRtcp(rtcp: Buffer, index: number): Buffer {
    const length = rtcp.length;
    const out = Buffer.allocUnsafe(length + INDEX + TAG);
    rtcp.copy(out, 0, 0, 8);
    this.setIv(this.rtcpSalt, getUint32(rtcp, 4), index >>> 16, index & 0xffff);
    const aes = this.rtcpAes ?? this.makeRtcp();
    aes.xor(this.iv, 0, rtcp, 8, out, 8, length - 8);
    putUint32(out, length, (0x80000000 | index) >>> 0);
    this.rtcpMac!.tag(out, 0, length + INDEX, null, out, length + INDEX, TAG);
    return out;
  }

  unprotectRtcp(packet: Buffer): Buffer {
    const length = packet.length;
    if (length < 8 + INDEX + TAG) throw authenticationFailed('SRTCP');
    const tagAt = length - TAG;
    const aes = this.rtcpAes ?? this.makeRtcp();
    this.rtcpMac!.tag(packet, 0, tagAt, null, expected, 0, TAG);
    if (!sameBytes(expected, 0, packet, tagAt, TAG)) throw authenticationFailed('SRTCP');
    const indexAt = tagAt - INDEX;
    const out = Buffer.allocUnsafe(indexAt);
    const word = getUint32(packet, indexAt);
    if ((word & 0x80000000) === 0) {
      packet.copy(out, 0, 0, indexAt); // sent unencrypted (E = 0)
      return out;
    }
    const index = word & 0x7fffffff;
    packet.copy(out, 0, 0, 8);
    this.setIv(this.rtcpSalt, getUint32(packet, 4), index >>> 16, index & 0xffff);
    aes.xor(this.iv, 0, packet, 8, out, 8, indexAt - 8);
    return out;
  }

  /** Makes the SRTP half's cipher and MAC (on its first packet); returns the cipher. */
  private makeRtp(): AesCounterMode {
    this.rtpMac = new HmacSha1(this.keys.rtpAuthKey);
    this.rtpMacSlot = this.rtpMac.slot;
    this.rtpAes = new AesCounterMode(this.keys.rtpKey);
    return this.rtpAes;
  }

  /** Makes the SRTCP half's cipher and MAC (on its first packet); returns the cipher. */
  private makeRtcp(): AesCounterMode {
    this.rtcpMac = new HmacSha1(this.keys.rtcpAuthKey);
    this.rtcpAes = new AesCounterMode(this.keys.rtcpKey);
    return this.rtcpAes;
  }

  /** IV = salt (14 bytes) XOR SSRC at bytes 4-7 XOR `high` at bytes 8-11 XOR `low` at bytes 12-13; 0 0. */
  private setIv(salt: Uint8Array, ssrc: number, high: number, low: number): void {
    saltedIv(this.iv, salt, 4, ssrc, high, low);
    this.iv[14] = 0;
    this.iv[15] = 0;
  }
}
