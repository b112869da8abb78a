/**
 * `@parley/server/bench`: the few server internals the benchmark tool (`@parley/bench`) measures against, and
 * nothing else. The bench's baseline relay must forward with exactly the server's SRTP, its synchronous UDP
 * sends and its garbage-collector setting, so that the ratio of Parley to the relay measures everything else
 * the server does per packet; its light publishers send through the same synchronous lookup as the SFU. These
 * are not part of the server's API for applications (the root export), and this entry point loads none of the
 * SFU, signaling or werift, so the relay's process stays as small as the forwarder it stands for.
 */
export { tuneHeapForForwarding } from './heapTuning.js';
// The SRTP contexts live in `@parley/rtp` (issue 18); the bench still takes them from here.
export {
  SRTP_AEAD_AES_128_GCM,
  SRTP_AES128_CM_HMAC_SHA1_80,
  SrtpCryptoContext,
  type SrtpProfileId,
} from '@parley/rtp';
export { makeSendsSynchronous } from './sfu/syncUdpSend.js';
