/**
 * One client socket: parses and rate-limits its frames, answers heartbeats, and hands requests to the
 * dispatcher. A bad frame gets an error reply and never reaches the rooms layer; a client that keeps sending
 * bad frames or floods is closed with 1008.
 *
 * This class is the boundary between one socket and the process: nothing thrown while handling the
 * socket's frames (parser, dispatcher, rooms layer) or its close may reach the `ws` emitter, where it would
 * end the process and every room in it. What the rooms layer calls here (`send`, `close`) never throws
 * either, so a fan-out to many sockets cannot be cut short by one of them.
 */
import { randomBytes } from 'node:crypto';
import {
  type ClientRequestType,
  CloseCode,
  ErrorCode,
  encodeErrorReply,
  encodeFrame,
  encodeReply,
  errorMessage,
  type HelloFrame,
  isKnownErrorCode,
  PROTOCOL_VERSION,
  parseClientFrame,
  type ReplyData,
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
  /** The socket's latest login request, which the next one waits for (see SignalingServer.handle). */
  loginQueue: Promise<void> = Promise.resolve();
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
    ws.on('close', () => this.contain('socket close handling failed', {}, () => this.onClose()));
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

  /** Sends a frame's text; a socket that cannot take it is cut, and the caller (a fan-out) carries on. */
  send(text: string): void {
    if (this.ws.readyState !== this.ws.OPEN) return;
    this.contain(
      'send failed',
      {},
      () => this.ws.send(text),
      () => this.ws.terminate(),
    );
  }

  sendFrame(frame: Parameters<typeof encodeFrame>[0]): void {
    this.contain('frame not serialisable', { type: frame.t }, () => this.send(encodeFrame(frame)));
  }

  /** Answers request `id` of type `T` with success and the reply data the protocol declares for `T`. */
  reply<T extends ClientRequestType>(id: number, data: ReplyData[T]): void {
    let text: string;
    try {
      text = encodeReply<T>(id, errorMessage(0), data);
    } catch (err) {
      // The request was handled, but its reply data cannot be sent: the client still gets an answer.
      this.options.logger.error('reply not serialisable', { remote: this.remote, ...errorFields(err) });
      text = encodeErrorReply(id, ErrorCode.INPUT_PARAMETER, 'internal error');
    }
    this.send(text);
  }

  /** Refuses request `id` with an Express error code (not 0). */
  refuse(id: number, code: number, msg: string = errorMessage(code)): void {
    this.send(encodeErrorReply(id, code, msg));
  }

  /** Closes the socket; the rooms layer calls this on kickout or when a newer socket resumed the session. */
  close(code: number, reason: string): void {
    // Whatever this socket still sends must not act on the session any more.
    this.session = null;
    this.closeSocket(code, reason);
  }

  private closeSocket(code: number, reason: string): void {
    if (this.ws.readyState === this.ws.CLOSED || this.ws.readyState === this.ws.CLOSING) return;
    // ws throws on a reason over 123 bytes or a code it does not allow; then the socket is cut instead.
    this.contain(
      'close failed',
      { code },
      () => this.ws.close(code, reason),
      () => this.ws.terminate(),
    );
  }

  /** Closes a socket that stopped talking; its session is kept for a resume, marked as a heartbeat timeout. */
  expire(): void {
    this.closeCause = 'heartbeat';
    this.ws.terminate();
  }

  /** Handles one frame; every exception ends here, answered and logged, never reaching the `ws` emitter. */
  private onMessage(data: RawData, isBinary: boolean): void {
    let request: { id: number; t: string } | null = null;
    try {
      this.lastHeardAt = Date.now();
      if (!this.bucket.take() || this.options.takeAddressFrame?.() === false) {
        this.strike(ErrorCode.MESSAGE_TOO_FREQUENT, 'too many frames');
        return;
      }
      if (isBinary) {
        this.strike(ErrorCode.INPUT_PARAMETER, 'binary frames are not part of the protocol');
        return;
      }
      const parsed = parseClientFrame(textOf(data));
      if (!parsed.ok) {
        if (parsed.id !== null) this.refuse(parsed.id, parsed.code, parsed.msg);
        this.strike(parsed.code, parsed.msg, parsed.id !== null);
        return;
      }
      const frame = parsed.value;
      if (frame.t === 'hb') {
        this.send('{"t":"hb"}');
        this.handler.handle(this, frame);
        return;
      }
      request = frame;
      const pending = this.handler.handle(this, frame);
      pending?.catch((err: unknown) => this.replyError(frame.id, frame.t, err));
    } catch (err) {
      if (request) this.replyError(request.id, request.t, err);
      else this.frameFailed(data, isBinary, err);
    }
  }

  /** Replies to a request that failed: with its Express code, or as an internal error (logged). */
  private replyError(id: number, type: string, err: unknown): void {
    this.contain('error reply failed', { type }, () => {
      const code = expressCode(err);
      if (code !== null) {
        this.refuse(id, code, expressMessage(err, code));
        return;
      }
      this.options.logger.error('request failed', { remote: this.remote, type, ...errorFields(err) });
      this.refuse(id, ErrorCode.INPUT_PARAMETER, 'internal error');
    });
  }

  /** A frame that is no request failed before (or after) its handling: logged by size, counted, answered. */
  private frameFailed(data: RawData, isBinary: boolean, err: unknown): void {
    this.options.logger.error('frame handling failed', {
      remote: this.remote,
      bytes: byteLengthOf(data),
      binary: isBinary,
      ...errorFields(err),
    });
    this.contain('frame failure handling failed', {}, () =>
      this.strike(ErrorCode.INPUT_PARAMETER, 'internal error'),
    );
  }

  /**
   * Runs `fn`; an exception is logged without any client content and, if given, `recover` runs. For the
   * paths the rooms layer or the `ws` emitter call, where an exception must not travel on.
   */
  private contain(what: string, fields: Record<string, unknown>, fn: () => void, recover?: () => void): void {
    try {
      fn();
    } catch (err) {
      try {
        this.options.logger.error(what, { remote: this.remote, ...fields, ...errorFields(err) });
        recover?.();
      } catch {
        // Logging or cutting the socket failed too; there is nothing left to do for this socket here.
      }
    }
  }

  /** Counts a bad frame: tells the client (unless it already got a reply), and closes after too many. */
  private strike(code: number, msg: string, replied = false): void {
    if (!this.strikes.take()) {
      this.options.logger.warn('closing misbehaving socket', { remote: this.remote, code, msg });
      // The session, if any, stays for the grace period like after any other lost socket. The reason is fixed
      // ASCII: a close reason over 123 bytes throws, and one cut from `msg` could carry multi-byte input.
      const reason = code === ErrorCode.MESSAGE_TOO_FREQUENT ? 'too many frames' : 'too many bad frames';
      this.closeSocket(CloseCode.PolicyViolation, reason);
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

/** A frame's text; `ws` hands text frames over as one Buffer, but its type allows fragments too. */
function textOf(data: RawData): string {
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  return (Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data)).toString('utf8');
}

function byteLengthOf(data: RawData): number {
  return Array.isArray(data) ? data.reduce((n, b) => n + b.length, 0) : data.byteLength;
}

/** The Express code an error carries, if it is one of the registry's; anything else is an internal error. */
function expressCode(err: unknown): number | null {
  if (typeof err !== 'object' || err === null) return null;
  const code = (err as { code?: unknown }).code;
  return typeof code === 'number' && code !== ErrorCode.OK && isKnownErrorCode(code) ? code : null;
}

function expressMessage(err: unknown, code: number): string {
  const { msg, message } = err as { msg?: unknown; message?: unknown };
  const text = typeof msg === 'string' ? msg : typeof message === 'string' ? message : errorMessage(code);
  return text.slice(0, 200);
}

/** Log fields for an unexpected error: its kind, a bounded message and the stack, whatever was thrown. */
function errorFields(err: unknown): Record<string, unknown> {
  if (!(err instanceof Error)) return { err: `a thrown ${err === null ? 'null' : typeof err}` };
  return { err: { name: err.name, message: err.message.slice(0, 200), stack: err.stack?.slice(0, 4000) } };
}
