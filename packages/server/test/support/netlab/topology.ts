/**
 * The lab's network plan. Every address comes from 198.18.0.0/15, the block RFC 2544 reserves for benchmark
 * labs, so nothing in the lab can collide with, or be mistaken for, a real network.
 *
 *                  LAN 198.18.0.0/24 (a bridge in its own namespace)
 *     ┌─────────────┬──────────────┬─────────────────────┬──────────────────────┐
 *   server        lan          natRouter               fwRouter
 *   198.18.0.1    198.18.0.2   198.18.0.3              198.18.0.4
 *   (Parley,                   │ masquerades           │ masquerades; forwards only new TCP to the
 *    coturn)                   │                       │ server on the allowed ports; drops all UDP
 *                              natted 198.19.1.2       firewalled 198.19.2.2
 *                              (198.19.1.0/24)         (198.19.2.0/24)
 *
 * The server and the LAN client have no default route and no route to 198.19.0.0/16: a client behind a
 * router is reachable only through the mapping its router made, as on the Internet.
 */

/** The hosts of the lab. */
export type HostName = 'server' | 'lan' | 'natRouter' | 'natted' | 'fwRouter' | 'firewalled';

export const HOST_NAMES: readonly HostName[] = [
  'server',
  'lan',
  'natRouter',
  'natted',
  'fwRouter',
  'firewalled',
];

/** The LAN every host but the two router-hidden clients is on. */
export const LAN_PREFIX = 24;

/** Each host's address: on the LAN for the server, the LAN client and the routers' WAN sides. */
export const ADDRESSES: Readonly<Record<HostName, string>> = {
  server: '198.18.0.1',
  lan: '198.18.0.2',
  natRouter: '198.18.0.3',
  fwRouter: '198.18.0.4',
  natted: '198.19.1.2',
  firewalled: '198.19.2.2',
};

/** A router, the client behind it and the private link between them. */
export interface RoutedClient {
  router: 'natRouter' | 'fwRouter';
  client: 'natted' | 'firewalled';
  /** The router's address on the private link: the client's gateway. */
  gateway: string;
  prefix: number;
}

export const ROUTED: readonly RoutedClient[] = [
  { router: 'natRouter', client: 'natted', gateway: '198.19.1.1', prefix: 24 },
  { router: 'fwRouter', client: 'firewalled', gateway: '198.19.2.1', prefix: 24 },
];

/** The hosts plugged into the LAN bridge. */
export const ON_LAN: readonly HostName[] = ['server', 'lan', 'natRouter', 'fwRouter'];

/** True if `ip` is an IPv4 address in 198.18.0.0/15. */
export function inBenchmarkRange(ip: string): boolean {
  const parts = ip.split('.').map(Number);
  return (
    parts.length === 4 &&
    parts.every((p) => Number.isInteger(p) && p >= 0 && p <= 255) &&
    parts[0] === 198 &&
    (parts[1] === 18 || parts[1] === 19)
  );
}

// The plan is data: check it once, so an edit that strays outside the benchmark block fails at load time.
for (const ip of [...Object.values(ADDRESSES), ...ROUTED.map((r) => r.gateway)])
  if (!inBenchmarkRange(ip)) throw new Error(`lab address ${ip} is outside 198.18.0.0/15`);
