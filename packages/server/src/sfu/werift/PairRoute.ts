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

  constructor(private readonly connection: WeriftIceConnection) {
    let nominated = connection.nominated;
    // An own accessor in place of werift's own field: werift's code reads and writes it as before.
    Object.defineProperty(connection, 'nominated', {
      configurable: true,
      enumerable: true,
      get: () => nominated,
      set: (pair: WeriftCandidatePair | undefined) => {
        nominated = pair;
        this.mode = UNRESOLVED;
      },
    });
    connection.stateChanged.subscribe(() => {
      this.mode = UNRESOLVED;
    });
  }

  /** Sends `packet` as {@link sendOnPair} would, from the route resolved at the last change. */
  send(packet: Buffer): void {
    if (this.mode !== DIRECT && !this.resolve()) {
      sendOnPair(this.connection, packet);
      return;
    }
    if (this.socketState!.handle !== this.handle) {
      this.mode = THROUGH_WERIFT; // the socket closed: sendOnPair drops what follows
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
    const pair = this.pair!;
    pair.packetsSent += 1;
    pair.bytesSent += packet.length;
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
    this.pair = pair;
    this.port = pair.remoteCandidate.port;
    this.host = pair.remoteCandidate.host;
    this.mode = DIRECT;
    return true;
  }
}
