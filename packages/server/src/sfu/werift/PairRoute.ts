/**
 * Where one ICE connection's packets go, resolved once per nomination instead of once per packet: the socket
 * of the nominated pair and the pair's remote port and address, kept in one small object that the forwarding
 * fast path ({@link FastRtpSender}) reads per packet.
 *
 * {@link sendOnPair} walks werift's objects for every packet: the connection's `nominated` pair, its
 * protocol, the protocol's transport, its type, socket and `closed` flag, the consent rule, the pair's remote
 * candidate. With hundreds of players each walk touches a handful of objects no other player shares, most of
 * them out of the CPU's caches by the time that player's next packet comes: the profile of a 400-player audio
 * fan-out put those reads at about a tenth of the server's busy time. A route reads them when the nomination
 * is made and keeps the answer until something it depends on changes:
 *
 * - the connection's `nominated` pair: a setter installed on the connection (werift assigns the field on a
 *   nomination, a restart, a reset and on close; followNomination.ts on a renomination) marks it stale;
 * - the connection's state (closed, failed: the consent rule of an ICE-lite agent, `canSendApplicationData`):
 *   werift's `stateChanged` event marks it stale;
 * - the socket closing under it: the socket's handle is compared per packet — with the UDP mux that socket is
 *   shared by every transport, so the comparison reads an object that stays in cache. A pair's transport
 *   closes only with its connection (which unsets `nominated` first) or with the mux (whose socket then has
 *   no handle), so the handle also stands for the transport's `closed` flag.
 *
 * The pair's `packetsSent` and `bytesSent` (werift's candidate-pair statistics) are counted on the route and
 * read through accessors installed on the pair, which add what the route counted since the last change: the
 * pair, another object per player, is then not written per packet either.
 *
 * A full agent (not ICE-lite, which the SFU never is) has to check consent freshness per packet, and a TCP
 * pair or no pair yet has to go through werift: those routes stay on {@link sendOnPair}, per packet.
 */
import type { Socket } from 'node:dgram';
import { sendOnPair } from './sendOnPair.js';
import type { WeriftCandidatePair, WeriftIceConnection } from './shapes.js';
import { makeSendsSynchronous, socketStateOf } from './syncUdpSend.js';

const UNRESOLVED = 0;
const DIRECT = 1;
const THROUGH_WERIFT = 2;

const routes = new WeakMap<WeriftIceConnection, PairRoute>();

/** The route of `connection` (one per connection, shared by the consumers of its transport). */
export function routeOf(connection: WeriftIceConnection): PairRoute {
  let route = routes.get(connection);
  if (route === undefined) {
    route = new PairRoute(connection);
    routes.set(connection, route);
  }
  return route;
}

export class PairRoute {
  private mode = UNRESOLVED;
  private socket: Socket | null = null;
  /** The socket's internal state, whose `handle` is unset when the socket closes. */
  private socketState: { handle?: unknown } | null = null;
  private handle: unknown = null;
  private pair: WeriftCandidatePair | null = null;
  private port = 0;
  private host = '';
  /** Packets and bytes sent on `pair` since the route was resolved, not yet added to its own counters. */
  private sent = 0;
  private bytes = 0;

  constructor(private readonly connection: WeriftIceConnection) {
    let nominated = connection.nominated;
    // An own accessor in place of werift's own field: werift's code reads and writes it as before.
    Object.defineProperty(connection, 'nominated', {
      configurable: true,
      enumerable: true,
      get: () => nominated,
      set: (pair: WeriftCandidatePair | undefined) => {
        nominated = pair;
        this.invalidate();
      },
    });
    connection.stateChanged.subscribe(() => this.invalidate());
  }

  /** Whether packets go straight to the resolved pair's socket (not through sendOnPair): for tests and metrics. */
  get direct(): boolean {
    return this.mode === DIRECT;
  }

  /** What the route counted on `pair` and has not added to the pair's counters yet. */
  pending(pair: WeriftCandidatePair): { packets: number; bytes: number } | null {
    return pair === this.pair ? { packets: this.sent, bytes: this.bytes } : null;
  }

  /** Sends `packet` as {@link sendOnPair} would, from the route resolved at the last change. */
  send(packet: Buffer): void {
    if (this.mode !== DIRECT && !this.resolve()) {
      sendOnPair(this.connection, packet);
      return;
    }
    if (this.socketState!.handle !== this.handle) {
      this.invalidate(); // the socket closed: sendOnPair drops what follows
      return;
    }
    try {
      // Socket.send, not the handle's own send: measured on this machine, 200,000 sends of 120 bytes on
      // loopback cost the same (4.4 µs each, the kernel's part) either way, and the handle's needs Node's
      // private SendWrap object for a send the kernel cannot take at once.
      this.socket!.send(packet, this.port, this.host);
    } catch {
      return; // the socket closed under us
    }
    this.sent += 1;
    this.bytes += packet.length;
  }

  /** Marks the route stale, and adds what it counted to its pair's own counters. */
  private invalidate(): void {
    this.mode = UNRESOLVED;
    const pair = this.pair;
    if (pair === null) return;
    const packets = pair.packetsSent;
    const bytes = pair.bytesSent;
    this.pair = null;
    this.sent = 0;
    this.bytes = 0;
    pair.packetsSent = packets;
    pair.bytesSent = bytes;
  }

  /** Resolves the route of the nominated pair; false when packets must go through sendOnPair for now. */
  private resolve(): boolean {
    if (this.mode === THROUGH_WERIFT) return false;
    const connection = this.connection;
    const pair = connection.nominated;
    const udp = pair?.protocol.transport;
    this.mode = THROUGH_WERIFT;
    if (!pair || !udp || udp.type !== 'udp' || !udp.socket || udp.closed) return false;
    if (!connection.iceLite || !connection.canSendApplicationData()) return false;
    const state = socketStateOf(udp.socket);
    if (state?.handle === undefined || !makeSendsSynchronous(udp.socket)) return false;
    this.socket = udp.socket;
    this.socketState = state;
    this.handle = state.handle;
    countThroughRoute(pair, this);
    this.pair = pair;
    this.port = pair.remoteCandidate.port;
    this.host = pair.remoteCandidate.host;
    this.mode = DIRECT;
    return true;
  }
}

const counted = new WeakSet<WeriftCandidatePair>();

/**
 * Installs accessors for `pair.packetsSent` and `pair.bytesSent` that include what `route` counted on it (once
 * per pair: a pair belongs to one connection, so to one route). werift's own `pair.packetsSent++` (its send
 * path, used before the route resolves) goes through them too and stays exact.
 */
function countThroughRoute(pair: WeriftCandidatePair, route: PairRoute): void {
  if (counted.has(pair)) return;
  counted.add(pair);
  let packets = pair.packetsSent;
  let bytes = pair.bytesSent;
  Object.defineProperty(pair, 'packetsSent', {
    configurable: true,
    enumerable: true,
    get: () => packets + (route.pending(pair)?.packets ?? 0),
    set: (value: number) => {
      packets = value - (route.pending(pair)?.packets ?? 0);
    },
  });
  Object.defineProperty(pair, 'bytesSent', {
    configurable: true,
    enumerable: true,
    get: () => bytes + (route.pending(pair)?.bytes ?? 0),
    set: (value: number) => {
      bytes = value - (route.pending(pair)?.bytes ?? 0);
    },
  });
}
