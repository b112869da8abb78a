/**
 * @parley/rtp: the RTP and SRTP arithmetic Parley's SFU, Node SDK and bench share, with no I/O (no sockets,
 * no files, no clock: callers pass arrival times) and no RTP stack underneath (node:crypto only).
 *
 * - Sequence maths: wrap-around arithmetic on 16-bit sequence numbers and 32-bit timestamps, and the
 *   extended (cycle-counting) sequence number.
 * - Receiver statistics: RFC 3550's receiver-side figures of one stream (loss, fraction lost, jitter).
 * - SRTP: the cryptographic contexts of both protection profiles (RFC 3711, RFC 7714), key derivation and
 *   the rollover counter.
 */
export { rtpHeaderLength } from './header.js';
export {
  MISSING_WINDOW,
  ReceiverStatistics,
  type ReceptionReport,
} from './ReceiverStatistics.js';
export {
  extendSequence,
  randomSeq,
  randomTimestamp,
  seqAdd,
  seqDiff,
  seqNewer,
  sequenceDelta,
  tsAdd,
} from './sequence.js';
export type { KeystreamAhead } from './srtp/aesCounterMode.js';
export { HmacSha1 } from './srtp/hmacSha1.js';
export { deriveSessionKeys, type SrtpSessionKeys } from './srtp/keyDerivation.js';
export { RolloverCounter } from './srtp/rolloverCounter.js';
export { SrtpAuthError } from './srtp/SrtpAuthError.js';
export {
  type SerializableRtpHeader,
  SRTP_AEAD_AES_128_GCM,
  SRTP_AES128_CM_HMAC_SHA1_80,
  SrtpCryptoContext,
  type SrtpProfileId,
  SrtpStream,
} from './srtp/SrtpCryptoContext.js';
