/**
 * Which addresses the SFU announces to clients and binds its media sockets to, when the configuration does not
 * say: loopback for a server that listens on loopback, otherwise every address of this machine's interfaces.
 * Never a public address the machine does not have: behind 1:1 NAT it must be announced by hand.
 */
import { isIPv4, isIPv6 } from 'node:net';
import { type NetworkInterfaceInfo, networkInterfaces } from 'node:os';

/** Where the media plane's addresses came from. */
export type AnnouncedOrigin = 'configured' | 'loopback' | 'interfaces';

/** The media plane's addresses, resolved. */
export interface MediaAddresses {
  /** Announced as ICE candidates, in order. */
  announced: string[];
  origin: AnnouncedOrigin;
  /** What the IPv4 media sockets bind to; null binds every interface. */
  bindAddress: string | null;
  /**
   * The STUN responder, one socket: on the first IPv4 announced address if there is one (bound as the media
   * sockets are), else on the first IPv6 one (bound to every IPv6 interface).
   */
  stun: { announcedAddress: string; bindAddress: string };
}

/**
 * Resolves the media addresses from the listening host and the `media` settings.
 * @param interfaces this machine's interfaces, as `os.networkInterfaces()` returns them.
 * @example
 * mediaAddresses('0.0.0.0', {}).announced; // ['192.168.1.20'] (every interface address)
 */
export function mediaAddresses(
  host: string,
  media: { announcedAddresses?: string[] | undefined; bindAddress?: string | undefined },
  interfaces: NodeJS.Dict<NetworkInterfaceInfo[]> = networkInterfaces(),
): MediaAddresses {
  let announced: string[];
  let origin: AnnouncedOrigin;
  if (media.announcedAddresses !== undefined) {
    announced = [...media.announcedAddresses];
    origin = 'configured';
  } else {
    const found = isLoopbackHost(host) ? [] : interfaceAddresses(interfaces);
    // A machine without any other interface still serves itself.
    announced = found.length > 0 ? found : ['127.0.0.1'];
    origin = found.length > 0 ? 'interfaces' : 'loopback';
  }
  const bindAddress = media.bindAddress ?? (announced.every(isLoopbackAddress) ? '127.0.0.1' : null);
  const stunAddress = announced.find((a) => isIPv4(a)) ?? announced[0]!;
  const stun = {
    announcedAddress: stunAddress,
    bindAddress: isIPv4(stunAddress) ? (bindAddress ?? '0.0.0.0') : '::',
  };
  return { announced, origin, bindAddress, stun };
}

/** True for `localhost` and loopback addresses (127.0.0.0/8, ::1). */
export function isLoopbackHost(host: string): boolean {
  return host.toLowerCase() === 'localhost' || isLoopbackAddress(host);
}

function isLoopbackAddress(address: string): boolean {
  if (isIPv4(address)) return address.startsWith('127.');
  if (!isIPv6(address)) return false;
  const lower = address.toLowerCase();
  return lower === '::1' || lower.startsWith('::ffff:127.');
}

/** The IPv4, then the IPv6 addresses of the non-loopback interfaces; IPv6 link-local ones (fe80::/10) left out. */
export function interfaceAddresses(interfaces: NodeJS.Dict<NetworkInterfaceInfo[]>): string[] {
  const all = Object.values(interfaces)
    .flatMap((list) => list ?? [])
    .filter((info) => !info.internal && !isLoopbackAddress(info.address));
  const v4 = all.filter((info) => info.family === 'IPv4').map((info) => info.address);
  const v6 = all
    .filter((info) => info.family === 'IPv6' && !/^fe[89ab]/i.test(info.address))
    .map((info) => info.address);
  return [...new Set([...v4, ...v6])];
}
