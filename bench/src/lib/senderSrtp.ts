/**
 * How the bench's senders (the light publishers, lib/lightSender.ts, and the baseline's endpoints,
 * lib/baseline.ts) protect what they send: a plain RTP packet with a 12-byte header (no CSRC, no extension:
 * the bench negotiates none) sealed by `@parley/rtp`'s SRTP context, the one the SFU and the baseline relay
 * use, in the profile the DTLS handshake agreed on (AES_CM_128_HMAC_SHA1_80 or AEAD_AES_128_GCM). Each
 * stream's rollover counter follows its sequence numbers, so a stream that wraps goes on authenticating.
 * Its correctness against RFC 3711, RFC 7714 and werift is `@parley/rtp`'s tests' business.
 */
import { SrtpCryptoContext } from '@parley/rtp';

/** The header fields of one packet the bench sends. */
export interface RtpFields {
  payloadType: number;
  sequenceNumber: number;
  timestamp: number;
  ssrc: number;
  marker?: boolean;
}

/** The 12-byte RTP header (RFC 3550 §5.1: version 2, no padding, no extension, no CSRC) of `fields`. */
export function rtpHeader({
  payloadType,
  sequenceNumber,
  timestamp,
  ssrc,
  marker = false,
}: RtpFields): Buffer {
  const header = Buffer.allocUnsafe(12);
  header[0] = 0x80;
  header[1] = (marker ? 0x80 : 0) | (payloadType & 0x7f);
  header.writeUInt16BE(sequenceNumber & 0xffff, 2);
  header.writeUInt32BE(timestamp >>> 0, 4);
  header.writeUInt32BE(ssrc >>> 0, 8);
  return header;
}

/** One sending direction of an SRTP session: every SSRC protected with one master key and salt. */
export class SenderSrtp {
  private readonly context: SrtpCryptoContext;

  /** `profile`: as werift numbers it (1 AES-CM, 7 AES-GCM); `masterSalt` 14 bytes (AES-CM) or 12 (GCM). */
  constructor(profile: number, masterKey: Uint8Array, masterSalt: Uint8Array) {
    this.context = new SrtpCryptoContext(profile, masterKey, masterSalt);
  }

  /** The SRTP packet of `fields` and `payload`, in a new buffer. */
  protect(fields: RtpFields, payload: Buffer): Buffer {
    return this.context.protectRtpCopy(rtpHeader(fields), payload, this.context.stream(fields.ssrc >>> 0));
  }
}
