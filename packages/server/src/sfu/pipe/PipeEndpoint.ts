/**
 * The UDP end of a media pipe, on either node: one socket, bound where the router's options say and, once
 * the other end is known, connected to it, so that the kernel drops datagrams from anywhere else (and each
 * send reaches the kernel at once: a connected socket needs no address lookup). Every datagram is checked
 * again here: from the other end's address and port, well-formed RTP or RTCP, or it is dropped and counted.
 *
 * Between nodes on a trusted network the pipe carries plain RTP and RTCP: no ICE, DTLS or SRTP. Nodes of one
 * Parley deployment trust each other already (they share the Redis state), and their private network is the
 * boundary; a deployment that pipes across an untrusted network must put the nodes on a VPN or tunnel.
 *
 * Liveness, both ways: until it has heard from the other end, an endpoint says hello (an empty receiver
 * report) every 100 ms; afterwards it sends a report whenever it has sent nothing for a quarter of the
 * inactivity timeout. Hearing nothing at all for the timeout ends the pipe (`inactive`), as does a BYE from
 * the other end (`remoteClosed`); closing sends a BYE, so the other end need not wait for its timeout.
 */
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import type { RtpPacket } from 'werift';
import { isRtcp, parseRtp } from '../rtpDatagram.js';
import { SfuError } from '../SfuError.js';
import { handlesReleased } from '../Transport.js';
import { bye, type PipeRtcp, parseRtcp, receiverReport } from './pipeRtcp.js';

/** Where the socket binds, and how long the other end may stay silent. */
export interface PipeEndpointOptions {
  /** IPv4 address to bind; null binds every interface. */
  bindAddress: string | null;
  /** Inclusive port range to bind in; null: any free port. */
  portRange: [number, number] | null;
  /** Nothing heard from the other end this long ends the pipe. */
  inactivityMs: number;
}

/** What the endpoint hands its owner (a pipe-in or a pipe-out). */
export interface PipeEndpointHandlers {
  /** The first packet from the other end arrived: it hears us, and we hear it. */
  onOpen(): void;
  onRtp(packet: RtpPacket): void;
  /** The RTCP of one datagram, BYE excluded (that ends the pipe). */
  onRtcp(items: PipeRtcp[]): void;
  /** The other end said BYE, or went silent. The owner closes. */
  onEnd(reason: 'remoteClosed' | 'inactive'): void;
}

/** Counters of an endpoint; RTP sent is counted by the owner, which knows first copies from repairs. */
export interface PipeEndpointCounters {
  rtcpSent: number;
  rtcpReceived: number;
  rtpReceived: number;
  /** Bytes of the RTP datagrams received. */
  bytesReceived: number;
  /** Datagrams dropped: from elsewhere, before the other end was known, or malformed. */
  ignored: number;
}

/** The fastest hello; slower when the inactivity timeout is shorter than four of them. */
const HELLO_MS = 100;

export class PipeEndpoint {
  /** The SSRC of this end's RTCP. */
  readonly ssrc = (Math.random() * 0x100000000) >>> 0;
  readonly counters: PipeEndpointCounters = {
    rtcpSent: 0,
    rtcpReceived: 0,
    rtpReceived: 0,
    bytesReceived: 0,
    ignored: 0,
  };
  private readonly socket: Socket;
  private handlers: PipeEndpointHandlers | null = null;
  private readonly inactivityMs: number;
  private readonly keepaliveMs: number;
  private connecting = false;
  private abortConnect: (() => void) | null = null;
  private remote: { address: string; port: number } | null = null;
  private heard = false;
  private lastHeard = 0;
  private lastSent = 0;
  private timer: NodeJS.Timeout | null = null;
  private closing: Promise<void> | null = null;

  private constructor(socket: Socket, options: PipeEndpointOptions) {
    this.socket = socket;
    this.inactivityMs = options.inactivityMs;
    this.keepaliveMs = Math.max(1, Math.floor(options.inactivityMs / 4));
    socket.on('message', (data, rinfo) => this.handleMessage(data, rinfo));
    // A connected UDP socket reports the other end's ICMP "port unreachable" as an error on its next receive:
    // a lost packet, as far as we care. Without a listener Node would throw it.
    socket.on('error', () => {});
  }

  /** Binds a socket as `options` say. */
  static async bind(options: PipeEndpointOptions): Promise<PipeEndpoint> {
    const socket = await bindSocket(options.bindAddress ?? '0.0.0.0', options.portRange);
    return new PipeEndpoint(socket, options);
  }

  /** The local port. */
  get port(): number {
    return this.socket.address().port;
  }

  /** True once a packet from the other end has arrived. */
  get open(): boolean {
    return this.heard;
  }

  get closed(): boolean {
    return this.closing !== null;
  }

  /**
   * Sends to and listens to `address:port` only from now on, tells `handlers` what arrives, and starts the
   * liveness checks. Until then every datagram is dropped.
   */
  async connect(address: string, port: number, handlers: PipeEndpointHandlers): Promise<void> {
    if (this.connecting) throw new Error('the pipe endpoint is already connected');
    this.connecting = true;
    await new Promise<void>((resolve, reject) => {
      const fail = (err: Error): void => {
        this.abortConnect = null;
        reject(SfuError.negotiationFailed(`pipe socket: ${err.message}`));
      };
      // Node never calls back a connect whose socket closed meanwhile: close() rejects it instead.
      this.abortConnect = () => {
        this.abortConnect = null;
        reject(SfuError.closed('the pipe'));
      };
      this.socket.once('error', fail);
      try {
        this.socket.connect(port, address, () => {
          this.socket.off('error', fail);
          this.abortConnect = null;
          resolve();
        });
      } catch (err) {
        this.socket.off('error', fail);
        fail(err as Error);
      }
    });
    if (this.closing) throw SfuError.closed('the pipe');
    this.remote = { address, port };
    this.handlers = handlers;
    this.lastHeard = performance.now();
    this.tick();
  }

