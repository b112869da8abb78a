/**
 * UDP relays between the SDK's media connections and the SFU, to break the media path on cue without touching
 * either end — what {@link TcpProxy} is for the signaling socket. A relay listens on 127.0.0.1 in front of one
 * SFU candidate and forwards both ways, like a NAT: the SFU sees the relay's address as its peer.
 *
 * Every relay of a {@link RelayNetwork} follows the network's `mode`: `pass`, `drop` (nothing gets through:
 * the media path is down) or `dropUpstream` (the SFU hears nothing from the client, the client still hears
 * the SFU). Relays made while a mode is set start in it, so a `drop` also breaks every new connection. A
 * network may also `admit` only some senders, like a firewall in front of the SFU that lets a TURN server's
 * relay address through and nothing else.
 */
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';

export type RelayMode = 'pass' | 'drop' | 'dropUpstream';

export class UdpRelay {
  /** Datagrams forwarded, per direction. */
  readonly forwarded = { upstream: 0, downstream: 0 };
  /** Datagrams from senders the network does not admit. */
  refused = 0;
  /** STUN binding requests heard from the client (ICE checks), whatever the mode: dropped ones count too. */
  checksHeard = 0;

  private client: RemoteInfo | null = null;

  private constructor(
    private readonly network: RelayNetwork,
    /** The socket the client sends to (its candidate address). */
    private readonly front: Socket,
    /** The socket the relay sends to the SFU from. */
    private readonly back: Socket,
    target: { address: string; port: number },
  ) {
    front.on('message', (data, from) => {
      if (!this.network.admit(from)) {
        this.refused += 1;
        return;
      }
      this.client = from;
      if (isBindingRequest(data)) {
        this.checksHeard += 1;
        // This very check is the first to get through.
        if (this.checksHeard === this.network.passAtCheck) this.network.mode = 'pass';
      }
      if (this.network.mode !== 'pass') return;
      this.forwarded.upstream += 1;
      back.send(data, target.port, target.address);
    });
    back.on('message', (data) => {
      if (this.network.mode === 'drop' || !this.client) return;
      this.forwarded.downstream += 1;
      front.send(data, this.client.port, this.client.address);
    });
    // An ICMP port-unreachable from a closed peer surfaces as an error on the next send: a network fault to
    // carry on through, as a router would.
    front.on('error', () => {});
    back.on('error', () => {});
  }

  static async start(network: RelayNetwork, target: { address: string; port: number }): Promise<UdpRelay> {
    const bind = async (): Promise<Socket> => {
      const socket = createSocket('udp4');
      await new Promise<void>((resolve, reject) => {
        socket.once('error', reject);
        socket.bind(0, '127.0.0.1', () => {
          socket.off('error', reject);
          resolve();
        });
      });
      return socket;
    };
    return new UdpRelay(network, await bind(), await bind(), target);
  }

  /** The port the client should send to instead of the SFU's. */
  get port(): number {
    return this.front.address().port;
  }

  async close(): Promise<void> {
    await Promise.all(
      [this.front, this.back].map((s) => new Promise<void>((resolve) => s.close(() => resolve()))),
    );
  }
}

/** A STUN Binding request (type 0x0001, RFC 5389 magic cookie): an ICE connectivity check. */
function isBindingRequest(data: Buffer): boolean {
  return data.length >= 20 && data.readUInt16BE(0) === 0x0001 && data.readUInt32BE(4) === 0x2112a442;
}

/** The relays of one test, and the mode they all follow. */
export class RelayNetwork {
  mode: RelayMode = 'pass';
  /**
   * With a number N: a relay that hears its Nth ICE check (STUN binding request) from its client sets the mode to
   * `pass` before it forwards that check, so the path is silent for exactly the checks before it, whatever
   * their timing.
   */
  passAtCheck: number | null = null;
  /** Which senders reach the SFU at all; default every one. */
  admit: (from: RemoteInfo) => boolean = () => true;
  readonly relays: UdpRelay[] = [];

  /**
   * Puts a relay in front of every 127.0.0.1 UDP candidate of an SDP from the SFU and returns the SDP with
   * the relays' ports in their place.
   */
  async rewrite(sdp: string): Promise<string> {
    const byPort = new Map<string, UdpRelay>();
    const lines = sdp.split('\r\n');
    for (const [i, line] of lines.entries()) {
      if (!line.startsWith('a=candidate:')) continue;
      // a=candidate:<foundation> <component> <transport> <priority> <address> <port> typ <type> ...
      const fields = line.split(' ');
      const [transport, address, port] = [fields[2]?.toLowerCase(), fields[4], fields[5]];
      if (transport !== 'udp' || address !== '127.0.0.1' || port === undefined) continue;
      let relay = byPort.get(port);
      if (!relay) {
        relay = await UdpRelay.start(this, { address, port: Number(port) });
        this.relays.push(relay);
        byPort.set(port, relay);
      }
      fields[5] = String(relay.port);
      lines[i] = fields.join(' ');
    }
    if (byPort.size === 0) throw new Error('the SDP has no 127.0.0.1 UDP candidate to relay');
    return lines.join('\r\n');
  }

  async close(): Promise<void> {
    await Promise.all(this.relays.splice(0).map((r) => r.close()));
  }
}
