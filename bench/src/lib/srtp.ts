/**
 * The benchmark's own SRTP, on node:crypto, RTP only: what the baseline's endpoints and the Parley publishers
 * (lib/lightSender.ts) protect their packets with. Two protection profiles, the two werift negotiates:
 * AES_CM_128_HMAC_SHA1_80 (RFC 3711: the payload encrypted with AES-128 in counter mode, §4.1.1, and the header
 * plus encrypted payload plus ROC authenticated with HMAC-SHA1, truncated to 80 bits, §4.2) and
 * AEAD_AES_128_GCM (RFC 7714: the payload encrypted with AES-128-GCM under the IV of §8.1, the header as
 * associated data, a 16-byte tag). Session keys come from the master key and salt by the key derivation of
 * RFC 3711 §4.3 (key derivation rate 0; a 12-byte GCM master salt is zero-padded to 14, as werift does). The
 * rollover counter is kept per SSRC: the sender counts sequence-number wraps, the receiver estimates it as in
 * Appendix A. There is no replay list: the benchmark's receivers count duplicates themselves.
 * `node bench/dist/src/lib/srtp.check.js` checks this code byte for byte against werift's own SRTP in both profiles
 * and against the test vectors of RFC 3711 Appendix B.
 */
import { createCipheriv, createDecipheriv, createHmac, timingSafeEqual } from 'node:crypto';

/** The DTLS-SRTP protection profiles (RFC 5764 §4.1.2, RFC 7714 §14.2), as werift numbers them. */
export const PROFILE_AES_CM = 0x0001;
export const PROFILE_AES_GCM = 0x0007;
/** Length of the authentication tag AES_CM_128_HMAC_SHA1_80 appends to every packet. */
export const AUTH_TAG_BYTES = 10;
/** Length of the AEAD_AES_128_GCM tag. */
const GCM_TAG_BYTES = 16;
/** Master key and master salt lengths of AES_CM_128_HMAC_SHA1_80 (GCM's salt is 12 bytes). */
export const MASTER_KEY_BYTES = 16;
export const MASTER_SALT_BYTES = 14;

/**
 * The AES-CM pseudo-random function of §4.3.3: `length` bytes of keystream of AES-128 in counter mode under
 * `key`, starting from the 14-byte `x` shifted left by 16 bits.
 */
function prf(key: Buffer, x: Buffer, length: number): Buffer {
  const iv = Buffer.alloc(16);
  x.copy(iv, 0, 0, 14);
  const cipher = createCipheriv('aes-128-ctr', key, iv);
  return cipher.update(Buffer.alloc(length));
}

/**
 * The SRTP session keys of §4.3.1 (key derivation rate 0, so r = 0): key_id = label || r, x = key_id XOR
 * master_salt, and each key is PRF(master_key, x). Labels: 0 encryption, 1 authentication, 2 salt.
 */
/** The session keys of one SRTP direction. */
export interface SessionKeys {
  encryptionKey: Buffer;
  authKey: Buffer;
  salt: Buffer;
}

export function deriveSessionKeys(masterKey: Buffer, masterSalt: Buffer): SessionKeys {
  if (masterKey.length !== MASTER_KEY_BYTES) throw new RangeError('the master key must be 16 bytes');
  if (masterSalt.length !== MASTER_SALT_BYTES) throw new RangeError('the master salt must be 14 bytes');
  const x = (label: number): Buffer => {
    const v = Buffer.from(masterSalt);
    v[7] ^= label; // key_id (label, then 48 bits of r = 0) is right-aligned in the 112-bit salt
    return v;
  };
  return {
    encryptionKey: prf(masterKey, x(0), 16),
    authKey: prf(masterKey, x(1), 20),
    salt: prf(masterKey, x(2), 14),
  };
}

/** A 12-byte GCM master salt, zero-padded to the 14 bytes of the key derivation (as werift pads it). */
export function paddedSalt(masterSalt: Buffer): Buffer {
  const salt = Buffer.alloc(MASTER_SALT_BYTES);
  masterSalt.copy(salt, 0, 0, Math.min(MASTER_SALT_BYTES, masterSalt.length));
  return salt;
}

/** Length of the RTP header of `packet`: fixed part, CSRCs and the header extension, if any. */
export function rtpHeaderLength(packet: Buffer): number {
  const b0 = packet[0] ?? 0;
  const csrcCount = b0 & 0x0f;
  let length = 12 + 4 * csrcCount;
  if (b0 & 0x10) length += 4 + 4 * packet.readUInt16BE(length + 2);
  if (length > packet.length) throw new RangeError('truncated RTP header');
  return length;
}

