/**
 * Makes a dgram socket's sends to an IP address leave synchronously. Node's `socket.send(buf, port, address)`
 * on an unconnected socket first resolves `address` through the socket handle's `lookup`, which is
 * `dns.lookup`; for an IP literal that answers on the next tick. So a fan-out loop that sends one packet to
 * each of N players hands the kernel nothing until the loop has ended: the first player waits for all N
 * packets to be sealed, and every send costs a queued tick and a closure. A lookup that answers IP literals
 * at once (anything else still goes to `dns.lookup`) lets each packet reach the kernel as soon as it is
 * sealed — what an SFU written in C does. Node gives no public option for this on a socket somebody else
 * created (werift creates the ICE sockets), so this reaches the handle through the socket's internal state
 * (Node 20: the `state symbol` property, `handle.lookup(address, callback)`); if that shape is not there,
 * the socket is left as it is and sends stay correct, one tick later.
 */
import type { Socket } from 'node:dgram';
import { isIP } from 'node:net';

type LookupCallback = (error: Error | null, address?: string, family?: number) => void;
interface UdpHandle {
  lookup: (address: string, callback: LookupCallback) => unknown;
}

const patched = new WeakSet<Socket>();

/** Addresses whose family a socket's lookup remembers (far more than the players of one node). */
const MAX_CACHED_ADDRESSES = 65_536;

/**
 * The socket's internal state (Node 20: under the `state symbol` property), whose `handle` is the libuv
 * handle wrapper while the socket is open and null once it closed; undefined when this Node keeps no such
 * state where we look.
 */
export function socketStateOf(socket: Socket): { handle?: unknown } | undefined {
  const key = Object.getOwnPropertySymbols(socket).find((s) => s.description === 'state symbol');
  if (key === undefined) return undefined;
  return (socket as unknown as Record<symbol, { handle?: unknown } | undefined>)[key];
}

/** The socket's libuv handle wrapper, or null when this Node does not keep it where we look. */
function handleOf(socket: Socket): UdpHandle | null {
  const handle = socketStateOf(socket)?.handle as UdpHandle | null | undefined;
  return handle && typeof handle.lookup === 'function' ? handle : null;
}

/**
 * Installs the immediate lookup on `socket` (once; later calls are no-ops). Returns whether sends on it are
 * now synchronous.
 */
export function makeSendsSynchronous(socket: Socket): boolean {
  if (patched.has(socket)) return true;
  const handle = handleOf(socket);
  if (handle === null) return false;
  const dnsLookup = handle.lookup;
  // The family of each IP literal sent to, by address: `isIP` runs a regular expression, and this runs once
  // per packet per player. The node's one media socket (udpMux) sends to every player's address in turn, so
  // a cache of the last address alone would miss on nearly every send; the addresses come from the ICE
  // pairs, the same string objects each time, whose hashes V8 keeps. Bounded: emptied when it is full.
  const families = new Map<string, number>();
  handle.lookup = (address, callback) => {
    let family = families.get(address);
    if (family === undefined) {
      family = isIP(address);
      if (family === 0) return dnsLookup(address, callback);
      if (families.size >= MAX_CACHED_ADDRESSES) families.clear();
      families.set(address, family);
    }
    callback(null, address, family);
    return undefined;
  };
  patched.add(socket);
  return true;
}
