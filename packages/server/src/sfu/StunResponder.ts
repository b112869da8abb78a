/**
 * A STUN binding responder (RFC 5389 §7.3.1, no authentication) for the clients' ICE agents. The server
 * announces it in `hello`, so a client learns its server-reflexive address from Parley itself and never needs
 * (or falls back to) a public STUN server.
 */
import { createSocket, type Socket } from 'node:dgram';
import { isIPv6 } from 'node:net';
import { classes, Message, methods, parseMessage } from 'werift';

/** The `stun:` URL of `address`:`port` (an IPv6 address in brackets). */
export function stunUrlOf(address: string, port: number): string {
  return `stun:${address.includes(':') ? `[${address}]` : address}:${port}`;
}

export interface StunResponderOptions {
  /** Address to bind; an IPv6 address makes an IPv6 socket. */
  bindAddress: string;
  /** Address put in the announced URL (what clients can reach). */
  announcedAddress: string;
  /** UDP port; 0 picks a free one. */
  port: number;
}

/**
 * @example
 * const stun = await StunResponder.start({ bindAddress: '127.0.0.1', announcedAddress: '127.0.0.1', port: 0 });
 * hello.iceServers = [stun.url];
 * await stun.close();
 */
export class StunResponder {
  private answered = 0;

  private constructor(
    private readonly socket: Socket,
    /** `stun:host:port` */
    readonly url: string,
  ) {
    socket.on('message', (data, rinfo) => this.onMessage(data, rinfo.address, rinfo.port));
    socket.on('error', () => {
      // A malformed datagram or an ICMP error: nothing to do for a stateless responder.
    });
  }

  static async start(options: StunResponderOptions): Promise<StunResponder> {
    const socket = createSocket(isIPv6(options.bindAddress) ? 'udp6' : 'udp4');
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(options.port, options.bindAddress, () => {
        socket.off('error', reject);
        resolve();
      });
    });
    return new StunResponder(socket, stunUrlOf(options.announcedAddress, socket.address().port));
  }

  /** Binding requests answered so far. */
  get requestsAnswered(): number {
    return this.answered;
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      try {
        this.socket.close(() => resolve());
      } catch {
        resolve(); // already closed
      }
    });
  }

  private onMessage(data: Buffer, address: string, port: number): void {
    let msg: Message | undefined;
    try {
      msg = parseMessage(data);
    } catch {
      return;
    }
    if (!msg || msg.messageMethod !== methods.BINDING || msg.messageClass !== classes.REQUEST) return;
    const response = new Message(methods.BINDING, classes.RESPONSE, msg.transactionId);
    response.setAttribute('XOR-MAPPED-ADDRESS', [address, port]);
    this.answered += 1;
    this.socket.send(response.bytes, port, address);
  }
}
