/**
 * The adapter that puts @parley/rtp's {@link SrtpCryptoContext} under werift, in the SFU and in the Node SDK
 * alike. Two reasons:
 * - werift's own context guesses each packet's rollover counter with a 100-packet heuristic. A jump of 100 or
 *   more sequence numbers across a wrap (a publisher's upstream cut for 2 s of audio, as the SFU forwards its
 *   stream with the gap) leaves its guess one behind; the packet fails authentication, werift keeps its old
 *   state, and so does every later packet: the stream is gone for good. Ours estimates as libsrtp does
 *   (RFC 3711 Appendix A; @parley/rtp's rolloverCounter.ts).
 * - Ours costs less per packet (the SFU's hot path; see @parley/rtp's SrtpCryptoContext.ts).
 *
 * werift 0.25.2 (pinned) protects every packet through two objects of its `RTCDtlsTransport`
 * (transport/dtls.ts):
 * - `dtls.srtp`  (`SrtpSession`):  `encrypt(payload, header)` in `sendRtp`, `decrypt(buffer)` for incoming RTP;
 * - `dtls.srtcp` (`SrtcpSession`): `encrypt(rtcp)` in `sendRtcp`, `decrypt(buffer)` for incoming RTCP.
 * It creates both in `updateSrtpSession()` (from `startSrtp()`, once DTLS is up) and only ever calls those
 * four methods, looked up on each packet. So the narrowest hook is to replace the two objects, right after
 * werift created them, with objects that have the same four methods over our contexts, built from the same
 * master keys (`SrtpSession.config`). werift's classes are untouched. Our contexts throw @parley/rtp's
 * `SrtpAuthError` for a packet that fails authentication; the adapters rethrow it as werift's own
 * `SrtpAuthenticationError`, the only error on which werift's transport drops a packet quietly (any other
 * escapes its socket handler).
 *
 * The swap happens on the transport's `connected` state, which werift sets synchronously after
 * `startSrtp()`: no packet has gone through werift's contexts yet. Should one have, its rollover counters and
 * SRTCP indexes are carried over.
 */
import { SrtpAuthError, SrtpCryptoContext } from '@parley/rtp';
import { type RTCDtlsTransport, type RtpHeader, SrtpAuthenticationError } from 'werift';
import {
  replaceSrtpSessions,
  type SrtcpSessionMethods,
  type SrtpSessionMethods,
  srtpSessionsOf,
  type WeriftSrtpContextState,
} from './sessionShapes.js';

/** Both directions of a transport's SRTP: what we protect with (local) and unprotect with (remote). */
export class FastSrtp {
  constructor(
    readonly local: SrtpCryptoContext,
    readonly remote: SrtpCryptoContext,
  ) {}
}

/** Stands in for werift's `SrtpSession`. */
class RtpSessionAdapter implements SrtpSessionMethods {
  constructor(readonly fast: FastSrtp) {}
  encrypt(payload: Buffer, header: RtpHeader): Buffer {
    return this.fast.local.protectRtp(header, payload);
  }
  decrypt(buffer: Buffer): Buffer {
    try {
      return this.fast.remote.unprotectRtp(buffer);
    } catch (e) {
      throw asWeriftError(e);
    }
  }
}

/** Stands in for werift's `SrtcpSession`. */
class RtcpSessionAdapter implements SrtcpSessionMethods {
  constructor(readonly fast: FastSrtp) {}
  encrypt(rtcp: Buffer): Buffer {
    return this.fast.local.protectRtcp(rtcp);
  }
  decrypt(buffer: Buffer): Buffer {
    try {
      return this.fast.remote.unprotectRtcp(buffer);
    } catch (e) {
      throw asWeriftError(e);
    }
  }
}

/** werift's error for a packet that failed authentication (which it drops quietly); other errors as they are. */
function asWeriftError(e: unknown): unknown {
  return e instanceof SrtpAuthError ? new SrtpAuthenticationError(e.message) : e;
}

/**
 * Our SRTP contexts of `dtls`, once installed and DTLS is up; null before, or if werift's session could not
 * be read (then werift's own contexts stay in place).
 */
export function fastSrtpOf(dtls: RTCDtlsTransport): FastSrtp | null {
  const srtp: unknown = dtls.srtp;
  return srtp instanceof RtpSessionAdapter ? srtp.fast : null;
}

/**
 * Makes `dtls` use our SRTP contexts: at once if its SRTP already started, else when it connects. Then calls
 * `settled` with whether ours are in place: false leaves werift's own contexts (its sessions were not where
 * they are read here, or a profile we do not implement). Returns a function that cancels the pending swap.
 * Idempotent.
 */
export function installFastSrtp(
  dtls: RTCDtlsTransport,
  settled: (installed: boolean) => void = () => {},
): () => void {
  if (dtls.srtpStarted) {
    settled(swap(dtls));
    return () => {};
  }
  const sub = dtls.onStateChange.subscribe((state) => {
    if (state !== 'connected') return;
    sub.unSubscribe();
    settled(swap(dtls));
  });
  return sub.unSubscribe;
}

/** Puts our contexts in place of werift's; true if they are (now or already). */
function swap(dtls: RTCDtlsTransport): boolean {
  if (fastSrtpOf(dtls)) return true;
  const { rtp, rtcp } = srtpSessionsOf(dtls);
  const config = rtp?.config;
  if (!config || !rtcp) return false;
  const { keys, profile } = config;
  let fast: FastSrtp;
  try {
    fast = new FastSrtp(
      new SrtpCryptoContext(profile, keys.localMasterKey, keys.localMasterSalt),
      new SrtpCryptoContext(profile, keys.remoteMasterKey, keys.remoteMasterSalt),
    );
  } catch {
    return false; // a profile we do not implement: werift's contexts keep working
  }
  carryOver(rtp.localContext, fast.local);
  carryOver(rtp.remoteContext, fast.remote);
  carryOver(rtcp.localContext, fast.local);
  carryOver(rtcp.remoteContext, fast.remote);
  replaceSrtpSessions(dtls, new RtpSessionAdapter(fast), new RtcpSessionAdapter(fast));
  return true;
}

/** Continues the streams werift's context has already seen. */
function carryOver(from: WeriftSrtpContextState | undefined, to: SrtpCryptoContext): void {
  for (const [ssrc, s] of Object.entries(from?.srtpSSRCStates ?? {})) {
    if (!s.rolloverHasProcessed) continue;
    to.rolloverCounter(Number(ssrc)).update(s.lastSequenceNumber, s.rolloverCounter);
  }
  for (const [ssrc, s] of Object.entries(from?.srtcpSSRCStates ?? {})) {
    to.setRtcpIndex(Number(ssrc), s.srtcpIndex);
  }
}
