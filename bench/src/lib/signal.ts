/**
 * A minimal signaling client for benchmarks: JSON requests with ids over the server's WebSocket, events
 * acknowledged in the heartbeats (so the server's outbox stays small), heartbeats at the interval the server
 * announces in `hello` — as light as a client can be, so the bench process spends its CPU on load, not on SDK
 * bookkeeping. `onEvent(ev, at)` gets each event with the performance.now() of its arrival, taken before the
 * frame is parsed.
 */
import WebSocket from 'ws';
import { APP, tokenFor } from './serverProcess.js';

/** An event the server pushed (its `ev`), as the bench reads it: a type and the event's own fields. */
export interface ServerEvent {
  type: string;
  [field: string]: unknown;
}

/** The server's `hello`: the bench reads its ICE servers and heartbeat interval. */
export interface Hello {
  iceServers: string[];
  heartbeatIntervalMs: number;
  [field: string]: unknown;
}

/** A frame from the server (protocol: `hello`, `reply`, `evt`, …). */
type Frame =
  | ({ t: 'hello' } & Hello)
  | { t: 'reply'; id: number; code: number; msg?: string; data?: Record<string, unknown> }
  | { t: 'evt'; seq: number; ev: ServerEvent }
  | { t: 'other' };

/** A reply's data: the bench reads the fields it asked for (`sdp`, …). */
export type ReplyData = Record<string, unknown> & { sdp?: string };

/** A connected signaling client. */
export interface SignalClient {
  hello: Hello;
  /** Every event so far, when opened with `keepEvents`. */
  events: ServerEvent[];
  request(t: string, fields?: object): Promise<ReplyData>;
  /** Resolves with the next event for which `match(ev)` is true. */
  nextEvent(match: (ev: ServerEvent) => boolean): Promise<ServerEvent>;
  close(): void;
}

/** How to open a client. */
export interface ConnectOptions {
  onEvent?: ((ev: ServerEvent, at: number) => void) | null;
  keepEvents?: boolean;
}

/** Opens a socket and waits for `hello`. */
export async function connect(
  url: string,
  { onEvent = null, keepEvents = false }: ConnectOptions = {},
): Promise<SignalClient> {
  const ws = new WebSocket(url, { perMessageDeflate: false });
  const pending = new Map<number, { resolve: (data: ReplyData) => void; reject: (err: Error) => void }>();
  const events: ServerEvent[] = [];
  const waiters: { match: (ev: ServerEvent) => boolean; resolve: (ev: ServerEvent) => void }[] = [];
  let hello: Hello | undefined;
  let nextId = 1;
  let lastSeq = 0;
  let heartbeat: NodeJS.Timeout | undefined;
  await new Promise<void>((resolve, reject) => {
    ws.on('message', (data: Buffer) => {
      const at = performance.now();
      // The server's frames, as its protocol defines them; the bench reads only the fields above.
      const frame = JSON.parse(data.toString()) as Frame;
      if (frame.t === 'evt') {
        lastSeq = frame.seq;
        if (keepEvents) events.push(frame.ev);
        onEvent?.(frame.ev, at);
        for (let i = waiters.length - 1; i >= 0; i--) {
          if (waiters[i]?.match(frame.ev)) waiters.splice(i, 1)[0]?.resolve(frame.ev);
        }
      } else if (frame.t === 'reply') {
        const p = pending.get(frame.id);
        pending.delete(frame.id);
        if (frame.code === 0) p?.resolve(frame.data ?? {});
        else p?.reject(new Error(`${frame.code} ${frame.msg}`));
      } else if (frame.t === 'hello') {
        hello = frame;
        resolve();
      }
    });
    ws.once('error', reject);
    ws.once('close', () => {
      clearInterval(heartbeat);
      for (const p of pending.values()) p.reject(new Error('socket closed'));
      pending.clear();
    });
  });
  ws.on('error', () => {});
  if (hello === undefined) throw new Error('no hello');
  const helloFrame: Hello = hello; // a reset after the handshake: 'close' follows, pending requests reject there
  heartbeat = setInterval(() => {
    if (ws.readyState === WebSocket.OPEN) ws.send(`{"t":"hb","ack":${lastSeq}}`);
  }, helloFrame.heartbeatIntervalMs);
  heartbeat.unref();
  return {
    hello: helloFrame,
    events,
    request(t, fields = {}) {
      const id = nextId++;
      return new Promise<ReplyData>((resolve, reject) => {
        pending.set(id, { resolve, reject });
        ws.send(JSON.stringify({ t, id, ...fields }));
      });
    },
    nextEvent(match) {
      return new Promise<ServerEvent>((resolve) => waiters.push({ match, resolve }));
    },
    close() {
      clearInterval(heartbeat);
      ws.close();
    },
  };
}

/** The `login` request of `userID` to `roomID` with a Token04. */
export function loginRequest(
  roomID: string,
  userID: string,
  { userUpdate = false, token = tokenFor(userID) }: { userUpdate?: boolean; token?: string } = {},
): object {
  return {
    appID: APP.appID,
    roomID,
    user: { userID, userName: userID },
    auth: { kind: 'token', token },
    config: { userUpdate, maxMemberCount: 0 },
  };
}

/** Connects and logs `userID` in to `roomID`; resolves with the client. */
export async function login(
  url: string,
  roomID: string,
  userID: string,
  options: ConnectOptions & { userUpdate?: boolean; token?: string } = {},
): Promise<SignalClient> {
  const client = await connect(url, options);
  await client.request('login', loginRequest(roomID, userID, options));
  return client;
}
