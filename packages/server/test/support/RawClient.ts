/**
 * A bare protocol client for server tests: sends frames as given (valid or not) and awaits frames by predicate.
 * It keeps every frame it received, so a test can also assert that something did NOT arrive.
 */
import type { EventFrame, ReplyFrame, ServerEvent, ServerFrame } from '@parley/protocol';
import { type ClientOptions, WebSocket } from 'ws';

type Waiter = {
  match: (f: ServerFrame) => boolean;
  resolve: (f: ServerFrame) => void;
  reject: (e: Error) => void;
};

export class RawClient {
  readonly frames: ServerFrame[] = [];
  nonce = '';
  private nextId = 1;
  private waiters: Waiter[] = [];
  private closeInfo: { code: number; reason: string } | null = null;
  private closeWaiters: ((info: { code: number; reason: string }) => void)[] = [];

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const frame = JSON.parse(data.toString()) as ServerFrame;
      if (frame.t === 'hello') this.nonce = frame.nonce;
      this.frames.push(frame);
      for (const w of [...this.waiters]) {
        if (w.match(frame)) {
          this.waiters.splice(this.waiters.indexOf(w), 1);
          w.resolve(frame);
        }
      }
    });
    ws.on('close', (code, reason) => {
      this.closeInfo = { code, reason: reason.toString() };
      for (const w of this.waiters) w.reject(new Error(`socket closed (${code}) while waiting`));
      this.waiters = [];
      for (const c of this.closeWaiters) c(this.closeInfo);
    });
  }

  /** @param options of the `ws` client: the `ca` to trust for a `wss:` address, or a `localAddress` (any
   *   127.x.y.z on Linux) to make the server see the client at another address. */
  static async connect(url: string, options?: ClientOptions): Promise<RawClient> {
    const ws = new WebSocket(url, options);
    const client = new RawClient(ws);
    await client.waitFrame((f) => f.t === 'hello');
    return client;
  }

  /** Sends raw text or a JSON-encoded object. */
  sendRaw(data: string | Buffer | object): void {
    this.ws.send(typeof data === 'string' || Buffer.isBuffer(data) ? data : JSON.stringify(data));
  }

  /** Sends a request with a fresh id and resolves with its reply (whatever its code). */
  async request(t: string, fields: Record<string, unknown> = {}): Promise<ReplyFrame> {
    const id = this.nextId++;
    this.sendRaw({ t, id, ...fields });
    return (await this.waitFrame((f) => f.t === 'reply' && f.id === id)) as ReplyFrame;
  }

  waitFrame(match: (f: ServerFrame) => boolean, timeoutMs = 5000): Promise<ServerFrame> {
    const seen = this.frames.find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(new Error('timed out waiting for a frame'));
      }, timeoutMs);
      const waiter: Waiter = {
        match,
        resolve: (f) => {
          clearTimeout(timer);
          resolve(f);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      };
      if (this.closeInfo) return waiter.reject(new Error('socket already closed'));
      this.waiters.push(waiter);
    });
  }

  /** Waits for an event matching `match`, among those received after `afterSeq`. */
  async waitEvent<K extends ServerEvent['type']>(
    type: K,
    match: (ev: Extract<ServerEvent, { type: K }>) => boolean = () => true,
    timeoutMs = 5000,
  ): Promise<Extract<ServerEvent, { type: K }>> {
    const frame = (await this.waitFrame(
      (f) => f.t === 'evt' && f.ev.type === type && match(f.ev as Extract<ServerEvent, { type: K }>),
      timeoutMs,
    )) as EventFrame;
    return frame.ev as Extract<ServerEvent, { type: K }>;
  }

  events<K extends ServerEvent['type']>(type: K): Extract<ServerEvent, { type: K }>[] {
    return this.frames
      .filter((f): f is EventFrame => f.t === 'evt' && f.ev.type === type)
      .map((f) => f.ev as Extract<ServerEvent, { type: K }>);
  }

  lastSeq(): number {
    return this.frames.reduce((m, f) => (f.t === 'evt' ? Math.max(m, f.seq) : m), 0);
  }

  /**
   * A barrier: sends a heartbeat and waits for its answer. Everything the server sent this client before it
   * handled the heartbeat has then arrived, so a test can assert that an event did not come.
   */
  async sync(): Promise<void> {
    const before = this.frames.filter((f) => f.t === 'hb').length;
    this.sendRaw({ t: 'hb', ack: this.lastSeq() });
    await this.waitFrame(() => this.frames.filter((f) => f.t === 'hb').length > before);
  }

  waitClose(): Promise<{ code: number; reason: string }> {
    if (this.closeInfo) return Promise.resolve(this.closeInfo);
    return new Promise((resolve) => this.closeWaiters.push(resolve));
  }

  get isClosed(): boolean {
    return this.closeInfo !== null;
  }

  close(): Promise<{ code: number; reason: string }> {
    if (!this.closeInfo) this.ws.close();
    return this.waitClose();
  }

  /** Cuts the TCP connection without a close handshake, as a network fault would. */
  cut(): Promise<{ code: number; reason: string }> {
    this.ws.terminate();
    return this.waitClose();
  }
}
