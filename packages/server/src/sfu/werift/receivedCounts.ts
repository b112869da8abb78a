/**
 * What werift's DTLS transport and ICE connection count for every datagram they pass on, for the paths that
 * take a peer's datagrams past them in the UDP mux (receiveInMux.ts, reportsInMux.ts).
 */
import type { RTCDtlsTransport } from 'werift';
import { iceConnectionOf, type WeriftReceiveCounts } from './shapes.js';

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
