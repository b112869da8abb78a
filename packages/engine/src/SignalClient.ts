/**
 * The signaling client: owns exactly one WebSocket to the server and speaks the wire protocol of
 * `@parley/protocol` over it — the `hello` handshake, numbered requests with timeouts, heartbeats with the
 * acknowledged event `seq`, dead-server detection, and in-order, de-duplicated delivery of server events.
 * It knows nothing of rooms or faces; a new socket (a reconnect) is a new SignalClient.
 */
import {
  type ClientFrame,
  type ClientRequest,
  type ClientRequestType,
  ErrorCode,
  type HelloFrame,
  ParleyError,
  parseServerFrame,
  type ReplyData,
  type ReplyFrame,
  type ServerEvent,
  type TurnServers,
  TypedEmitter,
} from '@parley/protocol';
import { guarded } from './guarded.js';
import { type EngineLogger, safeLogger } from './Logger.js';
import {
  ReadyState,
  type WebSocketCloseEventLike,
  type WebSocketCtor,
  type WebSocketLike,
  type WebSocketMessageEventLike,
} from './WebSocketLike.js';

/** The fields of a request of type `T`, without the `t` and `id` the client adds. */
export type RequestFields<T extends ClientRequestType> = Omit<Extract<ClientRequest, { t: T }>, 't' | 'id'>;

/** The credentials of a server-side session, needed to resume it on a new socket. */
export interface SessionKeys {
  sessionID: string;
  resumeKey: string;
}

/**
 * Why the socket ended: closed by the server or network, declared dead by the heartbeat, closed by us, or dropped
 * by us because the socket failed under us (its `send` threw, or handling one of its callbacks threw).
 */
export type SignalCloseCause = 'remote' | 'heartbeat' | 'local' | 'error';

export interface SignalCloseInfo {
  code: number;
  reason: string;
  cause: SignalCloseCause;
}

export type SignalClientEvents = {
  /** A server event, in `seq` order, each delivered once. */
  event: [event: ServerEvent, seq: number];
  /** The server reported an error not tied to a request (a malformed frame of ours, a flood). */
  serverError: [code: number, msg: string];
  /** The socket is gone; the client is finished. */
  close: [info: SignalCloseInfo];
  /** A login or resume reply carried the session's TURN servers (emitted before the request resolves). */
  turn: [turn: TurnServers, from: 'login' | 'resume'];
};

export interface SignalClientOptions {
  url: string;
  WebSocket: WebSocketCtor;
  /** Per-request timeout, and the timeout of the handshake. */
  requestTimeoutMs: number;
  logger: EngineLogger;
  /** The session this socket carries on with (a resume): its keys and the last event `seq` handled in it. */
  continueSession?: { keys: SessionKeys; lastSeq: number };
}

interface Pending {
  type: ClientRequestType;
  resolve(data: unknown): void;
  reject(err: ParleyError): void;
  timer: ReturnType<typeof setTimeout>;
}

type State = 'idle' | 'connecting' | 'open' | 'closed';

/** A caller of {@link SignalClient.sync}: done once `answers` heartbeats have been answered. */
interface SyncWaiter {
  answers: number;
  resolve(): void;
  reject(err: ParleyError): void;
  timer: ReturnType<typeof setTimeout>;
}

const MAX_REQUEST_ID = 2 ** 31 - 1;

/**
 * One signaling connection.
 * @example
 * const client = new SignalClient({ url, WebSocket, requestTimeoutMs: 10_000, logger });
 * client.on('event', (ev) => console.log(ev.type));
 * const hello = await client.connect();
 * const { sessionID } = await client.request('login', { appID, roomID, user, auth, config });
 */
export class SignalClient extends TypedEmitter<SignalClientEvents> {
  private ws: WebSocketLike | null = null;
  private state: State = 'idle';
  private helloFrame: HelloFrame | null = null;
  private sessionKeys: SessionKeys | null;
  private seq: number;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private heartbeatTimer: ReturnType<typeof setInterval> | null = null;
  private watchdogTimer: ReturnType<typeof setTimeout> | null = null;
  private lastHeardAt = 0;
  /** Heartbeats written, and heartbeat answers received (the server answers each one, in order). */
  private heartbeatsSent = 0;
  private heartbeatsAnswered = 0;
  private readonly syncWaiters = new Set<SyncWaiter>();
  private readonly log: EngineLogger;

