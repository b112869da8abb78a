/**
 * One direction of an SRTP session (RFC 3711 §3.2, "cryptographic context"): the session keys of a protection
 * profile, set up once, and per SSRC the rollover counter (SRTP) or the SRTCP index. The forwarding path
 * writes each packet once: sealed in keystream computed ahead ({@link SrtpStream.sealRtp}) when sent
 * in order, else protected in a buffer of its own ({@link SrtpCryptoContext.protectRtpCopy}) or in place in a
 * buffer the caller owns ({@link SrtpCryptoContext.protectRtpInPlace}).
 */
import { rtpHeaderLength } from '../header.js';
import { AesCmTransform, sealInKeystreamAhead } from './aesCmTransform.js';
import type { KeystreamAhead } from './aesCounterMode.js';
import { AesGcmTransform } from './aesGcmTransform.js';
import { deriveSessionKeys } from './keyDerivation.js';
import { RolloverCounter } from './rolloverCounter.js';
import { authenticationFailed, getUint32, type SrtpTransform } from './transform.js';

/** The DTLS-SRTP protection profiles werift negotiates (RFC 5764 §4.1.2, RFC 7714 §14.2). */
export const SRTP_AES128_CM_HMAC_SHA1_80 = 0x0001;
export const SRTP_AEAD_AES_128_GCM = 0x0007;
export type SrtpProfileId = typeof SRTP_AES128_CM_HMAC_SHA1_80 | typeof SRTP_AEAD_AES_128_GCM;

/**
 * The RTP header object {@link SrtpCryptoContext.protectRtp} protects: werift's `RtpHeader` has this shape,
 * declared here so this package depends on no RTP stack.
 */
export interface SerializableRtpHeader {
  version: number;
  padding: boolean;
  marker: boolean;
  payloadType: number;
  sequenceNumber: number;
  timestamp: number;
  ssrc: number;
  csrc: readonly number[];
  extensions: readonly unknown[];
  extension: boolean;
  /** The serialized header's length. */
  serializeSize: number;
  serialize(size: number): Buffer;
}

/** SRTCP indexes are 31 bits; werift starts over at 0 after the last. */
const MAX_SRTCP_INDEX = 0x7fffffff;

/**
 * Per-SSRC state of a stream: its rollover counter, and (when we protect it) keystream computed ahead, in one
 * object, which also seals the stream's packets ({@link SrtpStream.sealRtp}) with its context's transform: a
 * fan-out seals each packet for hundreds of players in turn, and each object on the way is one more read from
 * memory per packet and player (the context, read per packet before to reach the transform, stalled 12 % of
 * the server's fast path `FastRtpSender.send` in a 400-player audio fan-out, perf annotate).
 */
export class SrtpStream extends RolloverCounter implements KeystreamAhead {
  buffer: Buffer | null = null;
  words: Int32Array | null = null;
  first = -1;
  count = 0;
  stride = 0;
  macSlot = -1;
  private readonly transform: SrtpTransform;

  constructor(transform: SrtpTransform) {
    super();
    this.transform = transform;
  }

  /**
   * Reads what {@link sealRtp} of the next packet in order reads first, changing nothing: this stream's
   * state and the first word of that packet's keystream if it was computed ahead. Returns a
   * number made of them, for a caller that reads a fan-out's streams ahead of sealing (so that the reads stay).
   */
  warm(): number {
    const words = this.words;
    const sum = this.highestSeq + this.macSlot;
    if (words === null) return sum;
    const at = (this.roc * 0x10000 + this.highestSeq + 1 - this.first) * this.stride * 4;
    return at >= 0 && at < words.length ? sum + words[at]! : sum;
  }

  /**
   * The forwarding fast path: the SRTP packet of a 12-byte RTP `header` (SSRC and sequence number are read
   * from it) and `payload`, sealed in keystream computed ahead for this stream (see `KeystreamAhead`): one
   * buffer serves several packets. Null for a packet not sent in order (a retransmission) or one too long to
   * seal ahead: the caller then uses {@link SrtpCryptoContext.protectRtpCopy}.
   */
  sealRtp(header: Uint8Array, payload: Uint8Array): Buffer | null {
    const seq = (header[2]! << 8) | header[3]!;
    const roc = this.estimate(seq);
    if (this.highestSeq >= 0 && roc * 0x10000 + seq <= this.roc * 0x10000 + this.highestSeq) return null;
    // In the keystream computed ahead: sealed here, the transform's object not read (sealInKeystreamAhead).
    const slot = this.macSlot;
    const packet =
      (slot >= 0 ? sealInKeystreamAhead(this, header, seq, roc, payload, slot) : null) ??
      this.transform.sealRtp(this, header, getUint32(header, 8), seq, roc, payload);
    if (packet) this.update(seq, roc);
    return packet;
  }
}

export class SrtpCryptoContext {
  readonly profile: SrtpProfileId;
  /** Bytes appended to an RTP packet. */
  readonly rtpOverhead: number;
  private readonly transform: SrtpTransform;
  private readonly streams = new Map<number, SrtpStream>();
  private readonly rtcpIndexes = new Map<number, number>();

  constructor(profile: number, masterKey: Uint8Array, masterSalt: Uint8Array) {
    const keys = deriveSessionKeys(masterKey, masterSalt);
    if (profile === SRTP_AES128_CM_HMAC_SHA1_80) this.transform = new AesCmTransform(keys);
    else if (profile === SRTP_AEAD_AES_128_GCM) this.transform = new AesGcmTransform(keys);
    else throw new RangeError(`unsupported SRTP protection profile ${profile}`);
    this.profile = profile;
    this.rtpOverhead = this.transform.rtpOverhead;
  }

