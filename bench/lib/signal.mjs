/**
 * A minimal signaling client for benchmarks: JSON requests with ids over the server's WebSocket, events
 * acknowledged in the heartbeats (so the server's outbox stays small), heartbeats at the interval the server
 * announces in `hello` — as light as a client can be, so the bench process spends its CPU on load, not on SDK
 * bookkeeping. `onEvent(ev, at)` gets each event with the performance.now() of its arrival, taken before the
 * frame is parsed.
 */
import WebSocket from 'ws';
import { APP, tokenFor } from './serverProcess.mjs';

/** Opens a socket and waits for `hello`. */
export async function connect(url, { onEvent = null, keepEvents = false } = {}) {
  const ws = new WebSocket(url, { perMessageDeflate: false });
  const pending = new Map();
  const events = [];
  const waiters = [];
  let hello;
  let nextId = 1;
  let lastSeq = 0;
  let heartbeat = null;
  await new Promise((resolve, reject) => {
    ws.on('message', (data) => {
      const at = performance.now();
      const frame = JSON.parse(data.toString());
      if (frame.t === 'evt') {
        lastSeq = frame.seq;
        if (keepEvents) events.push(frame.ev);
        onEvent?.(frame.ev, at);
        for (let i = waiters.length - 1; i >= 0; i--) {
          if (waiters[i].match(frame.ev)) waiters.splice(i, 1)[0].resolve(frame.ev);
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
  ws.on('error', () => {}); // a reset after the handshake: 'close' follows, pending requests reject there
  heartbeat = setInterval(() => {
    if (ws.readyState === WebSocket.OPEN) ws.send(`{"t":"hb","ack":${lastSeq}}`);
  }, hello.heartbeatIntervalMs);
  heartbeat.unref();
  return {
    hello,
    events,
    request(t, fields = {}) {
      const id = nextId++;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject });
        ws.send(JSON.stringify({ t, id, ...fields }));
      });
    },
    /** Resolves with the next event for which `match(ev)` is true. */
    nextEvent(match) {
      return new Promise((resolve) => waiters.push({ match, resolve }));
    },
    close() {
      clearInterval(heartbeat);
      ws.close();
    },
  };
}

/** The `login` request of `userID` to `roomID` with a Token04. */
export function loginRequest(roomID, userID, { userUpdate = false, token = tokenFor(userID) } = {}) {
  return {
    appID: APP.appID,
    roomID,
    user: { userID, userName: userID },
    auth: { kind: 'token', token },
    config: { userUpdate, maxMemberCount: 0 },
  };
}

/** Connects and logs `userID` in to `roomID`; resolves with the client. */
export async function login(url, roomID, userID, options = {}) {
  const client = await connect(url, options);
  await client.request('login', loginRequest(roomID, userID, options));
  return client;
}
