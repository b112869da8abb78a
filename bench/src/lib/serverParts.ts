/**
 * What the bench takes from the server beyond its public API, in one place: the SRTP contexts its baseline
 * relay forwards with, the synchronous UDP sends of the SFU, and the server's garbage-collector setting. They
 * come from `@parley/server/bench`, an entry point the server keeps for the bench alone, so that the relay
 * measures the same SRTP and socket path as Parley. When the SRTP contexts move to `@parley/rtp`, only this
 * file changes.
 */
export {
  makeSendsSynchronous,
  SRTP_AEAD_AES_128_GCM,
  SRTP_AES128_CM_HMAC_SHA1_80,
  SrtpCryptoContext,
  type SrtpProfileId,
  tuneHeapForForwarding,
} from '@parley/server/bench';
