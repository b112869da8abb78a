/**
 * The WebSocket endpoint: accepts sockets on the signaling path within the limits of their address, turns each
 * into a {@link Connection}, routes valid requests to the rooms layer, and sweeps sockets that went silent.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { type ClientFrame, CloseCode, ErrorCode, ParleyError } from '@parley/protocol';
import { type WebSocket, WebSocketServer } from 'ws';
import type { Logger } from '../log.js';
import type { RoomService } from '../rooms/RoomService.js';
import type { AddressLimits, AddressSlot } from './AddressLimits.js';
import { Connection, type ConnectionHandler } from './Connection.js';
import { handleSessionRequest } from './requestHandlers.js';

export interface SignalingOptions {
  heartbeatIntervalMs: number;
  heartbeatTimeoutMs: number;
  loginTimeoutMs: number;
  framesPerSecond: number;
  maxFrameBytes: number;
  iceServers: string[];
  /** The per-address limits; the caller owns (and closes) them. */
  limits: AddressLimits;
  logger: Logger;
  /** Told the outcome of every login: 0 for a success, else its Express code (`internal` for a fault). */
  onLogin?: (code: number | 'internal') => void;
}

/** A refused socket that does not answer our close frame within this time is cut. */
const REFUSED_CLOSE_MS = 1000;
const TOO_MANY_REQUESTS =
  'HTTP/1.1 429 Too Many Requests\r\nRetry-After: 1\r\nConnection: close\r\nContent-Length: 0\r\n\r\n';
/** The close reason of a socket whose server is going away; clients reconnect (to the server's successor). */
const GOING_AWAY_REASON = 'server restarting; reconnect';

export class SignalingServer implements ConnectionHandler {
  private readonly wss: WebSocketServer;
  /** Open connections, each with its share of its address's limits. */
  private readonly connections = new Map<Connection, AddressSlot>();
  private readonly sweepTimer: NodeJS.Timeout;
  private readonly log: Logger;
  /** Set by {@link drain}: logins and resumes are refused, and `drained` resolves once no session is connected. */
  private draining: { drained: () => void } | null = null;

  constructor(
    private readonly rooms: RoomService,
    private readonly options: SignalingOptions,
  ) {
    this.log = options.logger;
    this.wss = new WebSocketServer({
      noServer: true,
      maxPayload: options.maxFrameBytes,
      perMessageDeflate: false,
    });
    const shortest = Math.min(options.heartbeatTimeoutMs, options.loginTimeoutMs);
    const sweepEvery = Math.max(50, Math.min(1000, Math.floor(shortest / 4)));
    this.sweepTimer = setInterval(() => this.sweep(), sweepEvery);
    this.sweepTimer.unref();
  }

  get connectionCount(): number {
    return this.connections.size;
  }

