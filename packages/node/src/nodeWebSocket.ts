/**
 * `ws` as the engine's WebSocket. Node 20 has no global WebSocket; `ws` implements the browser-standard
 * surface the engine uses (`onopen`/`onmessage`/`onclose`/`onerror`, text frames as strings in `onmessage`),
 * plus `terminate()`, which the engine uses to drop a dead connection without waiting for a close handshake.
 */
import type { WebSocketCtor } from '@parley/engine';
import WebSocket from 'ws';

// ws's handler properties take ws's own event classes, which TypeScript cannot prove are the `unknown`-taking
// handlers of WebSocketLike (handler properties are checked in one direction only); at run time they are.
export const NodeWebSocket = WebSocket as unknown as WebSocketCtor;
