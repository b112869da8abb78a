/**
 * An in-memory WebSocket for unit tests of the signaling client's own logic (sequence numbers, timeouts,
 * heartbeats). Integration tests use the real server; this only stands in where the server cannot be made to
 * misbehave on cue (stay silent, repeat an event).
 */
import type { WebSocketCloseEventLike, WebSocketLike, WebSocketMessageEventLike } from '../../src/index.js';

export class ScriptedSocket implements WebSocketLike {
  static last: ScriptedSocket | null = null;
  readyState = 0;
  readonly sent: any[] = [];
  onopen: ((event: unknown) => void) | null = null;
  onmessage: ((event: WebSocketMessageEventLike) => void) | null = null;
  onclose: ((event: WebSocketCloseEventLike) => void) | null = null;
  onerror: ((event: unknown) => void) | null = null;
  closedWith: { code?: number; reason?: string } | null = null;
  terminated = false;

  constructor(readonly url: string) {
    ScriptedSocket.last = this;
  }

  /** The server side: opens the socket and says hello. */
  open(heartbeatIntervalMs = 1000): void {
    this.readyState = 1;
    this.onopen?.({});
    this.serverSends({ t: 'hello', version: 1, nonce: 'n0', heartbeatIntervalMs });
  }

  serverSends(frame: unknown): void {
    this.onmessage?.({ data: JSON.stringify(frame) });
  }

  serverCloses(code = 1006, reason = ''): void {
    this.readyState = 3;
    this.onclose?.({ code, reason });
  }

  send(data: string): void {
    const frame = JSON.parse(data);
    this.sent.push(frame);
    for (const w of [...this.waiters]) {
      if (w.predicate(frame)) {
        this.waiters.delete(w);
        w.resolve(frame);
      }
    }
  }

  private readonly waiters = new Set<{ predicate: (frame: any) => boolean; resolve: (frame: any) => void }>();

  /** Resolves with the first frame the client sends (or sent) that matches. */
  nextSent(predicate: (frame: any) => boolean): Promise<any> {
    const already = this.sent.find(predicate);
    if (already) return Promise.resolve(already);
    return new Promise((resolve) => this.waiters.add({ predicate, resolve }));
  }

  close(code?: number, reason?: string): void {
    this.closedWith = { code, reason };
    this.readyState = 3;
  }

  terminate(): void {
    this.terminated = true;
    this.readyState = 3;
  }
}
