/**
 * The SFU's SRTP under werift: @parley/werift-srtp's contexts (libsrtp's packet index, and cheaper per packet
 * than werift's), installed on each transport once DTLS is up. The SFU's fast paths read `dtls.srtp`, so they
 * are told when it changes ({@link dtlsChanged}).
 */
import { installFastSrtp as install } from '@parley/werift-srtp';
import type { RTCDtlsTransport } from 'werift';
import { dtlsChanged } from './senderFields.js';

export { type FastSrtp, fastSrtpOf } from '@parley/werift-srtp';

/** Makes `dtls` use the SFU's SRTP contexts once DTLS is up; returns a function that cancels the pending swap. */
export function installFastSrtp(dtls: RTCDtlsTransport): () => void {
  return install(dtls, (installed) => {
    if (installed) dtlsChanged(dtls);
  });
}
