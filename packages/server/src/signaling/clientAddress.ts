/**
 * The address a client is counted under by the per-address limits: the IP address its socket comes from or,
 * when that is a trusted reverse proxy, the address the proxy forwards for. IPv4-mapped IPv6 addresses count
 * as their IPv4 address, and IPv6 addresses by their /64 prefix: a single host is usually given a whole /64,
 * so counting its addresses one by one would hand it 2^64 budgets.
 */
import type { IncomingMessage } from 'node:http';
import { BlockList, isIP } from 'node:net';

/** Which peers are trusted reverse proxies. */
export class TrustedProxies {
  private readonly list = new BlockList();
  readonly isEmpty: boolean;

  /**
   * @param entries addresses (`"127.0.0.1"`, `"::1"`) or CIDR ranges (`"10.0.0.0/8"`).
   * @throws TypeError for an entry that is neither.
   */
  constructor(entries: readonly string[]) {
    this.isEmpty = entries.length === 0;
    for (const entry of entries) {
      const range = parseAddressRange(entry);
      if (range === null) {
        throw new TypeError(
          `limits.trustedProxies: ${JSON.stringify(entry)} is not an address or CIDR range`,
        );
      }
      const type = range.family === 4 ? 'ipv4' : 'ipv6';
      if (range.bits === null) this.list.addAddress(range.address, type);
      else this.list.addSubnet(range.address, range.bits, type);
    }
  }

  has(address: string): boolean {
    if (this.isEmpty) return false;
    const plain = unmapped(address);
    const family = isIP(plain);
    return family !== 0 && this.list.check(plain, family === 4 ? 'ipv4' : 'ipv6');
  }
}

/** An address (`"10.1.2.3"`, bits null) or a CIDR range (`"10.0.0.0/8"`), or null if `entry` is neither. */
export function parseAddressRange(
  entry: string,
): { address: string; bits: number | null; family: 4 | 6 } | null {
  const [address = '', prefix, extra] = entry.trim().split('/');
  const family = isIP(address);
  if (family === 0 || extra !== undefined) return null;
  const bits = prefix === undefined ? null : Number(prefix);
  if (bits !== null && !(/^\d{1,3}$/.test(prefix ?? '') && bits <= (family === 4 ? 32 : 128))) return null;
  return { address, bits, family: family === 4 ? 4 : 6 };
}

/** The key a request's client is counted under (see the file comment). */
export function clientAddress(req: IncomingMessage, proxies: TrustedProxies): string {
  return addressKey(forwardedAddress(req, proxies));
}

/**
 * The IP address a request comes from: its socket's peer or, when that is a trusted reverse proxy, the address
 * the proxy forwards for (as the peer's address, not yet reduced to a counting key).
 */
export function forwardedAddress(req: IncomingMessage, proxies: TrustedProxies): string {
  const peer = req.socket.remoteAddress ?? 'unknown';
  if (!proxies.has(peer)) return peer;
  const header = req.headers['x-forwarded-for'];
  const hops = (Array.isArray(header) ? header.join(',') : (header ?? '')).split(',');
  // Proxies append the address they got the request from, so the right end is the most trustworthy; the first
  // hop from the right that is not one of our proxies is the client. Anything left of it is the client's say.
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = hops[i]!.trim();
    if (isIP(unmapped(hop)) === 0) break;
    if (!proxies.has(hop)) return hop;
  }
  return peer;
}

/** The counting key of one IP address: IPv4 as it is, IPv6 as its /64 prefix, anything else unchanged. */
export function addressKey(address: string): string {
  const plain = unmapped(address);
  const family = isIP(plain);
  if (family === 4) return plain;
  if (family !== 6) return address;
  const [head = '', tail] = plain.split('::');
  const groups = (part: string): string[] =>
    part === '' ? [] : part.split(':').flatMap((g) => (g.includes('.') ? ['0', '0'] : [g]));
  const left = groups(head);
  const right = tail === undefined ? [] : groups(tail);
  const all = [
    ...left,
    ...new Array<string>(Math.max(0, 8 - left.length - right.length)).fill('0'),
    ...right,
  ];
  return `${all
    .slice(0, 4)
    .map((g) => Number.parseInt(g, 16).toString(16))
    .join(':')}::/64`;
}

/** `::ffff:1.2.3.4` → `1.2.3.4`; a zone (`fe80::1%eth0`) is dropped; other addresses are returned unchanged. */
export function unmapped(address: string): string {
  const plain = address.split('%')[0]!;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(plain);
  return mapped ? mapped[1]! : plain;
}