/** One direction of an SRTP session: every SSRC protected (or unprotected) with one master key and salt. */
export class SrtpContext {
  private readonly gcm: boolean;
  private readonly encryptionKey: Buffer;
  private readonly authKey: Buffer;
  private readonly salt: Buffer;
  /** Bytes the protection appends to a packet. */
  readonly tagBytes: number;
  /** Per SSRC: the rollover counter and the highest sequence number seen (s_l). */
  private readonly states = new Map<number, { roc: number; highest: number }>();
  private readonly iv = Buffer.alloc(16);
  private readonly gcmIvBytes = Buffer.alloc(12);
  private readonly rocBytes = Buffer.alloc(4);

  /** `masterSalt`: 14 bytes (AES-CM) or 12 (GCM). `profile`: {@link PROFILE_AES_CM} or {@link PROFILE_AES_GCM}. */
  constructor(masterKey: Buffer, masterSalt: Buffer, profile: number = PROFILE_AES_CM) {
    if (profile !== PROFILE_AES_CM && profile !== PROFILE_AES_GCM) {
      throw new RangeError(`SRTP profile ${profile} is not one the benchmark implements`);
    }
    this.gcm = profile === PROFILE_AES_GCM;
    const keys = deriveSessionKeys(masterKey, this.gcm ? paddedSalt(masterSalt) : masterSalt);
    this.encryptionKey = keys.encryptionKey;
    this.authKey = keys.authKey;
    this.salt = keys.salt;
    this.tagBytes = this.gcm ? GCM_TAG_BYTES : AUTH_TAG_BYTES;
  }

  /** The counter block of §4.1.1: (salt · 2^16) XOR (SSRC · 2^64) XOR (index · 2^16), index = ROC · 2^16 + SEQ. */
  private counter(ssrc: number, roc: number, seq: number): Buffer {
    const iv = this.iv;
    this.salt.copy(iv, 0);
    iv[14] = 0;
    iv[15] = 0;
    iv.writeUInt32BE((iv.readUInt32BE(4) ^ ssrc) >>> 0, 4);
    iv.writeUInt32BE((iv.readUInt32BE(8) ^ roc) >>> 0, 8);
    iv.writeUInt16BE(iv.readUInt16BE(12) ^ seq, 12);
    return iv;
  }

  /** The IV of RFC 7714 §8.1: the session salt's first 12 bytes XOR (00 00 | SSRC | ROC | SEQ). */
  private gcmIv(ssrc: number, roc: number, seq: number): Buffer {
    const iv = this.gcmIvBytes;
    iv[0] = 0;
    iv[1] = 0;
    iv.writeUInt32BE(ssrc >>> 0, 2);
    iv.writeUInt32BE(roc >>> 0, 6);
    iv.writeUInt16BE(seq, 10);
    for (let i = 0; i < 12; i++) iv[i] ^= this.salt[i];
    return iv;
  }

  /** The 80-bit tag of §4.2: HMAC-SHA1 over the authenticated portion followed by the ROC. */
  private tag(authenticated: Buffer, roc: number): Buffer {
    this.rocBytes.writeUInt32BE(roc >>> 0, 0);
    return createHmac('sha1', this.authKey).update(authenticated).update(this.rocBytes).digest();
  }

  /**
   * Protects the plain RTP packet `rtp` as its sender: the ROC of its SSRC goes up when the sequence number
   * wraps. Returns a new buffer (header, encrypted payload, tag).
   */
  protect(rtp: Buffer): Buffer {
    const ssrc = rtp.readUInt32BE(8);
    const seq = rtp.readUInt16BE(2);
    let s = this.states.get(ssrc);
    if (s === undefined) {
      s = { roc: 0, highest: seq };
      this.states.set(ssrc, s);
    } else if (seq < s.highest && s.highest - seq > 0x8000) {
      s.roc = (s.roc + 1) >>> 0; // wrapped: 65535 → 0
      s.highest = seq;
    } else if (seq > s.highest && seq - s.highest < 0x8000) {
      s.highest = seq;
    }
    return this.protectWithRoc(rtp, s.roc);
  }