  /** Sends one RTP datagram (false if it could not go out: closed, or not connected yet). */
  sendRtp(data: Buffer): boolean {
    return this.send(data);
  }

  /** Sends one RTCP datagram. */
  sendRtcp(data: Buffer): void {
    if (this.send(data)) this.counters.rtcpSent += 1;
  }

  /**
   * Stops the timers, says BYE when `sayBye` (the other end did not end the pipe itself) and closes the socket.
   * Idempotent; resolves once Node has released the socket.
   */
  close(sayBye: boolean): Promise<void> {
    if (this.closing) return this.closing;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.abortConnect?.();
    if (sayBye) this.sendRtcp(bye(this.ssrc));
    this.closing = new Promise<void>((resolve) => {
      try {
        this.socket.close(() => resolve());
      } catch {
        resolve(); // already closed
      }
    }).then(handlesReleased);
    return this.closing;
  }

  private send(data: Buffer): boolean {
    if (!this.remote || this.closing) return false;
    try {
      // No callback: a failed send is a lost packet, as on the wire.
      this.socket.send(data);
    } catch {
      return false; // not connected yet, or closed under us
    }
    this.lastSent = performance.now();
    return true;
  }

  /** Ends a silent pipe; otherwise says hello or keeps alive, and comes back. */
  private tick(): void {
    this.timer = null;
    if (this.closing) return;
    const now = performance.now();
    if (now - this.lastHeard > this.inactivityMs) {
      this.handlers?.onEnd('inactive');
      return;
    }
    if (!this.heard || now - this.lastSent >= this.keepaliveMs) this.sendRtcp(receiverReport(this.ssrc));
    this.timer = setTimeout(
      () => this.tick(),
      this.heard ? this.keepaliveMs : Math.min(HELLO_MS, this.keepaliveMs),
    );
    this.timer.unref();
  }

  /** Every datagram; nothing thrown here may reach the socket's emitter (it would take the process down). */
  private handleMessage(data: Buffer, rinfo: RemoteInfo): void {
    try {
      this.receive(data, rinfo);
    } catch {
      this.counters.ignored += 1;
    }
  }

  private receive(data: Buffer, rinfo: RemoteInfo): void {
    const remote = this.remote;
    const handlers = this.handlers;
    if (
      this.closing ||
      !remote ||
      !handlers ||
      rinfo.address !== remote.address ||
      rinfo.port !== remote.port
    ) {
      this.counters.ignored += 1;
      return;
    }
    if (isRtcp(data)) {
      const items = parseRtcp(data);
      if (!items) {
        this.counters.ignored += 1;
        return;
      }
      this.counters.rtcpReceived += 1;
      this.heardNow();
      if (items.some((item) => item.type === 'bye')) {
        handlers.onEnd('remoteClosed');
        return;
      }
      handlers.onRtcp(items);
      return;
    }
    const packet = parseRtp(data);
    if (!packet) {
      this.counters.ignored += 1;
      return;
    }
    this.counters.rtpReceived += 1;
    this.counters.bytesReceived += data.length;
    this.heardNow();
    handlers.onRtp(packet);
  }

  private heardNow(): void {
    this.lastHeard = performance.now();
    if (this.heard) return;
    this.heard = true;
    // Answer the first contact at once, so the other end need not wait for its next hello to know.
    this.sendRtcp(receiverReport(this.ssrc));
    this.handlers?.onOpen();
  }
}

/** A UDP socket bound to `address`, on any free port or on a free one in `portRange` (tried from a random start). */
async function bindSocket(address: string, portRange: [number, number] | null): Promise<Socket> {
  if (portRange === null) return bindOnce(address, 0);
  const [min, max] = portRange;
  const size = max - min + 1;
  const start = Math.floor(Math.random() * size);
  for (let i = 0; i < size; i++) {
    try {
      return await bindOnce(address, min + ((start + i) % size));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err;
    }
  }
  throw SfuError.negotiationFailed(`no free UDP port in ${min}..${max} for a media pipe`);
}

/** A socket bound to `address:port`; a failure to bind is the pipe's negotiation failing. */
function bindOnce(address: string, port: number): Promise<Socket> {
  const socket = createSocket({ type: 'udp4' });
  return new Promise((resolve, reject) => {
    const fail = (err: NodeJS.ErrnoException): void => {
      try {
        socket.close();
      } catch {
        // never bound: nothing to release
      }
      // EADDRINUSE stays as it is: bindSocket tries the next port of its range.
      reject(err.code === 'EADDRINUSE' ? err : SfuError.negotiationFailed(`pipe socket: ${err.message}`));
    };
    socket.once('error', fail);
    socket.bind({ address, port, exclusive: true }, () => {
      socket.off('error', fail);
      resolve(socket);
    });
  });
}