  /**
   * Takes an HTTP upgrade for the signaling path. A socket beyond its address's limits is closed at once with
   * 1013 (try again later) and a reason naming the limit; while an address has many such refusals closing, its
   * further upgrades get a plain HTTP 429.
   */
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const limits = this.options.limits;
    const address = limits.addressOf(req);
    if (limits.turnAway(address)) {
      socket.end(TOO_MANY_REQUESTS, () => socket.destroy());
      return;
    }
    // Read here, not in the callback: a closure that named `req` would keep the upgrade request (its headers,
    // streams and listeners) alive for as long as the connection's options hold `takeAddressFrame`.
    const remote = `${req.socket.remoteAddress}:${req.socket.remotePort}`;
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      const admission = limits.admit(address);
      if (!admission.ok) {
        this.refuse(ws, admission.reason, admission.done);
        return;
      }
      const slot = admission.slot;
      const conn = new Connection(
        ws,
        this,
        {
          heartbeatIntervalMs: this.options.heartbeatIntervalMs,
          framesPerSecond: this.options.framesPerSecond,
          maxStrikes: 50,
          iceServers: this.options.iceServers,
          logger: this.log,
          takeAddressFrame: () => slot.takeFrame(),
        },
        remote,
      );
      this.connections.set(conn, slot);
      this.log.debug('socket open', { remote });
    });
  }

  /** Closes a socket refused by its address's limits; one that ignores the close handshake is cut soon. */
  private refuse(ws: WebSocket, reason: string, done: () => void): void {
    const cut = setTimeout(() => ws.terminate(), REFUSED_CLOSE_MS);
    cut.unref();
    ws.on('error', () => {});
    ws.once('close', () => {
      clearTimeout(cut);
      done();
    });
    ws.close(CloseCode.TryAgainLater, reason);
  }

  handle(conn: Connection, frame: ClientFrame): void | Promise<void> {
    const rooms = this.rooms;
    if (frame.t === 'hb') {
      if (conn.session) rooms.ack(conn.session, frame.ack);
      return;
    }
    if (this.draining && (frame.t === 'login' || frame.t === 'resume')) {
      if (frame.t === 'login') this.options.onLogin?.(ErrorCode.SERVER_DRAINING);
      conn.refuse(frame.id, ErrorCode.SERVER_DRAINING);
      conn.close(CloseCode.GoingAway, GOING_AWAY_REASON);
      return;
    }
    if (frame.t === 'login') {
      const slot = this.connections.get(conn);
      // One login of a socket at a time: a second one waits, so it finds the session the first one made and
      // the address limits count the first one's outcome.
      const login = conn.loginQueue.then(() => {
        slot?.checkLogin();
        return rooms.login({ session: conn.session, nonce: conn.nonce, transport: conn }, frame, (data) =>
          conn.reply<'login'>(frame.id, data),
        );
      });
      conn.loginQueue = login.then(
        () => {},
        () => {},
      );
      return login.then(
        (session) => {
          slot?.loginSucceeded();
          this.options.onLogin?.(0);
          conn.session = session;
          // The socket closed while the cluster was asked: the session waits for a resume as after any drop.
          if (conn.closed && session.transport === conn) rooms.detach(session, 'closed');
        },
        (err: unknown) => {
          slot?.loginFailed(err);
          const code = (err as { code?: unknown } | null)?.code;
          this.options.onLogin?.(typeof code === 'number' ? code : 'internal');
          throw err;
        },
      );
    }
    if (frame.t === 'resume') {
      if (conn.session) throw ParleyError.of(ErrorCode.INPUT_PARAMETER, 'this socket already has a session');
      conn.session = rooms.resume(conn, frame.sessionID, frame.resumeKey, frame.lastSeq, (data) =>
        conn.reply<'resume'>(frame.id, data),
      );
      this.connections.get(conn)?.loggedIn();
      return;
    }
    const session = conn.session;
    if (!session || session.isClosed) {
      conn.session = null;
      throw ParleyError.of(ErrorCode.NOT_LOGGED_IN);
    }
    const ctx = {
      rooms,
      session,
      sessionEnded: () => {
        conn.session = null;
      },
    };
    const data = handleSessionRequest(ctx, frame);
    if (data instanceof Promise) return data.then((d) => conn.reply(frame.id, d));
    conn.reply(frame.id, data);
  }

  closed(conn: Connection, cause: 'closed' | 'heartbeat'): void {
    this.connections.get(conn)?.release();
    this.connections.delete(conn);
    const session = conn.session;
    conn.session = null;
    // Only the socket the session is attached to may detach it: a replaced socket closing later must not.
    if (session && session.transport === conn) this.rooms.detach(session, cause);
    this.log.debug('socket closed', { remote: conn.remote, cause });
    if (this.draining && !this.hasConnectedSession()) this.draining.drained();
  }

  /**
   * Starts a graceful shutdown: every client is told to reconnect — its socket is closed with 1001 (going
   * away), and a client that comes back finds its login or resume refused with 1002098 (and the socket closed
   * the same way) until the server is gone. Resolves once no socket carries a session any more, or after
   * `timeoutMs`; the caller then closes the server.
   */
  drain(timeoutMs: number): Promise<void> {
    if (this.draining) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.log.warn('drain timed out; closing the remaining sockets', { sockets: this.connections.size });
        done();
      }, timeoutMs);
      const done = (): void => {
        clearTimeout(timer);
        resolve();
      };
      this.draining = { drained: done };
      this.log.info('draining', { sockets: this.connections.size, timeoutMs });
      for (const conn of this.connections.keys()) conn.close(CloseCode.GoingAway, GOING_AWAY_REASON);
      if (!this.hasConnectedSession()) done();
    });
  }

  private hasConnectedSession(): boolean {
    for (const conn of this.connections.keys()) if (conn.hadSession) return true;
    return false;
  }

  /** Closes sockets not heard from within the heartbeat timeout, and sockets that never got a session. */
  private sweep(): void {
    const now = Date.now();
    const deadline = now - this.options.heartbeatTimeoutMs;
    const loginDeadline = now - this.options.loginTimeoutMs;
    for (const conn of this.connections.keys()) {
      if (!conn.hadSession && conn.openedAt < loginDeadline) {
        this.log.info('login timeout', { remote: conn.remote });
        conn.close(CloseCode.LoginTimeout, 'no login in time');
      } else if (conn.lastHeardAt < deadline) {
        this.log.info('heartbeat timeout', { remote: conn.remote });
        conn.expire();
      }
    }
  }

  async close(): Promise<void> {
    clearInterval(this.sweepTimer);
    // A client that reconnects while the server closes is refused like during a drain: it tries again later.
    this.draining ??= { drained: () => {} };
    for (const conn of this.connections.keys()) conn.close(CloseCode.GoingAway, 'server shutting down');
    // Give clients a moment to finish the close handshake, then cut whoever has not.
    const deadline = Date.now() + 500;
    while (this.wss.clients.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    for (const client of this.wss.clients) client.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }
}