  /** The state of stream `ssrc` (created, at ROC 0, on first use). */
  stream(ssrc: number): SrtpStream {
    let stream = this.streams.get(ssrc);
    if (!stream) {
      stream = new SrtpStream(this.transform);
      this.streams.set(ssrc, stream);
    }
    return stream;
  }

  /** The rollover counter of stream `ssrc`. */
  rolloverCounter(ssrc: number): RolloverCounter {
    return this.stream(ssrc);
  }

  /** Sets the SRTCP index last used for `ssrc` (to continue a session another context started). */
  setRtcpIndex(ssrc: number, index: number): void {
    this.rtcpIndexes.set(ssrc, index);
  }

  /**
   * Protects an RTP packet in place. `packet[0, headerLength)` holds the header (SSRC and sequence number
   * are read from it), the payload runs to `payloadEnd`, and `rtpOverhead` bytes after it receive the tag.
   * Returns the protected length. `stream` may be passed by a caller that holds the stream's state.
   */
  protectRtpInPlace(
    packet: Uint8Array,
    headerLength: number,
    payloadEnd: number,
    stream: SrtpStream = this.stream(getUint32(packet, 8)),
  ): number {
    const seq = (packet[2]! << 8) | packet[3]!;
    const roc = stream.next(seq);
    this.transform.protectRtp(packet, headerLength, payloadEnd, getUint32(packet, 8), seq, roc);
    return payloadEnd + this.rtpOverhead;
  }

  /**
   * The SRTP packet of a 12-byte RTP `header` and `payload` in a new buffer: for a packet {@link SrtpStream.sealRtp}
   * does not take (a retransmission, one sent out of order, a huge one).
   */
  protectRtpCopy(header: Uint8Array, payload: Uint8Array, stream: SrtpStream): Buffer {
    const payloadEnd = 12 + payload.length;
    const out = Buffer.allocUnsafe(payloadEnd + this.rtpOverhead);
    out.set(header.subarray(0, 12), 0);
    out.set(payload, 12);
    const length = this.protectRtpInPlace(out, 12, payloadEnd, stream);
    return length === out.length ? out : out.subarray(0, length);
  }

  /** Protects a (header object, payload): a new buffer, byte for byte what werift's context produces. */
  protectRtp(header: SerializableRtpHeader, payload: Buffer): Buffer {
    const simple = header.csrc.length === 0 && header.extensions.length === 0 && !header.extension;
    const serialized = simple ? null : header.serialize(header.serializeSize);
    const headerLength = serialized ? serialized.length : 12;
    const payloadEnd = headerLength + payload.length;
    const out = Buffer.allocUnsafe(payloadEnd + this.rtpOverhead);
    if (serialized) serialized.copy(out, 0);
    else {
      out[0] = ((header.version & 3) << 6) | (header.padding ? 0x20 : 0);
      out[1] = (header.marker ? 0x80 : 0) | (header.payloadType & 0x7f);
      out.writeUInt16BE(header.sequenceNumber, 2);
      out.writeUInt32BE(header.timestamp, 4);
      out.writeUInt32BE(header.ssrc, 8);
    }
    payload.copy(out, headerLength);
    return out.subarray(0, this.protectRtpInPlace(out, headerLength, payloadEnd));
  }

  /**
   * Authenticates and decrypts an SRTP packet: header and plain payload in a new buffer. The stream's ROC
   * moves only for a packet that authenticated. Throws {@link SrtpAuthError} for a packet that is
   * malformed or fails authentication (its receiver drops those quietly).
   */
  unprotectRtp(packet: Buffer): Buffer {
    const tagAt = packet.length - this.rtpOverhead;
    const headerLength = rtpHeaderLength(packet, tagAt);
    if (headerLength < 0) throw authenticationFailed('SRTP');
    const b0 = packet[0]!;
    const ssrc = getUint32(packet, 8);
    const seq = packet.readUInt16BE(2);
    const counter = this.rolloverCounter(ssrc);
    const roc = counter.estimate(seq);
    const out = this.transform.unprotectRtp(packet, headerLength, ssrc, seq, roc);
    if (b0 & 0x20) {
      // Padding: the last byte counts the padding bytes, which must fit in the payload (as werift checks).
      const padding = out[out.length - 1]!;
      if (out.length <= headerLength || padding === 0 || padding > out.length - headerLength) {
        throw authenticationFailed('SRTP');
      }
    }
    counter.update(seq, roc);
    return out;
  }

  /** Protects an RTCP compound packet with the next SRTCP index of its first SSRC. */
  protectRtcp(rtcp: Buffer): Buffer {
    if (rtcp.length < 8) throw new RangeError('an RTCP packet has at least 8 bytes');
    const ssrc = getUint32(rtcp, 4);
    let index = (this.rtcpIndexes.get(ssrc) ?? 0) + 1;
    if (index > MAX_SRTCP_INDEX) index = 0;
    this.rtcpIndexes.set(ssrc, index);
    return this.transform.protectRtcp(rtcp, index);
  }

  /** Authenticates and decrypts an SRTCP packet. Throws {@link SrtpAuthError}. */
  unprotectRtcp(packet: Buffer): Buffer {
    return this.transform.unprotectRtcp(packet);
  }
}
