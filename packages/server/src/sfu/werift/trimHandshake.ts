/**
 * Drops what werift's DTLS server keeps of a finished handshake but never reads again, once it is connected.
 *
 * A heap snapshot of 60 audio players (one transport each) counted about 8 KiB per transport in three parts of
 * werift's DTLS session that only the handshake uses: the handshake messages of both sides (`handshakeCache`,
 * ~4 KiB with their fragments, kept to compute the Finished messages' verify data), the SFU's private key
 * parsed into a tree of ASN.1 objects per transport (`cipher.localPrivateKey`, ~2.3 KiB, to sign the
 * ServerKeyExchange), and the hello extensions a DTLS client would offer (`extensions`, ~0.9 KiB, which a
 * server never sends); the ephemeral ECDHE key pairs go too (their private half is best not kept anyway).
 * Measured the same way after the trim: 7.9 KiB less per transport (6.0 KiB of heap, and 1.9 KiB outside it,
 * as the buffer unpoolHandshake.ts packs the kept bytes into shrinks from ~2.1 KiB to what remains).
 *
 * What werift 0.25.2's server (dtls/src/server.ts, flight6.ts) still does once connected, and why this keeps it:
 * - A retransmitted Finished (the client missed the server's last flight) is answered by resending `lastMessage`,
 *   after checking that the cache holds the client's key exchange (and its certificate and CertificateVerify)
 *   by message type: the cache keeps one small entry per message, with its type and sequence number only.
 * - A retransmitted Certificate, ClientKeyExchange or CertificateVerify is ignored once connected.
 * - A new ClientHello starts over (`renegotiation()`): a new DTLS context and cipher, built from the transport's
 *   certificate and key, and no extensions; nothing dropped here is read by it.
 * Application data and alerts use the record cipher (`cipher.cipher`), the SRTP keys come from the master secret
 * and the randoms, and the statistics read the remote certificate: all of them stay.
 */
import { DtlsServer, type RTCDtlsTransport } from 'werift';
import { dtlsSessionOf, type WeriftDtlsServerState } from './shapes.js';

/** werift's server has sent its last flight (flight 6) when its handshake is done. */
const LAST_SERVER_FLIGHT = 6;

/**
 * Trims `dtls`'s finished DTLS server session (see the file's comment); returns whether it did. A session that
 * is not a connected server (a DTLS client, a handshake under way) is left as it is. Call it before
 * unpoolHandshake, so that the buffers it packs are only the ones still needed.
 */
export function trimFinishedHandshake(dtls: RTCDtlsTransport): boolean {
  const session = dtlsSessionOf(dtls);
  if (!(session instanceof DtlsServer)) return false;
  const server = session as unknown as WeriftDtlsServerState;
  if (!server.connected || server.dtls.flight !== LAST_SERVER_FLIGHT) return false;
  for (const flight of Object.values(server.dtls.handshakeCache)) {
    // What werift still reads of a cached message once connected: its type and its place in the flight.
    flight.data = flight.data.map((h) => ({ msg_type: h.msg_type, message_seq: h.message_seq }));
  }
  server.cipher.localPrivateKey = undefined;
  server.cipher.localKeyPair = undefined;
  server.cipher.remoteKeyPair = undefined;
  server.extensions = [];
  return true;
}
