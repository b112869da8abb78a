/**
 * A WebSocket client for hostile-input tests: sends anything (text that is not JSON or not UTF-8, binary,
 * oversized frames), counts what it sent, and keeps everything the server answered and how it closed.
 */
import type { ServerFrame } from '@parley/protocol';
import { WebSocket } from 'ws';

export interface CloseInfo {
  code: number;
  reason: string;
}

/** Rejects after `ms` with a message naming what was awaited, so a hang fails fast and readably. */
export function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export class HostileSocket {
  /** Every frame the server sent, parsed; `unparsable` holds any that was not JSON. */
  readonly frames: ServerFrame[] = [];
  readonly unparsable: string[] = [];
  /** Frames this socket sent. */
  sent = 0;
  private closeInfo: CloseInfo | null = null;
  private readonly closed: Promise<CloseInfo>;
  private listeners: (() => void)[] = [];

  private constructor(private readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const text = data.toString();
      try {
        this.frames.push(JSON.parse(text) as ServerFrame);
      } catch {
        this.unparsable.push(text.slice(0, 200));
      }
      for (const l of this.listeners) l();
    });
    // A socket the server closed on a protocol error may also see a reset; the close event still follows.
    ws.on('error', () => {});
    this.closed = new Promise((resolve) => {
      ws.on('close', (code, reason) => {
        this.closeInfo = { code, reason: reason.toString() };
        for (const l of this.listeners) l();
        resolve(this.closeInfo);
      });
    });
  }

  static async open(url: string): Promise<HostileSocket> {
    const s = new HostileSocket(new WebSocket(url, { maxPayload: 1 << 20 }));
    await within(
      s.until(() => s.frames.some((f) => f.t === 'hello')),
      5000,
      'hello',
    );
    if (s.isClosed) throw new Error(`closed before hello: ${JSON.stringify(s.closeInfo)}`);
    return s;
  }

  get isClosed(): boolean {
    return this.closeInfo !== null;
  }

  get nonce(): string {
    const hello = this.frames.find((f) => f.t === 'hello');
    return hello?.t === 'hello' ? hello.nonce : '';
  }

  /** Sends text (or bytes as a text frame when `binary` is false), or an object as JSON. */
  send(data: string | Buffer | object, binary = false): void {
    this.sent++;
    const payload = typeof data === 'string' || Buffer.isBuffer(data) ? data : JSON.stringify(data);
    this.ws.send(payload, { binary });
  }

  /** Resolves once `done()` holds, checked after every frame and on close. */
  until(done: () => boolean): Promise<void> {
    if (done() || this.isClosed) return Promise.resolve();
    return new Promise((resolve) => {
      const check = (): void => {
        if (!done() && !this.isClosed) return;
        this.listeners = this.listeners.filter((l) => l !== check);
        resolve();
      };
      this.listeners.push(check);
    });
  }

  /**
   * A barrier: sends a heartbeat and waits for its answer, so every frame sent before has been handled.
   * Returns false if the server closed the socket instead.
   */
  async barrier(): Promise<boolean> {
    if (this.isClosed) return false;
    const count = (): number => this.frames.filter((f) => f.t === 'hb').length;
    const before = count();
    this.send({ t: 'hb', ack: 0 });
    await within(
      this.until(() => count() > before),
      5000,
      'a heartbeat answer',
    );
    return !this.isClosed;
  }

  /** Sends a request with `id` and waits for its reply (or the close). */
  async request(frame: Record<string, unknown> & { id: number }): Promise<ServerFrame | null> {
    this.send(frame);
    const match = (f: ServerFrame): boolean => f.t === 'reply' && f.id === frame.id;
    await within(
      this.until(() => this.frames.some(match)),
      5000,
      `the reply to ${String(frame['t'])}`,
    );
    return this.frames.find(match) ?? null;
  }

  waitClose(): Promise<CloseInfo> {
    return within(this.closed, 5000, 'the server to close the socket');
  }

  /** Closes from this side, if the server has not. */
  async close(): Promise<CloseInfo> {
    if (!this.isClosed) this.ws.close();
    return this.waitClose();
  }
}
