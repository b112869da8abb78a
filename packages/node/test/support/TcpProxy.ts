/**
 * A TCP proxy between the SDK and the server, to break the network on cue without touching either:
 * `cutAll()` drops every connection, `pause()` refuses new ones (an outage), `freeze()` keeps connections open
 * but stops carrying bytes (a dead peer that never closes).
 */
import { createConnection, createServer, type Server, type Socket } from 'node:net';

export class TcpProxy {
  private readonly server: Server;
  private readonly pairs = new Set<[Socket, Socket]>();
  private paused = false;
  /** Connections accepted so far (including refused ones). */
  accepted = 0;

  private constructor(
    private readonly targetPort: number,
    private readonly targetHost: string,
  ) {
    this.server = createServer((client) => this.onConnection(client));
  }

  /** Starts a proxy on 127.0.0.1 (port 0) to `targetPort`. */
  static async start(targetPort: number, targetHost = '127.0.0.1'): Promise<TcpProxy> {
    const proxy = new TcpProxy(targetPort, targetHost);
    await new Promise<void>((resolve, reject) => {
      proxy.server.once('error', reject);
      proxy.server.listen(0, '127.0.0.1', () => resolve());
    });
    return proxy;
  }

  get port(): number {
    const address = this.server.address();
    if (address === null || typeof address === 'string') throw new Error('proxy not listening');
    return address.port;
  }

  /** The signaling URL through the proxy. */
  get url(): string {
    return `ws://127.0.0.1:${this.port}/ws`;
  }

  /** Number of live proxied connections. */
  get connectionCount(): number {
    return this.pairs.size;
  }

  /** Drops every live connection at once (both sides see a reset). */
  cutAll(): void {
    for (const [a, b] of this.pairs) {
      a.destroy();
      b.destroy();
    }
    this.pairs.clear();
  }

  /** Stops carrying bytes on live connections; they stay open, like a peer that vanished. */
  freeze(): void {
    for (const [a, b] of this.pairs) {
      a.unpipe(b);
      b.unpipe(a);
      a.pause();
      b.pause();
    }
  }

  /** New connections are accepted and closed at once, as if the server were unreachable. */
  pause(): void {
    this.paused = true;
  }

  /** New connections are proxied again. */
  resume(): void {
    this.paused = false;
  }

  async close(): Promise<void> {
    this.cutAll();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private onConnection(client: Socket): void {
    this.accepted++;
    if (this.paused) {
      client.destroy();
      return;
    }
    const upstream = createConnection(this.targetPort, this.targetHost);
    const pair: [Socket, Socket] = [client, upstream];
    this.pairs.add(pair);
    const drop = (): void => {
      client.destroy();
      upstream.destroy();
      this.pairs.delete(pair);
    };
    client.on('error', drop);
    upstream.on('error', drop);
    client.on('close', drop);
    upstream.on('close', drop);
    client.pipe(upstream);
    upstream.pipe(client);
  }
}