  constructor(private readonly options: SignalClientOptions) {
    const log = safeLogger(options.logger);
    super((err, event) => log.error('signal client listener threw', { event, err: String(err) }));
    this.log = log;
    this.sessionKeys = options.continueSession?.keys ?? null;
    this.seq = options.continueSession?.lastSeq ?? 0;
  }

  /** The server's `hello`, once connected. */
  get hello(): HelloFrame | null {
    return this.helloFrame;
  }

  get isOpen(): boolean {
    return this.state === 'open';
  }

  get isClosed(): boolean {
    return this.state === 'closed';
  }

  /** The server session this socket carries (set by a successful login reply), or null. */
  get session(): SessionKeys | null {
    return this.sessionKeys;
  }

  /** The last event `seq` handled in the current session. */
  get lastSeq(): number {
    return this.seq;
  }

  /** Opens the socket and resolves with the server's `hello`; rejects with 1100002 if that fails or takes too long. */
  connect(): Promise<HelloFrame> {
    if (this.state !== 'idle') return Promise.reject(new Error('SignalClient.connect() may be called once'));
    this.state = 'connecting';
    return new Promise<HelloFrame>((resolve, reject) => {
      let ws: WebSocketLike;
      try {
        ws = new this.options.WebSocket(this.options.url);
      } catch (err) {
        this.state = 'closed';
        reject(ParleyError.of(ErrorCode.INPUT_PARAMETER, `cannot open ${this.options.url}: ${String(err)}`));
        return;
      }
      this.ws = ws;
      const fail = (detail: string): void => {
        clearTimeout(timer);
        try {
          this.shutdown({ code: 1006, reason: detail, cause: 'local' }, true);
        } finally {
          reject(
            ParleyError.of(ErrorCode.NETWORK_TIMEOUT, `cannot connect to ${this.options.url}: ${detail}`),
          );
        }
      };
      // What the socket's callbacks throw would go into the socket's own event dispatch (an uncaught exception
      // in Node): it is logged, and the socket, whose state is unknown now, is dropped like a broken one.
      const broken = (error: Error): void => {
        if (this.state === 'connecting') fail(`handling the socket failed: ${error.message}`);
        else this.drop(error);
      };
      const timer = setTimeout(
        guarded(this.log, 'the hello timeout', () => fail('no hello in time'), broken),
        this.options.requestTimeoutMs,
      );
      ws.onopen = guarded(this.log, 'the socket open handler', () =>
        this.log.debug('socket open', { url: this.options.url }),
      );
      // Errors always come with (or before) a close; the close handler decides. A listener must stay attached:
      // `ws` throws an 'error' event that nobody listens to.
      ws.onerror = () => {};
      ws.onclose = guarded(
        this.log,
        'the socket close handler',
        (ev: WebSocketCloseEventLike) => {
          if (this.state === 'connecting') fail(`socket closed (${ev.code})`);
          else this.shutdown({ code: ev.code, reason: ev.reason, cause: 'remote' }, false);
        },
        broken,
      );
      ws.onmessage = guarded(
        this.log,
        'handling a frame from the server',
        (ev: WebSocketMessageEventLike) => this.onMessage(ev, timer, resolve),
        broken,
      );
    });
  }

  /** A frame arrived: the `hello` while connecting (which resolves `connect`), any frame after. */
  private onMessage(
    ev: WebSocketMessageEventLike,
    helloTimer: ReturnType<typeof setTimeout>,
    resolve: (hello: HelloFrame) => void,
  ): void {
    const text = decode(ev.data);
    if (text === null) {
      this.log.warn('ignoring a binary frame from the server');
      return;
    }
    if (this.state === 'connecting') {
      const parsed = parseServerFrame(text);
      if (parsed.ok && parsed.value.t === 'hello') {
        clearTimeout(helloTimer);
        this.onHello(parsed.value);
        resolve(parsed.value);
      } else {
        this.log.warn('expected hello first', { frame: text.slice(0, 100) });
      }
      return;
    }
    this.onText(text);
  }

  /**
   * Sends a request and resolves with its reply's data; rejects with a ParleyError carrying the reply's code,
   * or 1100002 on timeout or when the socket closes first.
   */
  request<T extends ClientRequestType>(type: T, fields: RequestFields<T>): Promise<ReplyData[T]> {
    if (this.state !== 'open' || !this.ws) {
      return Promise.reject(ParleyError.of(ErrorCode.NETWORK_TIMEOUT, `${type}: not connected`));
    }
    const id = this.nextId;
    this.nextId = this.nextId >= MAX_REQUEST_ID ? 1 : this.nextId + 1;
    return new Promise<ReplyData[T]>((resolve, reject) => {
      const timer = setTimeout(
        guarded(this.log, `the timeout of ${type}`, () => {
          this.pending.delete(id);
          reject(
            ParleyError.of(
              ErrorCode.NETWORK_TIMEOUT,
              `no reply to ${type} in ${this.options.requestTimeoutMs} ms`,
            ),
          );
        }),
        this.options.requestTimeoutMs,
      );
      this.pending.set(id, { type, resolve: resolve as (data: unknown) => void, reject, timer });
      this.sendFrame({ ...fields, t: type, id } as unknown as ClientFrame);
    });
  }

