/**
 * The adapter that puts {@link SrtpCryptoContext} under werift. werift 0.25.2 (pinned) protects every packet
 * through two objects of its `RTCDtlsTransport` (transport/dtls.ts):
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
import { dtlsChanged } from './senderFields.js';
import {
  replaceSrtpSessions,
  type SrtcpSessionMethods,
  type SrtpSessionMethods,
  srtpSessionsOf,
  type WeriftSrtpContextState,
} from './shapes.js';

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
 * Makes `dtls` use our SRTP contexts: at once if its SRTP already started, else when it connects. Returns
 * a function that cancels the pending swap. Idempotent.
 */
export function installFastSrtp(dtls: RTCDtlsTransport): () => void {
  if (dtls.srtpStarted) {
    swap(dtls);
    return () => {};
  }
  const sub = dtls.onStateChange.subscribe((state) => {
    if (state !== 'connected') return;
    sub.unSubscribe();
    swap(dtls);
  });
  return sub.unSubscribe;
}

function swap(dtls: RTCDtlsTransport): void {
  if (fastSrtpOf(dtls)) return;
  const { rtp, rtcp } = srtpSessionsOf(dtls);
  const config = rtp?.config;
  if (!config || !rtcp) return;
  const { keys, profile } = config;
  let fast: FastSrtp;
  try {
    fast = new FastSrtp(
      new SrtpCryptoContext(profile, keys.localMasterKey, keys.localMasterSalt),
      new SrtpCryptoContext(profile, keys.remoteMasterKey, keys.remoteMasterSalt),
    );
  } catch {
    return; // a profile we do not implement: werift's contexts keep working
  }
  carryOver(rtp.localContext, fast.local);
  carryOver(rtp.remoteContext, fast.remote);
  carryOver(rtcp.localContext, fast.local);
  carryOver(rtcp.remoteContext, fast.remote);
  replaceSrtpSessions(dtls, new RtpSessionAdapter(fast), new RtcpSessionAdapter(fast));
  dtlsChanged(dtls); // its fast paths read `srtp` when told
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
