/**
 * Starts werift's DTLS client as soon as ICE connects. werift's RTCDtlsTransport waits a fixed 100 ms before
 * a DTLS client sends its ClientHello (webrtc/src/transport/dtls.js, `start()`), to give the peer time to start
 * its DTLS server. Against the SFU that time is never needed: the SFU starts its DTLS server in the same tick in
 * which it answers our nominating ICE check, before that answer can reach us — so the wait is pure delay, a
 * third of the time from `startPlayingStream` to the first frame. Should the hello ever be lost, werift's
 * handshake retransmission still repeats it.
 */
import type { EngineLogger } from '@parley/engine';
import { DtlsClient, type RTCDtlsTransport, type RTCPeerConnection } from 'werift';
import { guarded } from '../../guarded.js';
import { dtlsTransportsOf } from './dtlsTransports.js';

/**
 * Makes every DTLS transport of `pc` that ends up a client say hello at once. Call it when the transceivers
 * exist and before ICE can connect (after setting the local description). Returns the unsubscribers.
 */
export function startDtlsWithoutDelay(pc: RTCPeerConnection, log: EngineLogger): (() => void)[] {
  return dtlsTransportsOf(pc).map(
    (dtls) =>
      dtls.onStateChange.subscribe(
        guarded(log, 'the early DTLS start', (state) => {
          if (state !== 'connecting') return;
          // start() sets 'connecting', then creates the DtlsClient synchronously and only then waits: look at it
          // once start() has returned to the event loop. Should the hello fail, werift's own start says hello.
          queueMicrotask(guarded(log, 'the early DTLS hello', () => helloNow(dtls, log)));
        }),
      ).unSubscribe,
  );
}

function helloNow(transport: RTCDtlsTransport, log: EngineLogger): void {
  const client = transport.dtls;
  if (!(client instanceof DtlsClient)) return;
  const connecting = client.connect();
  // A handshake that fails before werift awaits this promise (in 100 ms) must not count as unhandled, which would
  // end the process; werift still sees the failure when it awaits it.
  connecting.catch((err: unknown) => {
    log.debug('the early DTLS handshake failed', { err: err instanceof Error ? err.message : String(err) });
  });
  // werift calls connect() itself after its 100 ms: by then it must not start a second handshake.
  client.connect = () => connecting;
}
