/**
 * The part of the browser-standard WebSocket the engine uses. The engine never touches a global WebSocket:
 * the constructor is injected (the browser's own, or `ws` in Node), so the core runs anywhere.
 */

/** The event objects the engine reads; browser events and `ws` events both fit. */
export interface WebSocketMessageEventLike {
  readonly data: unknown;
}

export interface WebSocketCloseEventLike {
  readonly code: number;
  readonly reason: string;
}

/** A WebSocket as the engine sees it. */
export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  /** Drops the connection at once, without the closing handshake (`ws` has it; browsers do not). */
  terminate?(): void;
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: WebSocketMessageEventLike) => void) | null;
  onclose: ((event: WebSocketCloseEventLike) => void) | null;
  onerror: ((event: unknown) => void) | null;
}

/** A WebSocket constructor: `globalThis.WebSocket` in browsers, `ws`'s `WebSocket` in Node. */
export type WebSocketCtor = new (url: string) => WebSocketLike;

/** The `readyState` values of the standard. */
export const ReadyState = { CONNECTING: 0, OPEN: 1, CLOSING: 2, CLOSED: 3 } as const;
