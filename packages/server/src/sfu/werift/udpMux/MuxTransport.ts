/**
 * One werift ICE protocol's view of the shared socket: what werift's `UdpTransport` (werift/lib/common/src/
 * transport.js) offers and werift's ICE (`StunProtocol`, `Connection`) and Parley's fast send path
 * (sendOnPair.ts, syncUdpSend.ts) use of it — `type`, `socket`, `rinfo`, `onData`, `send`, `closed`,
 * `close`, `address`, `host`, `port`, `addressFamily`. udpMuxShapes.test.ts pins that list against werift.
 */
import type { AddressInfo } from 'node:net';
import { type BindingCheck, bindingSuccess, type IcePassword, verifyIntegrity } from './bindingCheck.js';
import type { MuxSocket, TupleKey } from './MuxSocket.js';

/** Whether a check may be answered in the mux, and what answering it does (set by answerChecks.ts). */
export interface CheckAnswerer {
  /** Whether the check (not yet verified) is one the ICE agent would answer with no other effect. */
  mayAnswer(check: BindingCheck, rinfo: RemoteInfo): boolean;
  /** The check was verified and answered. */
  answered(check: BindingCheck): void;
}

/**
 * Takes a datagram of a connected peer before werift sees it (a publisher's RTP: receiveInMux.ts; a player's
 * RTCP: reportsInMux.ts); false leaves it to werift.
 */
export interface MuxMediaReceiver {
  receive(data: Buffer): boolean;
}

/** What Node reports of a datagram's sender; werift keeps the last one as `rinfo`. */
export interface RemoteInfo {
  address: string;
  port: number;
}

export class MuxTransport {
  readonly type = 'udp';
  /** The remote address of the last datagram (werift's `UdpTransport.rinfo`: a send without address goes there). */
  rinfo: RemoteInfo | undefined = undefined;
  /** Set by werift's `StunProtocol.connectionMade`. */
  onData: (data: Buffer, addr: [string, number]) => void = () => {};
  closed = false;
  /** The tuples routed here, oldest first (managed by {@link MuxSocket}). */
  readonly tuples: TupleKey[] = [];
  /** The local ufrags and their ICE passwords that route new tuples here (managed by {@link MuxSocket}). */
  readonly ufrags = new Map<string, IcePassword>();
  /** Answers the checks of a connected peer in the mux (answerChecks.ts); null: werift answers them all. */
  checkAnswerer: CheckAnswerer | null = null;
  /** Takes the peer's media past werift's receiving pipeline ({@link MuxMediaReceiver}); null: werift gets all. */
  mediaReceiver: MuxMediaReceiver | null = null;

  constructor(private readonly lane: MuxSocket) {}

  /** The shared socket: sendOnPair.ts sends media on it directly. */
  get socket(): MuxSocket['socket'] {
    return this.lane.socket;
  }

  get socketType(): 'udp4' | 'udp6' {
    return this.lane.socketType;
  }

  get address(): AddressInfo {
    return this.lane.socket.address();
  }

  get addressFamily(): 4 | 6 {
    return this.lane.socketType === 'udp6' ? 6 : 4;
  }

  get host(): string {
    return this.address.address;
  }

  get port(): number {
    return this.address.port;
  }

  /** What werift's `UdpTransport.send` does: to `addr`, or to the last sender. A closed socket drops it. */
  send = async (data: Buffer, addr?: readonly [string, number]): Promise<void> => {
    const to = addr ?? (this.rinfo ? [this.rinfo.address, this.rinfo.port] : undefined);
    if (this.closed || to === undefined) return;
    try {
      this.lane.socket.send(data, to[1], to[0]);
    } catch {
      // The mux closed under us (the router is closing): a lost datagram, as on the wire.
    }
  };

  /** Routes new tuples whose checks name `ufrag` (verified with `password`) here. */
  register(ufrag: string, password: string): void {
    this.lane.register(this, ufrag, password);
  }

  /** Releases this transport's tuples and ufrags; the shared socket stays open. */
  close = async (): Promise<void> => {
    if (this.closed) return;
    this.closed = true;
    this.checkAnswerer = null;
    this.mediaReceiver = null;
    this.lane.release(this);
  };

  /**
   * Answers the Binding request in `data` here if the {@link checkAnswerer} allows it and its
   * MESSAGE-INTEGRITY verifies with the named ufrag's password; false leaves it to werift.
   */
  answer(data: Buffer, check: BindingCheck, rinfo: RemoteInfo): boolean {
    const answerer = this.checkAnswerer;
    const password = this.ufrags.get(check.ufrag);
    if (answerer === null || password === undefined || this.closed || !answerer.mayAnswer(check, rinfo)) {
      return false;
    }
    if (!verifyIntegrity(data, check, password)) return false;
    this.rinfo = rinfo;
    try {
      this.lane.socket.send(
        bindingSuccess(data, rinfo.address, rinfo.port, password),
        rinfo.port,
        rinfo.address,
      );
    } catch {
      // The mux closed under us: a lost datagram, as on the wire.
    }
    this.lane.counters.answered += 1;
    answerer.answered(check);
    return true;
  }

  /**
   * A datagram for this transport, from the mux's socket handler. One its handler throws on is counted
   * (`failed`, in /metrics) and lost: the next may be fine, and other transports must not notice.
   */
  deliver(data: Buffer, rinfo: RemoteInfo): void {
    this.rinfo = rinfo;
    try {
      if (this.mediaReceiver?.receive(data) === true) return;
      this.onData(data, [rinfo.address, rinfo.port]);
    } catch {
      this.lane.counters.failed += 1;
    }
  }
}
