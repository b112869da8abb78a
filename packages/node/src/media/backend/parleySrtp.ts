/**
 * The SFU's SRTP contexts (@parley/werift-srtp) under a connection's werift, in place of werift's own. werift's
 * context guesses each packet's rollover counter from the last sequence number alone, within 100 of the wrap:
 * after a gap of 100 or more packets across the wrap (a publisher's upstream cut for 2 s of audio, which the SFU
 * forwards as it is) its guess stays one behind, every later packet fails authentication, and the stream is
 * gone for good. Ours estimates as libsrtp does.
 */
import type { EngineLogger } from '@parley/engine';
import { installFastSrtp } from '@parley/werift-srtp';
import type { RTCPeerConnection } from 'werift';
import { guarded } from '../../guarded.js';
import { dtlsTransportsOf } from './dtlsTransports.js';

/**
 * Puts our contexts under every DTLS transport of `pc` as soon as its DTLS is up, before any packet goes through
 * werift's (as the SFU does). Call it once the transceivers exist. Warns for a transport whose werift sessions
 * are not where the adapter reads them (a werift whose private shapes moved): that transport keeps werift's
 * contexts. Returns the unsubscribers of the pending swaps.
 */
export function useParleySrtp(pc: RTCPeerConnection, log: EngineLogger): (() => void)[] {
  return dtlsTransportsOf(pc).map((dtls) =>
    installFastSrtp(
      dtls,
      guarded(log, 'the SRTP install', (installed: boolean) => {
        if (installed) return;
        log.warn(
          "werift's SRTP sessions are not where @parley/werift-srtp reads them: this connection keeps werift's " +
            'own SRTP, which loses a stream for good after a gap of 100 or more packets across a sequence wrap',
        );
      }),
    ),
  );
}
