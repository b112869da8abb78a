/**
 * One UDP port for every media transport of a node: a socket per address family, shared by the werift ICE
 * protocols of all SFU peer connections (see MuxSocket.ts for the demultiplexing rules and injection.ts for
 * how werift is made to use it). The SFU router owns it: created with the router, closed (awaited) last.
 */
import { MuxSocket, type MuxSocketCounters } from './MuxSocket.js';
import type { MuxTransport } from './MuxTransport.js';

export interface UdpMuxOptions {
  /** IPv4 address to bind; null binds every interface. */
  bindAddress: string | null;
  /** UDP port of both sockets; 0 picks a free one (the IPv6 socket then takes the IPv4 socket's port). */
  port: number;
  /** Whether an IPv6 socket is needed too (an IPv6 address is announced); it binds every IPv6 interface. */
  ipv6: boolean;
  /** Remote tuples one transport may have at once; a new one evicts the oldest. Default 8. */
  maxTuplesPerTransport?: number;
}

/** What the mux reports (for tests and metrics). */
export interface UdpMuxStats extends MuxSocketCounters {
  transports: number;
  tuples: number;
}

/**
 * @example
 * const mux = new UdpMux({ bindAddress: '127.0.0.1', port: 0, ipv6: false });
 * await mux.listening;
 * mux.port; // the one UDP port of the node
 * await mux.close();
 */
export class UdpMux {
  /** Resolves once the sockets are bound; rejects (a taken port) with the bind error. */
  readonly listening: Promise<void>;
  private readonly v4: MuxSocket;
  private readonly v6: MuxSocket | null;
  private closing: Promise<void> | null = null;
  private boundPort = 0;

  constructor(options: UdpMuxOptions) {
    const maxTuples = options.maxTuplesPerTransport ?? 8;
    if (!Number.isInteger(maxTuples) || maxTuples < 1)
      throw new TypeError('maxTuplesPerTransport must be a positive integer');
    this.v4 = new MuxSocket('udp4', maxTuples);
    this.v6 = options.ipv6 ? new MuxSocket('udp6', maxTuples) : null;
    this.listening = this.bind(options);
    // Whoever awaits `listening` sees a bind failure; this keeps it from being an unhandled rejection
    // in the meantime.
    this.listening.catch(() => {});
  }

  /** The UDP port of the node's media (both families); 0 until `listening` resolved. */
  get port(): number {
    return this.boundPort;
  }

  get closed(): boolean {
    return this.closing !== null;
  }

  stats(): UdpMuxStats {
    const lanes = this.v6 ? [this.v4, this.v6] : [this.v4];
    const stats: UdpMuxStats = { transports: 0, tuples: 0, dropped: 0, answered: 0, failed: 0 };
    for (const lane of lanes) {
      const { transports, tuples } = lane.size;
      stats.transports += transports;
      stats.tuples += tuples;
      stats.dropped += lane.counters.dropped;
      stats.answered += lane.counters.answered;
      stats.failed += lane.counters.failed;
    }
    return stats;
  }

  /** A virtual transport for one werift ICE protocol of `family` (what werift's `UdpTransport.init` made). */
  async createTransport(family: 'udp4' | 'udp6'): Promise<MuxTransport> {
    await this.listening;
    if (this.closing) throw new Error('the UDP mux is closed');
    const lane = family === 'udp6' ? this.v6 : this.v4;
    if (lane === null) throw new Error('the UDP mux has no IPv6 socket (no IPv6 address is announced)');
    return lane.createTransport();
  }

  /** Closes the sockets; transports still open are released and drop what they send. Idempotent. */
  close(): Promise<void> {
    if (this.closing) return this.closing;
    this.closing = this.listening
      .catch(() => {})
      .then(() => Promise.all([this.v4.close(), this.v6?.close()]))
      // As Transport.ts's `handlesReleased`: Node drops a closed socket's handle in the loop's close phase,
      // after 'close'; two setImmediate turns put a whole close phase behind us.
      .then(() => new Promise<void>((resolve) => setImmediate(() => setImmediate(resolve))));
    return this.closing;
  }

  /** Binds both sockets; a failure is Node's bind error as it is (`EADDRINUSE`, its address and port). */
  private async bind(options: UdpMuxOptions): Promise<void> {
    await this.v4.bind(options.port, options.bindAddress ?? '0.0.0.0');
    const port = this.v4.socket.address().port;
    await this.v6?.bind(port, '::');
    this.boundPort = port;
  }
}