  /** Protects `rtp` with a known rollover counter (a relay forwarding a packet it has just unprotected). */
  protectWithRoc(rtp: Buffer, roc: number): Buffer {
    const headerLength = rtpHeaderLength(rtp);
    const out = Buffer.allocUnsafe(rtp.length + this.tagBytes);
    rtp.copy(out, 0, 0, headerLength);
    if (this.gcm) {
      const cipher = createCipheriv(
        'aes-128-gcm',
        this.encryptionKey,
        this.gcmIv(rtp.readUInt32BE(8), roc, rtp.readUInt16BE(2)),
      );
      cipher.setAAD(rtp.subarray(0, headerLength));
      cipher.update(rtp.subarray(headerLength)).copy(out, headerLength);
      cipher.final();
      cipher.getAuthTag().copy(out, rtp.length);
      return out;
    }
    const cipher = createCipheriv(
      'aes-128-ctr',
      this.encryptionKey,
      this.counter(rtp.readUInt32BE(8), roc, rtp.readUInt16BE(2)),
    );
    cipher.update(rtp.subarray(headerLength)).copy(out, headerLength);
    this.tag(out.subarray(0, rtp.length), roc).copy(out, rtp.length, 0, AUTH_TAG_BYTES);
    return out;
  }

  /**
   * Unprotects an SRTP packet as its receiver: estimates the packet's ROC (RFC 3711 Appendix A), checks the
   * tag, decrypts. Returns `{ rtp, roc }` (a new buffer without the tag), or null if authentication fails.
   */
  unprotect(srtp: Buffer): { rtp: Buffer; roc: number } | null {
    if (srtp.length < 12 + this.tagBytes) return null;
    const end = srtp.length - this.tagBytes;
    const ssrc = srtp.readUInt32BE(8);
    const seq = srtp.readUInt16BE(2);
    const s = this.states.get(ssrc);
    let roc = 0;
    if (s !== undefined) {
      roc = s.roc;
      if (s.highest < 0x8000) {
        if (seq - s.highest > 0x8000) roc = (s.roc - 1) >>> 0;
      } else if (s.highest - 0x8000 > seq) {
        roc = (s.roc + 1) >>> 0;
      }
    }
    let headerLength: number;
    try {
      headerLength = rtpHeaderLength(srtp.subarray(0, end));
    } catch {
      return null; // the header runs into the tag
    }
    let rtp: Buffer;
    if (this.gcm) {
      rtp = Buffer.allocUnsafe(end);
      srtp.copy(rtp, 0, 0, headerLength);
      const decipher = createDecipheriv('aes-128-gcm', this.encryptionKey, this.gcmIv(ssrc, roc, seq));
      decipher.setAAD(srtp.subarray(0, headerLength));
      decipher.setAuthTag(srtp.subarray(end));
      decipher.update(srtp.subarray(headerLength, end)).copy(rtp, headerLength);
      try {
        decipher.final();
      } catch {
        return null; // the tag does not authenticate the packet
      }
    } else {
      const expected = this.tag(srtp.subarray(0, end), roc);
      if (!timingSafeEqual(expected.subarray(0, AUTH_TAG_BYTES), srtp.subarray(end))) return null;
      rtp = Buffer.allocUnsafe(end);
      srtp.copy(rtp, 0, 0, headerLength);
      const decipher = createCipheriv('aes-128-ctr', this.encryptionKey, this.counter(ssrc, roc, seq));
      decipher.update(srtp.subarray(headerLength, end)).copy(rtp, headerLength);
    }
    if (s === undefined) this.states.set(ssrc, { roc, highest: seq });
    else if (roc === (s.roc + 1) >>> 0) {
      s.roc = roc;
      s.highest = seq;
    } else if (roc === s.roc && seq > s.highest) s.highest = seq;
    return { rtp, roc };
  }
}

/** A plain RTP packet: the 12-byte header (no CSRC, no extension) and `payload`. */
/** The fields of a plain RTP header the bench writes. */
export interface RtpFields {
  payloadType: number;
  sequenceNumber: number;
  timestamp: number;
  ssrc: number;
  marker?: boolean;
}

export function buildRtp(
  { payloadType, sequenceNumber, timestamp, ssrc, marker = false }: RtpFields,
  payload: Buffer,
): Buffer {
  const packet = Buffer.allocUnsafe(12 + payload.length);
  packet[0] = 0x80;
  packet[1] = (marker ? 0x80 : 0) | (payloadType & 0x7f);
  packet.writeUInt16BE(sequenceNumber & 0xffff, 2);
  packet.writeUInt32BE(timestamp >>> 0, 4);
  packet.writeUInt32BE(ssrc >>> 0, 8);
  payload.copy(packet, 12);
  return packet;
}
