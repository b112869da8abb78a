/**
 * What the paths that take a peer's datagrams past werift in the UDP mux (receiveInMux.ts for a publisher's
 * RTP, reportsInMux.ts for a player's RTCP) share: their installation on the mux transports of a DTLS
 * transport's ICE connection, and the counters werift's DTLS transport and ICE connection keep for every
 * datagram they pass on.
 */
import type { RTCDtlsTransport } from 'werift';
import { answeringIceOf, iceConnectionOf, type WeriftReceiveCounts } from './shapes.js';
import { type MuxMediaReceiver, MuxTransport } from './udpMux/MuxTransport.js';

/**
 * Gives each UDP mux transport of `dtls`'s ICE connection the receiver `make` builds for its ICE protocol.
 * Returns the function that takes them away again (those still in place).
 */
export function installInMux(
  dtls: RTCDtlsTransport,
  make: (protocol: unknown) => MuxMediaReceiver,
): () => void {
  const installed: [MuxTransport, MuxMediaReceiver][] = [];
  for (const protocol of answeringIceOf(dtls).protocols) {
    const transport = protocol.transport;
    if (!(transport instanceof MuxTransport)) continue;
    const receiver = make(protocol);
    transport.mediaReceiver = receiver;
    installed.push([transport, receiver]);
  }
  return () => {
    for (const [transport, receiver] of installed) {
      if (transport.mediaReceiver === receiver) transport.mediaReceiver = null;
    }
  };
}

/** Counts a datagram of `length` bytes received on `protocol` (an ICE protocol of `dtls`'s connection). */
export function countReceived(dtls: RTCDtlsTransport, protocol: unknown, length: number): void {
  const counts = dtls as unknown as WeriftReceiveCounts;
  counts.bytesReceived += length;
  counts.packetsReceived += 1;
  const pair = iceConnectionOf(dtls).nominated as (WeriftReceiveCounts & { protocol: unknown }) | undefined;
  if (pair !== undefined && pair.protocol === protocol) {
    pair.packetsReceived += 1;
    pair.bytesReceived += length;
  }
}