  /**
   * Resolves once the server answered a heartbeat sent now. The server reads a socket's frames in order and
   * answers a heartbeat as soon as it reads it, so by then every frame it sent while handling the earlier
   * requests has been delivered — the events that follow a login's reply, for one. Rejects with 1100002 on
   * timeout or when the socket closes first.
   */
  sync(): Promise<void> {
    if (this.state !== 'open') {
      return Promise.reject(ParleyError.of(ErrorCode.NETWORK_TIMEOUT, 'sync: not connected'));
    }
    this.sendHeartbeat();
    // A socket whose send threw is dropped by now: there is no answer to wait for.
    if (this.isClosed)
      return Promise.reject(ParleyError.of(ErrorCode.NETWORK_TIMEOUT, 'sync: connection closed'));
    return new Promise<void>((resolve, reject) => {
      const waiter: SyncWaiter = {
        answers: this.heartbeatsSent,
        resolve,
        reject,
        timer: setTimeout(
          guarded(this.log, 'the timeout of sync', () => {
            this.syncWaiters.delete(waiter);
            reject(
              ParleyError.of(
                ErrorCode.NETWORK_TIMEOUT,
                `no heartbeat answer in ${this.options.requestTimeoutMs} ms`,
              ),
            );
          }),
          this.options.requestTimeoutMs,
        ),
      };
      this.syncWaiters.add(waiter);
    });
  }

  /** Closes the socket (after sending what is queued). Pending requests fail with 1100002. Idempotent. */
  close(code = 1000, reason = ''): void {
    this.shutdown({ code, reason, cause: 'local' }, false);
  }

  private onHello(hello: HelloFrame): void {
    this.helloFrame = hello;
    this.state = 'open';
    this.lastHeardAt = Date.now();
    const interval = hello.heartbeatIntervalMs > 0 ? hello.heartbeatIntervalMs : 5000;
    this.heartbeatTimer = setInterval(
      guarded(
        this.log,
        'the heartbeat timer',
        () => this.sendHeartbeat(),
        (error) => this.drop(error),
      ),
      interval,
    );
    this.armWatchdog(2 * interval);
  }

  /** Declares the server dead when nothing (not even a heartbeat answer) arrived for `limitMs`. */
  private armWatchdog(limitMs: number): void {
    const wait = Math.max(1, this.lastHeardAt + limitMs - Date.now());
    const check = (): void => {
      this.watchdogTimer = null;
      if (this.state !== 'open') return;
      if (Date.now() - this.lastHeardAt >= limitMs) {
        this.log.warn('server silent, dropping the socket', { silentMs: Date.now() - this.lastHeardAt });
        this.shutdown({ code: 1006, reason: 'heartbeat timeout', cause: 'heartbeat' }, true);
      } else {
        this.armWatchdog(limitMs);
      }
    };
    this.watchdogTimer = setTimeout(
      guarded(this.log, 'the heartbeat watchdog', check, (error) => this.drop(error)),
      wait,
    );
  }

  private onText(text: string): void {
    this.lastHeardAt = Date.now();
    const parsed = parseServerFrame(text);
    if (!parsed.ok) {
      this.log.warn('ignoring a bad frame from the server', { msg: parsed.msg });
      return;
    }
    const frame = parsed.value;
    switch (frame.t) {
      case 'reply':
        this.onReply(frame);
        break;
      case 'evt':
        if (frame.seq <= this.seq) {
          this.log.debug('dropping an event already handled', { seq: frame.seq, lastSeq: this.seq });
          return;
        }
        if (frame.seq !== this.seq + 1)
          this.log.warn('events missing', { expected: this.seq + 1, got: frame.seq });
        this.seq = frame.seq;
        this.emit('event', frame.ev, frame.seq);
        break;
      case 'error':
        this.emit('serverError', frame.code, frame.msg);
        break;
      case 'hb':
        this.onHeartbeatAnswer();
        break;
      case 'hello':
        this.log.warn('unexpected second hello');
        break;
    }
  }

