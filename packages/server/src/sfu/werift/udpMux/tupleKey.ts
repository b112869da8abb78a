/**
 * The key of a remote address in the mux's tuple table. The table is read once per received datagram, the
 * hottest path of the media plane, so the key is made by hand: for IPv4 a number, the four octets and the
 * port packed into 48 bits (exact in a double), parsed from Node's dotted-quad `rinfo.address` without
 * allocating. A string key (`${address}:${port}`) would build and hash a new string for every packet; a
 * number hashes in a few instructions. IPv6 addresses are rare enough on a media socket to key by string.
 * The local side of the 5-tuple is the mux socket itself (one table per socket) and the protocol is UDP, so
 * the remote address and port are the whole 5-tuple.
 */

/** The key of `address`:`port` on an IPv4 socket (Node gives `address` as a dotted quad). */
export function ipv4TupleKey(address: string, port: number): number {
  let ip = 0;
  let octet = 0;
  for (let i = 0; i < address.length; i++) {
    const c = address.charCodeAt(i);
    if (c === 46) {
      ip = ip * 256 + octet;
      octet = 0;
    } else {
      octet = octet * 10 + (c - 48);
    }
  }
  return (ip * 256 + octet) * 65536 + port;
}

/** The key of `address`:`port` on an IPv6 socket. */
export function ipv6TupleKey(address: string, port: number): string {
  return `${address}#${port}`;
}
