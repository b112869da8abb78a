/**
 * The private parts of werift's SRTP sessions this package reads and replaces, declared once. werift 0.25.2
 * (pinned) keeps them out of its typings. The SFU checks at start-up that they are still there
 * (@parley/server's checkWeriftShapes.ts); should one be gone, {@link installFastSrtp} leaves werift's own
 * contexts in place rather than break the connection.
 */
import type { RTCDtlsTransport, RtpHeader, SrtcpSession, SrtpSession } from 'werift';

/** Per-SSRC state of werift's SRTP `Context` (rtp/src/srtp/context/context.ts). */
export interface WeriftSrtpContextState {
  srtpSSRCStates?: Record<
    number,
    { rolloverCounter: number; lastSequenceNumber: number; rolloverHasProcessed?: boolean }
  >;
  srtcpSSRCStates?: Record<number, { srtcpIndex: number }>;
}

/** The parts of werift's `SrtpSession` / `SrtcpSession` read here (`Session` in rtp/src/srtp/session.ts). */
export interface WeriftSrtpSession {
  config?: {
    keys: {
      localMasterKey: Buffer;
      localMasterSalt: Buffer;
      remoteMasterKey: Buffer;
      remoteMasterSalt: Buffer;
    };
    profile: number;
  };
  localContext?: WeriftSrtpContextState;
  remoteContext?: WeriftSrtpContextState;
}

/** What werift's DTLS transport calls on `dtls.srtp`, the only methods it calls. */
export interface SrtpSessionMethods {
  encrypt(payload: Buffer, header: RtpHeader): Buffer;
  decrypt(buffer: Buffer): Buffer;
}

/** What werift's DTLS transport calls on `dtls.srtcp`, the only methods it calls. */
export interface SrtcpSessionMethods {
  encrypt(rtcp: Buffer): Buffer;
  decrypt(buffer: Buffer): Buffer;
}

/** werift's SRTP and SRTCP sessions of `dtls` (undefined before DTLS is up), with their private state. */
export function srtpSessionsOf(dtls: RTCDtlsTransport): {
  rtp: WeriftSrtpSession | undefined;
  rtcp: WeriftSrtpSession | undefined;
} {
  return {
    rtp: dtls.srtp as unknown as WeriftSrtpSession | undefined,
    rtcp: dtls.srtcp as unknown as WeriftSrtpSession | undefined,
  };
}

/**
 * Puts objects with werift's session methods in place of `dtls`'s SRTP and SRTCP sessions: werift looks both
 * up on each packet and calls only `encrypt` and `decrypt` on them.
 */
export function replaceSrtpSessions(
  dtls: RTCDtlsTransport,
  rtp: SrtpSessionMethods,
  rtcp: SrtcpSessionMethods,
): void {
  dtls.srtp = rtp as unknown as SrtpSession;
  dtls.srtcp = rtcp as unknown as SrtcpSession;
}
