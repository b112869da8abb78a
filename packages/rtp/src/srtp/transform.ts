/**
 * What an SRTP protection profile does to one packet, given its index: the common shape of
 * {@link AesCmTransform} (AES_CM_128_HMAC_SHA1_80, RFC 3711) and {@link AesGcmTransform}
 * (AEAD_AES_128_GCM, RFC 7714). Index and ROC bookkeeping live in the crypto context, not here.
 */
import type { KeystreamAhead } from './aesCounterMode.js';
import { SrtpAuthError } from './SrtpAuthError.js';

export interface SrtpTransform {
  /** Bytes the profile appends to an RTP packet (the authentication tag). */
  readonly rtpOverhead: number;
  /** Bytes the profile appends to an RTCP compound packet (E flag and index word, tag). */
  readonly rtcpOverhead: number;
  /**
   * Protects an RTP packet in place: `packet[0, headerLength)` is the header, the payload runs to
   * `payloadEnd`; the payload is encrypted and the tag written at `payloadEnd` (the caller leaves room).
   */
  protectRtp(
    packet: Uint8Array,
    headerLength: number,
    payloadEnd: number,
    ssrc: number,
    seq: number,
    roc: number,
  ): void;
  /**
   * The SRTP packet of the 12-byte RTP `header` and `payload`, sent in order, sealed in the stream's keystream
   * computed ahead (`ahead`, see {@link KeystreamAhead}): a view into that buffer. Null for a payload too
   * long to seal ahead (then {@link protectRtp}).
   */
  sealRtp(
    ahead: KeystreamAhead,
    header: Uint8Array,
    ssrc: number,
    seq: number,
    roc: number,
    payload: Uint8Array,
  ): Buffer | null;
  /**
   * Authenticates and decrypts an SRTP packet whose header is `headerLength` bytes: a new buffer with the
   * header and the plain payload, without the tag. Throws {@link SrtpAuthError}.
   */
  unprotectRtp(packet: Buffer, headerLength: number, ssrc: number, seq: number, roc: number): Buffer;
  /** Protects an RTCP compound packet with SRTCP index `index`: a new buffer. */
  protectRtcp(rtcp: Buffer, index: number): Buffer;
  /**
   * Authenticates and (if its E flag is set) decrypts an SRTCP packet: a new buffer without the index word
   * and the tag. Throws {@link SrtpAuthError}.
   */
  unprotectRtcp(packet: Buffer): Buffer;
}

/** The error of a packet that failed authentication (its receiver drops it). */
export function authenticationFailed(what: 'SRTP' | 'SRTCP'): SrtpAuthError {
  return new SrtpAuthError(what);
}

/** Compares `length` bytes without an early exit (the tag is secret until it matched). */
export function sameBytes(
  a: Uint8Array,
  aOffset: number,
  b: Uint8Array,
  bOffset: number,
  length: number,
): boolean {
  let diff = 0;
  for (let i = 0; i < length; i++) diff |= a[aOffset + i]! ^ b[bOffset + i]!;
  return diff === 0;
}

/** Writes `value` as a 32-bit big-endian word. */
export function putUint32(b: Uint8Array, offset: number, value: number): void {
  b[offset] = value >>> 24;
  b[offset + 1] = value >>> 16;
  b[offset + 2] = value >>> 8;
  b[offset + 3] = value;
}

/** Reads a 32-bit big-endian word, unsigned. */
export function getUint32(b: Uint8Array, offset: number): number {
  return ((b[offset]! << 24) | (b[offset + 1]! << 16) | (b[offset + 2]! << 8) | b[offset + 3]!) >>> 0;
}

/**
 * Writes `salt` into `out` and XORs in SSRC (32 bits), `high` (32 bits) and `low` (16 bits) from byte `at` on:
 * the IV of both profiles — AES-CM puts them at byte 4 (RFC 3711 §4.1.1), GCM at byte 2 (RFC 7714 §8.1). `high`
 * and `low` are the ROC and sequence number for SRTP, the 31-bit SRTCP index split in two for SRTCP. The bytes
 * after them are the caller's (the block counter).
 */
export function saltedIv(
  out: Uint8Array,
  salt: Uint8Array,
  at: number,
  ssrc: number,
  high: number,
  low: number,
): void {
  out.set(salt, 0);
  out[at] = out[at]! ^ (ssrc >>> 24);
  out[at + 1] = out[at + 1]! ^ (ssrc >>> 16);
  out[at + 2] = out[at + 2]! ^ (ssrc >>> 8);
  out[at + 3] = out[at + 3]! ^ ssrc;
  out[at + 4] = out[at + 4]! ^ (high >>> 24);
  out[at + 5] = out[at + 5]! ^ (high >>> 16);
  out[at + 6] = out[at + 6]! ^ (high >>> 8);
  out[at + 7] = out[at + 7]! ^ high;
  out[at + 8] = out[at + 8]! ^ (low >>> 8);
  out[at + 9] = out[at + 9]! ^ low;
}
