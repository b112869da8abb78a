/**
 * One UDP socket shared by many werift ICE protocols ({@link MuxTransport}s), and its demultiplexer:
 *
 * - A datagram from a known remote tuple goes to that tuple's transport: one Map lookup (see tupleKey.ts).
 * - From an unknown tuple, only a STUN binding request is looked at. One whose USERNAME starts with a
 *   registered local ufrag and whose MESSAGE-INTEGRITY verifies with that ufrag's password adds the tuple to
 *   that transport (a new client, NAT rebinding, an ICE restart, another candidate of the client). werift's
 *   ufrags are four hex digits, so two transports of a busy node share one now and then: the password tells
 *   them apart. Anything else is dropped and counted; it costs one failed lookup, or a header scan (and an
 *   HMAC at most) for a STUN request. Plain STUN lookups (no USERNAME) are not answered here: the clients'
 *   STUN server must be another transport address than their ICE peer, since libwebrtc hands every datagram
 *   from its STUN server's address to its STUN client (`UDPPort::OnReadPacket`) and would never see the
 *   SFU's check responses or DTLS (sfu/StunResponder.ts keeps its own port).
 * - A check from a known tuple whose transport is connected may be answered here (MuxTransport.answer,
 *   werift/answerChecks.ts): the consent checks of a connected player never reach werift.
 * - A STUN request from a known tuple that names another transport's ufrag (a client reusing a port for a
 *   new peer connection) moves the tuple, once the password verifies.
 * - A transport keeps at most `maxTuplesPerTransport` tuples; a new one evicts its oldest. Closing a
 *   transport releases all of them, and its ufrags.
 */
import { createSocket, type Socket } from 'node:dgram';
import { parseMessage } from 'werift';
import { IcePassword, readBindingCheck } from './bindingCheck.js';
import { MuxTransport, type RemoteInfo } from './MuxTransport.js';
import { looksLikeStun, scanBindingRequest } from './stunScan.js';
import { ipv4TupleKey, ipv6TupleKey } from './tupleKey.js';

export type TupleKey = number | string;

/** What a mux socket counts. */
export interface MuxSocketCounters {
  /** Datagrams from unknown tuples that were not a binding request for a registered ufrag. */
  dropped: number;
  /** Checks of connected peers answered by the mux itself (werift/answerChecks.ts), not by werift. */
  answered: number;
  /**
   * Datagrams of a known tuple on which its transport's handler (werift's ICE, DTLS or SRTP) threw: each one
   * is lost, as on the wire, and nothing else is (MuxTransport.deliver).
   */
  failed: number;
}

export class MuxSocket {
  readonly socket: Socket;
  readonly counters: MuxSocketCounters = { dropped: 0, answered: 0, failed: 0 };
  private readonly tuples = new Map<TupleKey, MuxTransport>();
  /** Local ufrag → the transports registered under it (one, unless werift's short ufrags collide). */
  private readonly ufrags = new Map<string, MuxTransport[]>();
  private readonly transports = new Set<MuxTransport>();
  private readonly keyOf: (address: string, port: number) => TupleKey;

  constructor(
    readonly socketType: 'udp4' | 'udp6',
    private readonly maxTuplesPerTransport: number,
  ) {
    this.socket = createSocket({ type: socketType, ipv6Only: socketType === 'udp6' });
    this.keyOf = socketType === 'udp4' ? ipv4TupleKey : ipv6TupleKey;
    this.socket.on('message', (data, rinfo) => this.onMessage(data, rinfo));
    // ICMP errors surface on Linux as socket errors on a later send; one peer's unreachable port is no reason
    // to stop serving the others.
    this.socket.on('error', () => {});
  }

  /** Binds to `address`:`port` (0: a free port). */
  bind(port: number, address: string): Promise<void> {
    return new Promise((resolve, reject) => {
      this.socket.once('error', reject);
      this.socket.bind({ port, address, exclusive: true }, () => {
        this.socket.off('error', reject);
        resolve();
      });
    });
  }

  /** Open transports, and the tuples routed to them. */
  get size(): { transports: number; tuples: number } {
    return { transports: this.transports.size, tuples: this.tuples.size };
  }

