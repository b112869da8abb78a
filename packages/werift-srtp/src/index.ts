/**
 * @parley/werift-srtp: @parley/rtp's SRTP contexts under werift's DTLS transport, in place of werift's own.
 * The SFU's transports and the Node SDK's connections install them once DTLS is up (see installFastSrtp.ts
 * for why).
 */
export { FastSrtp, fastSrtpOf, installFastSrtp } from './installFastSrtp.js';
export {
  replaceSrtpSessions,
  type SrtcpSessionMethods,
  type SrtpSessionMethods,
  srtpSessionsOf,
  type WeriftSrtpContextState,
  type WeriftSrtpSession,
} from './sessionShapes.js';
