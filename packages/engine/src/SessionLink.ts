/**
 * The engine's link to its server session, across sockets: opens a socket when one is needed, and when it
 * drops with a session worth keeping, resumes that session on new sockets as the {@link ReconnectPolicy}
 * allows. When the server no longer knows the session (it restarted, or the grace period ran out) the attempt
 * carries on, on the same socket, with the engine's `restore` (logging in again). Each socket is a
 * {@link SignalClient}; the link decides which one is current. It knows nothing of rooms: the engine core
 * listens to its events and restores its rooms.
 */
import {
  CloseCode,
  ErrorCode,
  ParleyError,
  type ReplyData,
  type ServerEvent,
  type TurnServers,
  TypedEmitter,
} from '@parley/protocol';
import { guarded } from './guarded.js';
import { type EngineLogger, safeLogger } from './Logger.js';
import { Reconnector } from './Reconnector.js';
import type { ReconnectPolicy } from './ReconnectPolicy.js';
import { type RequestFields, type SessionKeys, SignalClient, type SignalCloseInfo } from './SignalClient.js';
import type { WebSocketCtor } from './WebSocketLike.js';

export type SessionLinkEvents = {
  /** A server event of the current socket, in order, once. */
  event: [event: ServerEvent];
  /** The socket dropped and a reconnection started; `errorCode` is 1102001 if the server went silent, else 0. */
  reconnecting: [errorCode: number];
  /**
   * The session was resumed, or restored, on a new socket; `roomIDs` are the rooms the server kept in the
   * session (none when it had lost it and `restore` logged in again).
   */
  reconnected: [roomIDs: string[]];
  /** The policy gave up (or the run was cancelled): the session could not be resumed nor restored. */
  reconnectFailed: [error: unknown];
  /** The server closed the socket as a kickout (close code 4001). */
  kicked: [code: number];
  /** An error frame from the server, not tied to a request. */
  serverError: [code: number, msg: string];
  /** A login or resume reply of the current socket carried the session's TURN servers. */
  turn: [turn: TurnServers, from: 'login' | 'resume'];
};

export interface SessionLinkOptions {
  url: string;
  WebSocket: WebSocketCtor;
  requestTimeoutMs: number;
  logger: EngineLogger;
  policy: ReconnectPolicy;
  /** Asked when the socket drops: is there a session worth resuming (a room past its login)? */
  wantsResume(): boolean;
  /**
   * Called in every reconnection attempt once the socket is up and the resume answered: `keptRoomIDs` are the
   * rooms the resumed session still has — none when the server refused the resume with 1002053, having lost
   * the session. Logs in again to the others on `client`; a rejection fails the attempt (it is retried).
   */
  restore(client: SignalClient, keptRoomIDs: string[]): Promise<void>;
}

/** The session and event position to resume after a drop. */
interface ResumePoint {
  keys: SessionKeys;
  lastSeq: number;
}

/** A successful resume: the new socket, and the rooms the server kept in the session. */
interface Resumed {
  client: SignalClient;
  roomIDs: string[];
}

const destroyedError = (): Error => new Error('the engine was destroyed (destroyEngine)');

/**
 * @example
 * const link = new SessionLink({ url, WebSocket, requestTimeoutMs: 10_000, logger, policy, wantsResume: () => true });
 * link.on('event', (ev) => console.log(ev.type));
 * const data = await link.send('login', { appID, roomID, user, auth, config });
 */
export class SessionLink extends TypedEmitter<SessionLinkEvents> {
  private client: SignalClient | null = null;
  private connecting: Promise<SignalClient> | null = null;
  private reconnector: Reconnector<Resumed> | null = null;
  private resumePoint: ResumePoint | null = null;
  private destroyed = false;
  private readonly log: EngineLogger;

  constructor(private readonly options: SessionLinkOptions) {
    const log = safeLogger(options.logger);
    super((err, event) => log.error('session link listener threw', { event, err: String(err) }));
    this.log = log;
  }

  get isReconnecting(): boolean {
    return this.reconnector !== null;
  }

  /** True while there is a server session: an open socket, or one being resumed. */
  get hasSession(): boolean {
    return this.reconnector !== null || (this.client?.isOpen ?? false);
  }

  /** The open socket; one is opened if needed, a reconnection in progress is waited for. */
  ensureClient(): Promise<SignalClient> {
    if (this.destroyed) return Promise.reject(destroyedError());
    // Checked before `client`: during a reconnection `client` may be a socket whose resume is still in flight.
    if (this.reconnector) return this.reconnector.done.then((r) => r.client);
    if (this.client?.isOpen) return Promise.resolve(this.client);
    if (!this.connecting) {
      const connecting = this.openClient();
      this.connecting = connecting;
      const clear = (): void => {
        if (this.connecting === connecting) this.connecting = null;
      };
      connecting.then(clear, clear);
    }
    return this.connecting;
  }

  /**
   * Sends a request once there is a socket. With an open socket the frame is written before this returns, so a
   * close that follows cannot overtake it, and requests go out in call order.
   */
  send<T extends keyof ReplyData>(type: T, fields: RequestFields<T>): Promise<ReplyData[T]> {
    if (!this.reconnector && this.client?.isOpen) return this.client.request(type, fields);
    return this.ensureClient().then((client) => client.request(type, fields));
  }

  /** Sends a request only if a socket is open right now (best effort; the outcome is ignored). */
  sendIfOpen<T extends keyof ReplyData>(type: T, fields: RequestFields<T>): boolean {
    if (this.reconnector || !this.client?.isOpen) return false;
    this.client.request(type, fields).catch(() => {});
    return true;
  }