  createTransport(): MuxTransport {
    const transport = new MuxTransport(this);
    this.transports.add(transport);
    return transport;
  }

  /** Routes new tuples whose binding requests name `ufrag` (and verify with `password`) to `transport`. */
  register(transport: MuxTransport, ufrag: string, password: string): void {
    if (transport.closed || transport.ufrags.has(ufrag)) return;
    transport.ufrags.set(ufrag, IcePassword.of(password));
    const list = this.ufrags.get(ufrag);
    if (list) list.push(transport);
    else this.ufrags.set(ufrag, [transport]);
  }

  /** Forgets `transport`'s tuples and ufrags (it closed). */
  release(transport: MuxTransport): void {
    if (!this.transports.delete(transport)) return;
    for (const key of transport.tuples) {
      if (this.tuples.get(key) === transport) this.tuples.delete(key);
    }
    transport.tuples.length = 0;
    for (const ufrag of transport.ufrags.keys()) {
      const list = this.ufrags.get(ufrag);
      if (!list) continue;
      const rest = list.filter((t) => t !== transport);
      if (rest.length > 0) this.ufrags.set(ufrag, rest);
      else this.ufrags.delete(ufrag);
    }
    transport.ufrags.clear();
  }

  close(): Promise<void> {
    for (const transport of [...this.transports]) {
      transport.closed = true;
      this.release(transport);
    }
    return new Promise((resolve) => {
      try {
        this.socket.close(() => resolve());
      } catch {
        resolve(); // never bound, or closed already
      }
    });
  }

  private onMessage(data: Buffer, rinfo: RemoteInfo): void {
    const key = this.keyOf(rinfo.address, rinfo.port);
    const known = this.tuples.get(key);
    if (known !== undefined && !looksLikeStun(data)) {
      known.deliver(data, rinfo);
      return;
    }
    // STUN, or an unknown tuple: rare next to media, so the rest may take its time — but never throw.
    try {
      if (known?.checkAnswerer != null) {
        // A connected peer's consent check: answered here when its transport allows (answerChecks.ts).
        const check = readBindingCheck(data);
        if (check !== null && known.answer(data, check, rinfo)) return;
      }
      this.onStunOrUnknown(data, rinfo, key, known);
    } catch {
      this.counters.dropped += 1;
    }
  }

  private onStunOrUnknown(
    data: Buffer,
    rinfo: RemoteInfo,
    key: TupleKey,
    known: MuxTransport | undefined,
  ): void {
    const request = looksLikeStun(data) ? scanBindingRequest(data) : null;
    if (known !== undefined) {
      // A check from a known tuple: its transport, unless it names another transport's ufrag (port reuse).
      const other =
        request?.ufrag && !known.ufrags.has(request.ufrag) ? this.verified(request.ufrag, data) : null;
      if (other !== null) this.addTuple(other, key);
      (other ?? known).deliver(data, rinfo);
      return;
    }
    const transport = request?.ufrag ? this.verified(request.ufrag, data) : null;
    if (transport === null) {
      this.counters.dropped += 1;
      return;
    }
    this.addTuple(transport, key);
    transport.deliver(data, rinfo);
  }

  /** The transport registered under `ufrag` whose password verifies the request's MESSAGE-INTEGRITY. */
  private verified(ufrag: string, data: Buffer): MuxTransport | null {
    const list = this.ufrags.get(ufrag);
    if (!list) return null;
    for (const transport of list) {
      const password = transport.ufrags.get(ufrag);
      if (password === undefined) continue;
      const message = parseMessage(data, password.bytes);
      if (message?.getAttributeValue('MESSAGE-INTEGRITY') !== undefined) return transport;
    }
    return null;
  }

  private addTuple(transport: MuxTransport, key: TupleKey): void {
    const previous = this.tuples.get(key);
    if (previous === transport) return;
    if (previous !== undefined) {
      const i = previous.tuples.indexOf(key);
      if (i >= 0) previous.tuples.splice(i, 1);
    }
    if (transport.tuples.length >= this.maxTuplesPerTransport) {
      const oldest = transport.tuples.shift();
      if (oldest !== undefined) this.tuples.delete(oldest);
    }
    transport.tuples.push(key);
    this.tuples.set(key, transport);
  }
}
