/**
 * One client socket: parses and rate-limits its frames, answers heartbeats, and hands requests to the
 * dispatcher. A bad frame gets an error reply and never reaches the rooms layer; a client that keeps sending
 * bad frames or floods is closed with 1008. Nothing a client sends can throw out of here.
 */
import { randomBytes } from 'node:crypto';
import {
  CloseCode,
  ErrorCode,
  errorMessage,
  type HelloFrame,
  PROTOCOL_VERSION,
  parseClientFrame,
  type ServerFrame,
} from '@parley/protocol';
import type { RawData, WebSocket } from 'ws';
import type { Logger } from '../log.js';
import type { Session, SessionTransport } from '../rooms/Session.js';
import { TokenBucket } from '../util/TokenBucket.js';

export interface ConnectionOptions {
  heartbeatIntervalMs: number;
  framesPerSecond: number;
  /** Bad or throttled frames tolerated in a burst (refilled over a minute) before the socket is closed. */
  maxStrikes: number;
  /** STUN URLs announced in `hello` for the clients' ICE. */
  iceServers: string[];
  logger: Logger;
  /** Takes a frame from the budget this socket shares with the other sockets of its address; false if spent. */
  takeAddressFrame?: () => boolean;
}

export interface ConnectionHandler {
  /** Handles one valid frame; a returned promise rejects with the request's error (the handler replied on success). */
  handle(
    conn: Connection,
    frame: Exclude<ReturnType<typeof parseClientFrame>, { ok: false }>['value'],
  ): void | Promise<void>;
  /** The socket closed (or was closed); `cause` says whether it went silent. */
  closed(conn: Connection, cause: 'closed' | 'heartbeat'): void;
}

export class Connection implements SessionTransport {
  readonly nonce = randomBytes(16).toString('hex');
  private sessionRef: Session | null = null;
  /** True once a login or resume gave this socket a session; sockets that never get one are closed in time. */
  hadSession = false;
  readonly openedAt = Date.now();
  lastHeardAt = Date.now();
  private readonly bucket: TokenBucket;
  private readonly strikes: TokenBucket;
  private throttledNoticeAt = 0;
  private closeCause: 'closed' | 'heartbeat' = 'closed';
  private isClosed = false;

  constructor(
    private readonly ws: WebSocket,
    private readonly handler: ConnectionHandler,
    private readonly options: ConnectionOptions,
    readonly remote: string,
  ) {
    this.bucket = new TokenBucket(options.framesPerSecond, options.framesPerSecond * 2);
    this.strikes = new TokenBucket(options.maxStrikes / 60, options.maxStrikes);
    ws.on('message', (data, isBinary) => this.onMessage(data, isBinary));
    ws.on('close', () => this.onClose());
    ws.on('error', (err) => options.logger.debug('socket error', { remote, err: err.message }));
    const hello: HelloFrame = {
      t: 'hello',
      version: PROTOCOL_VERSION,
      nonce: this.nonce,
      heartbeatIntervalMs: options.heartbeatIntervalMs,
      iceServers: options.iceServers,
    };
    this.sendFrame(hello);
  }

  /** The session this socket carries, once it logged in or resumed. */
  get session(): Session | null {
    return this.sessionRef;
  }

  set session(session: Session | null) {
    this.sessionRef = session;
    if (session) this.hadSession = true;
  }

  get closed(): boolean {
    return this.isClosed;
  }

  send(text: string): void {
    if (this.ws.readyState === this.ws.OPEN) this.ws.send(text);
  }

  sendFrame(frame: ServerFrame): void {
    this.send(JSON.stringify(frame));
  }

  reply(id: number, code: number, data?: unknown, msg?: string): void {
    this.send(JSON.stringify({ t: 'reply', id, code, msg: msg ?? errorMessage(code), data }));
  }

  /** Closes the socket; the rooms layer calls this on kickout or when a newer socket resumed the session. */
  close(code: number, reason: string): void {
    // Whatever this socket still sends must not act on the session any more.
    this.session = null;
    this.closeSocket(code, reason);
  }

  private closeSocket(code: number, reason: string): void {
    if (this.ws.readyState === this.ws.CLOSED || this.ws.readyState === this.ws.CLOSING) return;
    this.ws.close(code, reason);
  }

  /** Closes a socket that stopped talking; its session is kept for a resume, marked as a heartbeat timeout. */
  expire(): void {
    this.closeCause = 'heartbeat';
    this.ws.terminate();
  }

  private onMessage(data: RawData, isBinary: boolean): void {
    this.lastHeardAt = Date.now();
    if (!this.bucket.take() || this.options.takeAddressFrame?.() === false) {
      this.strike(ErrorCode.MESSAGE_TOO_FREQUENT, 'too many frames');
      return;
    }
    if (isBinary) {
      this.strike(ErrorCode.INPUT_PARAMETER, 'binary frames are not part of the protocol');
      return;
    }
    const parsed = parseClientFrame(data.toString());
    if (!parsed.ok) {
      if (parsed.id !== null) this.reply(parsed.id, parsed.code, undefined, parsed.msg);
      this.strike(parsed.code, parsed.msg, parsed.id !== null);
      return;
    }
    const frame = parsed.value;
    if (frame.t === 'hb') {
      this.send('{"t":"hb"}');
      this.handler.handle(this, frame);
      return;
    }
    try {
      const pending = this.handler.handle(this, frame);
      pending?.catch((err: unknown) => this.replyError(frame.id, frame.t, err));
    } catch (err) {
      this.replyError(frame.id, frame.t, err);
    }
  }

  /** Replies to a request that failed: with its Express code, or as an internal error (logged). */
  private replyError(id: number, type: string, err: unknown): void {
    const code = typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 0;
    if (code > 0) {
      this.reply(id, code, undefined, (err as { msg?: string }).msg ?? (err as Error).message);
    } else {
      this.options.logger.error('request failed', { type, err });
      this.reply(id, ErrorCode.INPUT_PARAMETER, undefined, 'internal error');
    }
  }

  /** Counts a bad frame: tells the client (unless it already got a reply), and closes after too many. */
  private strike(code: number, msg: string, replied = false): void {
    if (!this.strikes.take()) {
      this.options.logger.warn('closing misbehaving socket', { remote: this.remote, code, msg });
      // The session, if any, stays for the grace period like after any other lost socket.
      this.closeSocket(CloseCode.PolicyViolation, msg.slice(0, 100));
      return;
    }
    const now = Date.now();
    if (code === ErrorCode.MESSAGE_TOO_FREQUENT) {
      if (now - this.throttledNoticeAt < 1000) return;
      this.throttledNoticeAt = now;
    }
    if (!replied) this.sendFrame({ t: 'error', code, msg });
  }

  private onClose(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    this.handler.closed(this, this.closeCause);
  }
}