  /** Closes the socket unless a reconnection is under way (the session is no longer needed). */
  closeIdle(): void {
    if (this.reconnector) return;
    this.resumePoint = null;
    const client = this.client;
    this.client = null;
    client?.close(1000, 'no room left');
  }

  /**
   * Stops a reconnection at once (not when its current attempt notices): a login right after must open a
   * fresh session, not wait for the abandoned one. `reconnectFailed` is not emitted.
   */
  abandonReconnect(): void {
    const run = this.reconnector;
    if (!run) return;
    this.reconnector = null;
    this.resumePoint = null;
    run.cancel();
    // A socket whose resume is in flight belongs to the abandoned run.
    this.client?.close(1000, 'reconnection abandoned');
    this.client = null;
  }

  /** Closes everything for good; later sends fail. */
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.abandonReconnect();
    this.client?.close(1000, 'engine destroyed');
    this.client = null;
    this.removeAllListeners();
  }

  /** Opens a socket for a new session. */
  private async openClient(): Promise<SignalClient> {
    const client = this.newClient(undefined);
    await client.connect();
    if (this.destroyed) {
      client.close();
      throw destroyedError();
    }
    this.client = client;
    return client;
  }

  private newClient(resumePoint: ResumePoint | undefined): SignalClient {
    const client = new SignalClient({
      url: this.options.url,
      WebSocket: this.options.WebSocket,
      requestTimeoutMs: this.options.requestTimeoutMs,
      logger: this.log,
      continueSession: resumePoint,
    });
    client.on('event', (ev) => {
      if (client === this.client) this.emit('event', ev);
    });
    client.on('close', (info) => this.onClientClosed(client, info));
    client.on('serverError', (code, msg) => this.emit('serverError', code, msg));
    client.on('turn', (turn, from) => {
      if (client === this.client) this.emit('turn', turn, from);
    });
    return client;
  }

  private onClientClosed(client: SignalClient, info: SignalCloseInfo): void {
    if (client !== this.client) return;
    this.client = null;
    // A resume attempt's socket that dies is the reconnector's business (its request fails, it retries).
    if (this.destroyed || this.reconnector) return;
    if (info.code === CloseCode.Kicked) {
      this.emit('kicked', ErrorCode.KICKED_BY_SERVER);
      return;
    }
    const keys = client.session;
    if (!keys || !this.options.wantsResume()) return;
    this.log.info('socket lost, reconnecting', { code: info.code, cause: info.cause });
    this.resumePoint = { keys, lastSeq: client.lastSeq };
    const run: Reconnector<Resumed> = new Reconnector(
      this.options.policy,
      () => this.resumeAttempt(run),
      this.log,
    );
    this.reconnector = run;
    this.emit('reconnecting', info.cause === 'heartbeat' ? ErrorCode.HEARTBEAT_TIMEOUT : 0);
    // Registered before anyone else can wait on `done`: the rooms change state before waiting calls go on.
    // The handlers run from a promise: what they throw is logged, not left as an unhandled rejection.
    run.done.then(
      guarded(this.log, 'the end of a reconnection', ({ roomIDs }: Resumed) => {
        if (this.reconnector !== run) return;
        this.reconnector = null;
        this.resumePoint = null;
        this.log.info('reconnected', { rooms: roomIDs });
        this.emit('reconnected', roomIDs);
      }),
      guarded(this.log, 'the end of a failed reconnection', (err: unknown) => {
        if (this.reconnector !== run) return;
        this.reconnector = null;
        this.resumePoint = null;
        this.log.warn('reconnect failed', { err: String(err) });
        const code = err instanceof ParleyError ? err.code : 0;
        if (code === ErrorCode.KICKED_REPEAT_LOGIN || code === ErrorCode.KICKED_BY_SERVER)
          this.emit('kicked', code);
        else this.emit('reconnectFailed', err);
      }),
    );
  }

  /** One attempt: a new socket, `resume` on it, then the engine's `restore` for the rooms not kept. */
  private async resumeAttempt(run: Reconnector<Resumed>): Promise<Resumed> {
    const point = this.resumePoint;
    if (!point) throw ParleyError.of(ErrorCode.RECONNECT_FAILED, 'nothing to resume');
    const client = this.newClient(point);
    await client.connect();
    if (run.isCancelled || this.destroyed) {
      client.close();
      throw ParleyError.of(ErrorCode.RECONNECT_FAILED, 'cancelled');
    }
    // Current before the request: the replayed events follow the reply within the same tick.
    this.client = client;
    try {
      const roomIDs = await this.resumeOrNothing(client, point);
      await this.options.restore(client, roomIDs);
      if (run.isCancelled || this.destroyed) throw ParleyError.of(ErrorCode.RECONNECT_FAILED, 'cancelled');
      return { client, roomIDs };
    } catch (err) {
      // The next attempt carries on from where this one got: the events it handled (a resume replays them, a
      // login of `restore` brings new ones), in the session it ended with — a login may have started a new one.
      const keys = client.session;
      if (keys && this.resumePoint === point) this.resumePoint = { keys, lastSeq: client.lastSeq };
      if (this.client === client) this.client = null;
      client.close();
      throw err;
    }
  }

  /** The rooms the resumed session has; none if the server no longer knows the session (1002053). */
  private async resumeOrNothing(client: SignalClient, point: ResumePoint): Promise<string[]> {
    try {
      return (await client.request('resume', { ...point.keys, lastSeq: point.lastSeq })).roomIDs;
    } catch (err) {
      if (!(err instanceof ParleyError) || err.code !== ErrorCode.RECONNECT_FAILED) throw err;
      // The socket stays open without a session: `restore` logs in again on it.
      this.log.info('the server no longer has the session; logging in again', { msg: err.msg });
      return [];
    }
  }
}