  private onReply(frame: ReplyFrame): void {
    const p = this.pending.get(frame.id);
    if (!p) {
      this.log.debug('reply to no pending request', { id: frame.id });
      return;
    }
    this.pending.delete(frame.id);
    clearTimeout(p.timer);
    if (frame.code !== 0) {
      p.reject(new ParleyError(frame.code, frame.msg || undefined));
      return;
    }
    const data = frame.data ?? {};
    if (p.type === 'login') {
      // Sequence numbers belong to a server session. A login that started a new session (the first login, or
      // one after the previous session ended) restarts them; this happens here, synchronously, because the
      // new session's events may be in the very next frame.
      const { sessionID, resumeKey } = data as ReplyData['login'];
      if (this.sessionKeys?.sessionID !== sessionID) {
        this.sessionKeys = { sessionID, resumeKey };
        this.seq = 0;
      }
    }
    if (p.type === 'login' || p.type === 'resume') {
      const { turn } = data as ReplyData['login' | 'resume'];
      if (turn !== undefined) this.emit('turn', turn, p.type);
    }
    p.resolve(data);
  }

  private sendHeartbeat(): void {
    if (!this.ws || this.ws.readyState !== ReadyState.OPEN) return;
    this.heartbeatsSent++;
    this.write(this.ws, JSON.stringify({ t: 'hb', ack: this.seq } satisfies ClientFrame));
  }

  private onHeartbeatAnswer(): void {
    this.heartbeatsAnswered++;
    for (const waiter of this.syncWaiters) {
      if (waiter.answers > this.heartbeatsAnswered) continue;
      this.syncWaiters.delete(waiter);
      clearTimeout(waiter.timer);
      waiter.resolve();
    }
  }

  private sendFrame(frame: ClientFrame): void {
    if (this.ws && this.ws.readyState === ReadyState.OPEN) this.write(this.ws, JSON.stringify(frame));
  }

  /**
   * Writes a frame. A socket whose `send` throws cannot carry the session any more: it is dropped (pending
   * requests fail with 1100002, `close` follows with cause 'error', and the engine reconnects as after a drop).
   */
  private write(ws: WebSocketLike, text: string): void {
    try {
      ws.send(text);
    } catch (err) {
      this.drop(err instanceof Error ? err : new Error(String(err)));
    }
  }

  /** The socket failed under us (a `send` or a callback of ours threw): it is dropped at once. */
  private drop(error: Error): void {
    if (this.state === 'closed') return;
    this.log.warn('the socket failed, dropping it', { err: error.message });
    this.shutdown(
      { code: 1006, reason: `socket failed: ${error.message}`.slice(0, 100), cause: 'error' },
      true,
    );
  }

  private shutdown(info: SignalCloseInfo, abrupt: boolean): void {
    if (this.state === 'closed') return;
    const wasOpen = this.state === 'open';
    this.state = 'closed';
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
    if (this.watchdogTimer) clearTimeout(this.watchdogTimer);
    this.heartbeatTimer = null;
    this.watchdogTimer = null;
    const ws = this.ws;
    // Detaching and closing a socket that misbehaves must not stop the pending requests from failing below.
    if (ws) {
      try {
        ws.onopen = null;
        ws.onmessage = null;
        ws.onclose = null;
        ws.onerror = () => {};
        if (ws.readyState === ReadyState.CONNECTING || ws.readyState === ReadyState.OPEN) {
          if (abrupt && ws.terminate) ws.terminate();
          else
            ws.close(info.code >= 3000 || info.code === 1000 ? info.code : 1000, info.reason.slice(0, 100));
        }
      } catch (err) {
        this.log.debug('closing the socket threw', { err: String(err) });
      }
    }
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer);
      p.reject(ParleyError.of(ErrorCode.NETWORK_TIMEOUT, `${p.type}: connection closed`));
      this.pending.delete(id);
    }
    for (const waiter of this.syncWaiters) {
      clearTimeout(waiter.timer);
      waiter.reject(ParleyError.of(ErrorCode.NETWORK_TIMEOUT, 'sync: connection closed'));
    }
    this.syncWaiters.clear();
    if (wasOpen) this.emit('close', info);
  }
}

const textDecoder = new TextDecoder();

/** Frames are text; some WebSocket implementations hand text over as bytes. */
function decode(data: unknown): string | null {
  if (typeof data === 'string') return data;
  if (data instanceof ArrayBuffer) return textDecoder.decode(data);
  if (ArrayBuffer.isView(data)) return textDecoder.decode(data);
  return null;
}
