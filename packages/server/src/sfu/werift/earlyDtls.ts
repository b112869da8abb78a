/**
 * Keeps the DTLS records a player sends before the SFU's DTLS server exists, and hands them to it when it
 * starts, so the handshake does not wait for the client's retransmission.
 *
 * A browser that answers the SFU's offer starts ICE as soon as it has applied its own answer: its first check
 * reaches the SFU before the answer does (werift answers such early checks), and its ClientHello follows a few
 * milliseconds after the check's response — while the answer is still on its way through signaling. werift
 * creates its DTLS server only once the answer is applied and ICE has connected, and drops what came before:
 * in a player's timeline the ClientHello arrived 10 ms before the answer, and the handshake began with the
 * browser's retransmission 60 ms later. With this the kept ClientHello is read when the server starts.
 */
import type { RTCDtlsTransport } from 'werift';
import { iceDataOf } from './shapes.js';

/**
 * Bytes kept at most: one datagram of a ClientHello (a few hundred bytes; a fragmented or oversized one is
 * left to the client's retransmission).
 */
const MAX_BYTES = 2048;

/** A DTLS record's first byte (content type 20–63, RFC 9443 §3: the demultiplexing of DTLS). */
const isDtls = (data: Buffer): boolean => data.length > 13 && data[0]! >= 20 && data[0]! <= 63;

/**
 * From now until `dtls` starts its handshake, keeps the newest DTLS datagram its ICE connection receives and
 * hands it to the DTLS server then. Only for the DTLS server role (the SFU's, `a=setup:passive` or answered
 * `active`); a client speaks first and needs nothing kept. Returns the function that stops it.
 */
export function keepEarlyDtls(dtls: RTCDtlsTransport): () => void {
  const ice = iceDataOf(dtls);
  // Only the newest datagram: a client that waited long for the answer may have sent its ClientHello again,
  // and werift's server answers each cookie-less ClientHello with a new cookie (HelloVerifyRequest), so two
  // handed on at once would leave the client answering a stale cookie.
  let kept: Buffer | null = null;
  const data = ice.onData.subscribe((buf) => {
    if (dtls.state !== 'new' || !isDtls(buf) || buf.length > MAX_BYTES) return;
    kept = buf;
  });
  const state = dtls.onStateChange.subscribe((s) => {
    if (s === 'new') return;
    stop();
    const record = kept;
    kept = null;
    if (s !== 'connecting' || dtls.role !== 'server' || record === null) return;
    // werift sets `connecting` just before it creates the DTLS server, in the same synchronous run: by the next
    // microtask the server listens to the ICE connection.
    queueMicrotask(() => ice.onData.execute(record));
  });
  const stop = (): void => {
    data.unSubscribe();
    state.unSubscribe();
  };
  return stop;
}
