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
 * - the connection's `nominated` pair: werift writes it only in the methods pairHooks.ts hooks (a nomination,
 *   a restart, a reset, on close), after which the route compares it with the pair it resolved; Parley's own
 *   write (followNomination.ts, a renomination) says so through {@link nominationChanged};
 * - the connection's state (closed, failed: the consent rule of an ICE-lite agent, `canSendApplicationData`):
 *   werift's `stateChanged` event marks it stale;
 * - the socket closing under it: the socket's handle is compared per packet — with the UDP mux that socket is
 *   shared by every transport, so the comparison reads an object that stays in cache. A pair's transport
 *   closes only with its connection (which unsets `nominated` first) or with the mux (whose socket then has
 *   no handle), so the handle also stands for the transport's `closed` flag.
 *
 * The pair's `packetsSent` and `bytesSent` (werift's candidate-pair statistics) are counted on the route and
 * added to the pair's own fields ("flushed") before werift reads them — before the ICE transport's `getStats`
 * and the hooked connection methods run — and when the route goes stale: the pair, another object per player,
 * is then not written per packet either. Every other writer (werift's send, {@link sendOnPair}) adds to the
 * fields too, so the sums are exact whoever counted first; between flushes the pair's own fields lag behind.
 *
 * The route learns of werift's changes through method hooks (methodHooks.ts), not through accessors on
 * werift's objects: redefining `nominated` or a counter as an accessor put the connection and the pair in V8's
 * dictionary mode, 1.6 KiB each per player transport.
 *
 * A full agent (not ICE-lite, which the SFU never is) has to check consent freshness per packet, and a TCP
 * pair or no pair yet has to go through werift: those routes stay on {@link sendOnPair}, per packet.
 */
import type { Socket } from 'node:dgram';
import type { MethodHooks } from './methodHooks.js';
import { holdRouteHooks, installPairHooks } from './pairHooks.js';
import { sendOnPair } from './sendOnPair.js';
import type { WeriftCandidatePair, WeriftIceConnection } from './shapes.js';
import { makeSendsSynchronous, socketStateOf } from './syncUdpSend.js';

const UNRESOLVED = 0;
const DIRECT = 1;
const THROUGH_WERIFT = 2;

const routes = new WeakMap<WeriftIceConnection, PairRoute>();

/**
 * One string object per remote address, shared by the routes to it. `Socket.send` reads the address string per
 * packet (its type, then its hash in the lookup), and each pair's candidate has a string of its own: players
 * behind one address (a NAT, a TURN server, the bench's loopback) then read one string, not one each (90 % of
 * `Socket.send`'s own samples in a 400-player audio fan-out were that read, perf annotate). Bounded: emptied
 * when full (routes keep the strings they have).
 */
const addresses = new Map<string, string>();
const MAX_SHARED_ADDRESSES = 65_536;

function sharedAddress(host: string): string {
  const shared = addresses.get(host);
  if (shared !== undefined) return shared;
  if (addresses.size >= MAX_SHARED_ADDRESSES) addresses.clear();
  addresses.set(host, host);
  return host;
}

/**
 * The route of `connection` (one per connection, shared by the consumers of its transport). What it sends is
 * added to the pair's counters before werift's ICE transport reads them (its `getStats`) and whenever the route
 * goes stale.
 */
export function routeOf(connection: WeriftIceConnection): PairRoute {
  let route = routes.get(connection);
  if (route === undefined) {
    installPairHooks();
    route = new PairRoute(connection);
    routes.set(connection, route);
  }
  return route;
}

/**
 * Tells the route of `connection`, if it has one, that Parley assigned `connection.nominated` itself (werift's
 * own assignments are followed through its hooked methods): the next packet goes to the new pair.
 */
export function nominationChanged(connection: WeriftIceConnection): void {
  routes.get(connection)?.invalidate();
}

/**
 * Sends one ICE connection's packets; the {@link MethodHooks} of werift's methods around it (pairHooks.ts):
 * before one runs the route hands werift what it counted, after one returned it checks the nomination.
 */
export class PairRoute implements MethodHooks {
  private mode = UNRESOLVED;
  private socket: Socket | null = null;
  /** The socket's internal state, whose `handle` is unset when the socket closes. */
  private socketState: { handle?: unknown } | null = null;
  private handle: unknown = null;
  /** The connection's `nominated` when the route was last resolved (whatever the outcome). */
  private resolvedFor: WeriftCandidatePair | undefined = undefined;
  /** The pair packets go to straight (when {@link direct}), on which `sent` and `bytes` were counted. */
  private pair: WeriftCandidatePair | null = null;
  private port = 0;
  private host = '';
  /** Packets and bytes sent on `pair` since the last flush, not yet added to its own counters. */
  private sent = 0;
  private bytes = 0;

  constructor(private readonly connection: WeriftIceConnection) {
    holdRouteHooks(connection, this);
    connection.stateChanged.subscribe(() => this.invalidate());
  }

  /** Whether packets go straight to the resolved pair's socket (not through sendOnPair): for tests and metrics. */
  get direct(): boolean {
    return this.mode === DIRECT;
  }

  /** Reads what {@link send} reads of this route, changing nothing; a number made of it (see `RtpSink.warm`). */
  warm(): number {
    return this.port + this.mode + this.sent;
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

  /**
   * Adds what the route counted to its pair's own `packetsSent` and `bytesSent`, where werift and anyone else
   * reads them; werift's hooked methods do it before they run.
   */
  flush(): void {
    const pair = this.pair;
    if (pair === null || this.sent === 0) return;
    pair.packetsSent += this.sent;
    pair.bytesSent += this.bytes;
    this.sent = 0;
    this.bytes = 0;
  }

  /** @internal Before a hooked werift method: it may read the pair's counters. */
  beforeWerift(): void {
    this.flush();
  }

  /** @internal After a hooked werift method: it may have written `nominated`. */
  afterWerift(): void {
    if (this.mode !== UNRESOLVED && this.connection.nominated !== this.resolvedFor) this.invalidate();
  }

  /** Marks the route stale, and adds what it counted to its pair's own counters. */
  invalidate(): void {
    this.flush();
    this.mode = UNRESOLVED;
    this.pair = null;
  }

  /** Resolves the route of the nominated pair; false when packets must go through sendOnPair for now. */
  private resolve(): boolean {
    if (this.mode === THROUGH_WERIFT) return false;
    const connection = this.connection;
    const pair = connection.nominated;
    const udp = pair?.protocol.transport;
    this.mode = THROUGH_WERIFT;
    this.resolvedFor = pair;
    if (!pair || !udp || udp.type !== 'udp' || !udp.socket || udp.closed) return false;
    if (!connection.iceLite || !connection.canSendApplicationData()) return false;
    const state = socketStateOf(udp.socket);
    if (state?.handle === undefined || !makeSendsSynchronous(udp.socket)) return false;
    this.socket = udp.socket;
    this.socketState = state;
    this.handle = state.handle;
    this.pair = pair;
    this.port = pair.remoteCandidate.port;
    this.host = sharedAddress(pair.remoteCandidate.host);
    this.mode = DIRECT;
    return true;
  }
}
