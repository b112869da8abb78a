/**
 * Sending a packet the way werift's ICE connection does, without its three async layers per packet. The
 * forwarding fast path ({@link FastRtpSender}) and the sender reports ({@link SenderReports}) send through
 * their transport's {@link PairRoute}, which uses this whenever it cannot send straight to the pair's socket.
 */
import type { WeriftIceConnection } from './shapes.js';
import { makeSendsSynchronous } from './syncUdpSend.js';

const ignore = (): void => {};

/**
 * Sends `packet` as werift's `connection.send` would: straight on the UDP socket of the pair in use, before
 * this returns ({@link makeSendsSynchronous}); over TCP, or before a pair is nominated, through werift.
 */
export function sendOnPair(connection: WeriftIceConnection, packet: Buffer): void {
  const pair = connection.nominated;
  const udp = pair?.protocol.transport;
  if (!pair || udp?.type !== 'udp' || !udp.socket) {
    connection.send(packet).catch(ignore); // TCP, or no pair yet: werift's way
    return;
  }
  if (udp.closed || !connection.canSendApplicationData()) return;
  makeSendsSynchronous(udp.socket);
  const remote = pair.remoteCandidate;
  try {
    // No callback: a failed send is a lost packet, as on the wire. Without one Node reports no send error
    // (only a failed lookup, which an IP literal cannot have), and queues no tick per packet for it.
    udp.socket.send(packet, remote.port, remote.host);
  } catch {
    return; // the socket closed under us
  }
  pair.packetsSent += 1;
  pair.bytesSent += packet.length;
}
