/**
 * The engine core, shared by every face: the rooms this engine is logged in to (up to five, one user, one
 * socket), the streams it publishes, and the socket's life — connect on first login, reconnect and resume after
 * a drop (or log in again when the server lost the session), close when the last room is left. It emits
 * face-neutral {@link CoreEvents}; the faces turn them into the public events of the Express API.
 */
import {
  ErrorCode,
  Limits,
  ParleyError,
  type ServerEvent,
  TypedEmitter,
  type WireUser,
  type ZegoRoomStateChangedReasonWeb,
} from '@parley/protocol';
import type { CallResult, CoreEvents } from './coreTypes.js';
import { streamDeleteExtendedData } from './extendedData.js';
import { guarded } from './guarded.js';
import { checkLoginInput, wireUser } from './inputChecks.js';
import { consoleLogger, type EngineLogger, safeLogger } from './Logger.js';
import type { MediaBackend, MediaConnectionEvents } from './MediaBackend.js';
import { type MediaContext, MediaPaths } from './MediaPaths.js';
import { DEFAULT_MEDIA_TIMING, type MediaTiming } from './mediaRetry.js';
import { Player, type PlayOptions, type PlayStart } from './Player.js';
import { codeOf, Publisher, type PublishOptions } from './Publisher.js';
import { QualityReports } from './QualityReports.js';
import { ExponentialBackoffPolicy, type ReconnectPolicy } from './ReconnectPolicy.js';
import { RoomMessages } from './RoomMessages.js';
import { type RestoreHost, restoreRooms } from './RoomRestore.js';
import { type AuthProvider, type RoomConfig, RoomSession } from './RoomSession.js';
import { SessionLink } from './SessionLink.js';
import type { WebSocketCtor } from './WebSocketLike.js';

export interface EngineCoreOptions {
  appID: number;
  /** The signaling WebSocket address, e.g. `ws://127.0.0.1:8080/ws`. */
  url: string;
  WebSocket: WebSocketCtor;
  reconnectPolicy?: ReconnectPolicy | undefined;
  /** Per-request timeout (also the connect timeout). Default 10,000 ms. */
  requestTimeoutMs?: number | undefined;
  logger?: EngineLogger | undefined;
  media?: MediaBackend | undefined;
  /** Media connect timeout and retry policy; default 10 s to connect, retries for 30 s. */
  mediaTiming?: Partial<MediaTiming> | undefined;
  /** Interval of the quality events. Default 3,000 ms. */
  qualityIntervalMs?: number | undefined;
}

export type { AuthProvider } from './RoomSession.js';

export interface LoginParams {
  roomID: string;
  user: { userID: string; userName?: string };
  config: RoomConfig;
  auth: AuthProvider;
}

/**
 * @example
 * const core = new EngineCore({ appID, url, WebSocket });
 * core.on('roomState', (roomID, reason, code) => console.log(roomID, reason, code));
 * await core.login({ roomID: 'r1', user: { userID: 'u1' }, config: { userUpdate: true, maxMemberCount: 0 },
 *   auth: () => ({ kind: 'token', token }) });
 */
export class EngineCore extends TypedEmitter<CoreEvents> {
  readonly appID: number;
  /** Room-scoped requests: messages, room extra info, token renewal. */
  readonly messages: RoomMessages;
  private readonly roomMap = new Map<string, RoomSession>();
  private readonly publisher: Publisher;
  private readonly player: Player;
  private readonly link: SessionLink;
  private readonly quality: QualityReports;
  private readonly paths: MediaPaths;
  private readonly log: EngineLogger;
  private loginsInFlight = 0;
  private isDestroyed = false;

  constructor(private readonly options: EngineCoreOptions) {
    // The app's logger is called from timers and socket callbacks: one that throws must not throw from there.
    const log = safeLogger(options.logger ?? consoleLogger);
    super((err, event) => log.error('an event listener threw', { event, err: describe(err) }));
    this.appID = options.appID;
    this.log = log;
    this.paths = new MediaPaths(log);
    this.link = new SessionLink({
      url: options.url,
      WebSocket: options.WebSocket,
      requestTimeoutMs: options.requestTimeoutMs ?? 10_000,
      logger: log,
      policy: options.reconnectPolicy ?? new ExponentialBackoffPolicy(),
      wantsResume: () => [...this.roomMap.values()].some((r) => r.phase === 'logined'),
      restore: (client, keptRoomIDs) => restoreRooms(this.restoreHost(), client, keptRoomIDs),
    });
    this.link.on('event', (ev) => this.onServerEvent(ev));
    this.link.on('reconnecting', (code) => this.onReconnecting(code));
    this.link.on('reconnected', (roomIDs) => this.onReconnected(roomIDs));
    this.link.on('reconnectFailed', () => this.onReconnectFailed());
    this.link.on('kicked', (code) => this.onKicked(code));
    this.link.on('turn', (turn, from) => this.paths.offer(turn, from));
    this.link.on('serverError', (code, msg) => {
      this.log.warn('server error', { code, msg });
      this.emit('debugError', code, 'signaling', msg);
    });
    const timing: MediaTiming = { ...DEFAULT_MEDIA_TIMING, ...options.mediaTiming };
    const mediaHost = {
      roomFor: (roomID: string | undefined) => this.roomFor(roomID),
      send: this.link.send.bind(this.link),
      mediaContext: async () => {
        const client = await this.link.ensureClient();
        return this.paths.context(client.hello?.iceServers ?? [], options.url);
      },
      connectionMade: (conn: TypedEmitter<MediaConnectionEvents>, context: MediaContext) =>
        conn.on('iceServerError', (error) => this.paths.iceServerError(context, error)),
      connectFailed: (context: MediaContext, streamID: string) => this.paths.connectFailed(context, streamID),
      connectionLive: (conn: { stats(): Promise<unknown> }) => this.quality.connectionLive(conn),
      debugError: (...args: CoreEvents['debugError']) => this.emit('debugError', ...args),
    };
    this.publisher = new Publisher(
      { ...mediaHost, publisherState: (...args) => this.emit('publisherState', ...args) },
      options.media ?? null,
      timing,
      log,
    );
    this.player = new Player(
      {
        ...mediaHost,
        playerState: (...args) => this.emit('playerState', ...args),
        playerFirstVideoFrame: (...args) => this.emit('playerFirstVideoFrame', ...args),
        playerMediaBreak: (...args) => this.emit('playerMediaBreak', ...args),
        remoteTrackState: (...args) => this.emit('remoteTrackState', ...args),
      },
      options.media ?? null,
      timing,
      log,
    );
    this.quality = new QualityReports(
      {
        publishing: () => this.publisher.connections(),
        playing: () => this.player.connections(),
        publishQuality: (...args) => this.emit('publishQuality', ...args),
        playQuality: (...args) => this.emit('playQuality', ...args),
      },
      options.qualityIntervalMs ?? 3000,
      log,
    );
    this.messages = new RoomMessages({
      room: (roomID) => this.roomMap.get(roomID),
      rooms: () => [...this.roomMap.values()],
      send: (type, fields) => this.link.send(type, fields),
      debugError: (...args) => this.emit('debugError', ...args),
      log,
    });
  }

  get destroyed(): boolean {
    return this.isDestroyed;
  }

  /** The rooms this engine is in (including ones logging in or reconnecting), by roomID. */
  get rooms(): ReadonlyMap<string, RoomSession> {
    return this.roomMap;
  }

  /** The user every room is logged in with, or null when in no room. */
  get user(): WireUser | null {
    for (const room of this.roomMap.values()) return room.user;
    return null;
  }

  /** IDs of the streams this engine publishes. */
  get publishedStreamIDs(): string[] {
    return this.publisher.streamIDs;
  }

  /**
   * Logs in to a room. Emits LOGINING, then LOGINED (resolves) or LOGIN_FAILED (rejects with a ParleyError).
   * Bad input rejects at once with its Express code and emits nothing.
   */
  async login(params: LoginParams): Promise<void> {
    this.assertAlive('loginRoom');
    const { roomID } = params;
    const refusal = this.checkLogin(roomID, params.user);
    if (refusal) throw refusal;
    const room = new RoomSession(roomID, wireUser(params.user), params.config, params.auth);
    this.roomMap.set(roomID, room);
    this.loginsInFlight++;
    this.emitRoomState(roomID, 'LOGINING', 0);
    try {
      const client = await this.link.ensureClient();
      if (this.roomMap.get(roomID) !== room)
        throw ParleyError.of(ErrorCode.INPUT_PARAMETER, 'logged out meanwhile');
      const auth = room.auth(client.hello!);
      room.loginSent = true;
      const data = await client.request('login', {
        appID: this.appID,
        roomID,
        user: room.user,
        auth,
        config: params.config,
      });
      if (this.roomMap.get(roomID) !== room)
        throw ParleyError.of(ErrorCode.INPUT_PARAMETER, 'logged out meanwhile');
      room.phase = 'logined';
      room.tokenExpire = data.tokenExpire;
      this.emitRoomState(roomID, 'LOGINED', 0);
      this.release(room, room.takeHeld());
    } catch (err) {
      const error = err instanceof ParleyError ? err : new ParleyError(codeOf(err), describe(err));
      if (this.roomMap.get(roomID) === room) {
        this.roomMap.delete(roomID);
        if (!this.isDestroyed) this.emitRoomState(roomID, 'LOGIN_FAILED', error.code);
      }
      throw error;
    } finally {
      this.loginsInFlight--;
      this.closeIfIdle();
    }
  }

  /**
   * The local checks of a login, without side effects: null if `login` may proceed, else the ParleyError it
   * would reject with (bad roomID or user, already in the room, five rooms already, another userID).
   */
  checkLogin(roomID: unknown, user: unknown): ParleyError | null {
    const inputCode = checkLoginInput(roomID, user);
    if (inputCode !== 0) return ParleyError.of(inputCode);
    const id = roomID as string;
    if (this.roomMap.has(id)) return ParleyError.of(ErrorCode.INPUT_PARAMETER, `already in room ${id}`);
    if (this.roomMap.size >= Limits.roomsPerSession) return ParleyError.of(ErrorCode.ROOM_COUNT_EXCEEDED);
    const current = this.user;
    const userID = (user as { userID: string }).userID;
    if (current && current.userID !== userID) {
      return ParleyError.of(
        ErrorCode.INPUT_PARAMETER,
        `every room of an engine has the same user (${current.userID})`,
      );
    }
    return null;
  }

  /**
   * Leaves one room, or every room when `roomID` is omitted; stops this engine's streams there. Emits LOGOUT.
   * Returns 0, or 1002002 if the engine is not in `roomID`.
   */
  logout(roomID?: string): number {
    this.assertAlive('logoutRoom');
    const targets = roomID === undefined ? [...this.roomMap.values()] : [this.roomMap.get(roomID)];
    if (targets[0] === undefined && roomID !== undefined) return ErrorCode.NOT_IN_ROOM;
    for (const room of targets) {
      if (!room) continue;
      const known = room.phase !== 'logining' || room.loginSent;
      this.endRoom(room, 'LOGOUT', 0);
      if (known && this.link.hasSession) {
        this.link
          .send('logout', { roomID: room.roomID })
          .catch((err: unknown) =>
            this.log.debug('logout request failed', { roomID: room.roomID, err: describe(err) }),
          )
          .finally(guarded(this.log, 'closing the idle socket', () => this.closeIfIdle()));
      }
    }
    if (this.roomMap.size === 0) {
      // Nothing left to resume: the server ends the session when its grace period runs out.
      this.link.abandonReconnect();
    }
    this.closeIfIdle();
    return 0;
  }

  /** Starts publishing; see {@link Publisher.publish}. */
  publish(streamID: string, options: PublishOptions = {}): number {
    this.assertAlive('startPublishingStream');
    return this.publisher.publish(streamID, options);
  }

  /** Stops publishing; 0, or 1004002 if this engine does not publish `streamID`. */
  unpublish(streamID: string): number {
    this.assertAlive('stopPublishingStream');
    return this.publisher.unpublish(streamID);
  }

  /** Starts playing; see {@link Player.play}. */
  play(streamID: string, options: PlayOptions = {}): PlayStart {
    this.assertAlive('startPlayingStream');
    return this.player.play(streamID, options);
  }

  /** Stops playing; 0, or 1104039 if this engine does not play `streamID`. */
  stopPlay(streamID: string): number {
    this.assertAlive('stopPlayingStream');
    return this.player.stopPlay(streamID);
  }

  /** IDs of the streams this engine plays. */
  get playingStreamIDs(): string[] {
    return this.player.streamIDs;
  }

  /** A published source's tracks were muted or unmuted: its players are told. */
  sourceStateChanged(source: unknown): void {
    this.publisher.sourceStateChanged(source);
  }

  setStreamExtraInfo(streamID: string, extraInfo: string): Promise<CallResult> {
    this.assertAlive('setStreamExtraInfo');
    return this.publisher.setExtraInfo(streamID, extraInfo);
  }

  /** Leaves every room (the server is told), closes the socket and every timer. Later calls throw. */
  destroy(): void {
    if (this.isDestroyed) return;
    for (const room of [...this.roomMap.values()]) {
      const known = room.phase !== 'logining' || room.loginSent;
      this.endRoom(room, 'LOGOUT', 0);
      // Sent now, before the close frame: the server handles them first, so the others see us leave at once.
      if (known) this.link.sendIfOpen('logout', { roomID: room.roomID });
    }
    this.isDestroyed = true;
    this.quality.close();
    this.publisher.stopAll(0);
    this.player.stopAll(0);
    this.link.destroy();
    try {
      this.options.media?.close();
    } catch (err) {
      this.log.warn('media backend close threw', { err: describe(err) });
    }
    this.removeAllListeners();
  }

  /** Throws if the engine was destroyed. */
  assertAlive(funcName: string): void {
    if (this.isDestroyed) throw new Error(`${funcName}: the engine was destroyed (destroyEngine)`);
  }

  // ---------------------------------------------------------------------------------------------------------
  // The session link's events

  private onReconnecting(errorCode: number): void {
    for (const room of [...this.roomMap.values()]) {
      if (room.phase !== 'logined') continue;
      room.phase = 'reconnecting';
      this.emitRoomState(room.roomID, 'RECONNECTING', errorCode);
    }
  }

  /**
   * The reconnection completed: each room was kept by the resumed session, or logged in again (then the app is
   * told how the room changed meanwhile: users and streams gone and new), or was kicked out while away.
   */
  private onReconnected(roomIDs: string[]): void {
    const kept = new Set(roomIDs);
    for (const room of [...this.roomMap.values()]) {
      if (room.phase !== 'reconnecting') continue;
      const relogged = room.relogged;
      room.relogged = false;
      if (!kept.has(room.roomID) && !relogged) {
        const kickCode = room.heldKickout();
        if (kickCode !== null) this.endRoom(room, 'KICKOUT', kickCode);
        else this.endRoom(room, 'RECONNECT_FAILED', ErrorCode.RECONNECT_FAILED);
        continue;
      }
      room.phase = 'logined';
      this.emitRoomState(room.roomID, 'RECONNECTED', 0);
      this.release(room, relogged ? room.takeHeldAsDelta() : room.takeHeld());
    }
    this.closeIfIdle();
  }

  /** What a reconnection attempt needs to log the rooms in again. */
  private restoreHost(): RestoreHost {
    return {
      appID: this.appID,
      log: this.log,
      reconnectingRooms: () => [...this.roomMap.values()].filter((r) => r.phase === 'reconnecting'),
      isCurrent: (room) => this.roomMap.get(room.roomID) === room,
      mediaLost: (room) => {
        // The same codes as a media connection that broke: the app sees the usual retry states.
        this.publisher.restartRoom(room.roomID, ErrorCode.PUBLISH_NEGOTIATION_TIMEOUT);
        this.player.restartRoom(room.roomID, ErrorCode.PLAY_NEGOTIATION_FAILED);
      },
      refused: (room, code) => {
        const kicked = code === ErrorCode.KICKED_REPEAT_LOGIN || code === ErrorCode.KICKED_BY_SERVER;
        this.endRoom(room, kicked ? 'KICKOUT' : 'RECONNECT_FAILED', code);
      },
    };
  }

  private onReconnectFailed(): void {
    for (const room of [...this.roomMap.values()]) {
      if (room.phase === 'reconnecting') this.endRoom(room, 'RECONNECT_FAILED', ErrorCode.RECONNECT_FAILED);
    }
    this.closeIfIdle();
  }

  /**
   * Kicked out: the socket was closed as a kickout (the kickout events normally came first and ended the rooms
   * already), or a resume found the session kicked while this engine was away.
   */
  private onKicked(code: number): void {
    for (const room of [...this.roomMap.values()]) {
      if (room.phase !== 'logining') this.endRoom(room, 'KICKOUT', code);
    }
  }

  /** Closes the socket when nothing needs it any more: no room, no login under way. */
  private closeIfIdle(): void {
    if (this.roomMap.size > 0 || this.loginsInFlight > 0) return;
    this.link.closeIdle();
    // The session is over: the next one starts on every path, with the TURN credentials it is given.
    this.paths.reset();
  }

  // ---------------------------------------------------------------------------------------------------------
  // Rooms and events

  private roomFor(roomID: string | undefined): RoomSession | number {
    if (roomID !== undefined) return this.roomMap.get(roomID) ?? ErrorCode.NOT_IN_ROOM;
    for (const room of this.roomMap.values()) return room;
    return ErrorCode.NOT_LOGGED_IN;
  }

  /** Ends a room locally: its streams stop, it is forgotten, and `reason` is announced. */
  private endRoom(
    room: RoomSession,
    reason: ZegoRoomStateChangedReasonWeb,
    errorCode: number,
    extendedData = '',
  ): void {
    if (this.roomMap.get(room.roomID) !== room) return;
    this.roomMap.delete(room.roomID);
    this.publisher.stopRoom(room.roomID, errorCode);
    this.player.stopRoom(room.roomID, errorCode);
    this.emitRoomState(room.roomID, reason, errorCode, extendedData);
  }

  private emitRoomState(
    roomID: string,
    reason: ZegoRoomStateChangedReasonWeb,
    errorCode: number,
    extendedData = '',
  ): void {
    this.emit('roomState', roomID, reason, errorCode, extendedData);
  }

  /** Delivers the events a room held while its state change was pending. */
  private release(room: RoomSession, held: ServerEvent[]): void {
    for (const ev of held) {
      if (this.roomMap.get(room.roomID) !== room) return;
      this.dispatch(room, ev);
    }
  }

  private onServerEvent(ev: ServerEvent): void {
    if (ev.type === 'publishMediaFlowing') {
      this.publisher.mediaFlowing(ev.streamID);
      return;
    }
    if (ev.type === 'publishStopped') {
      this.publisher.stoppedByServer(ev.streamID, ev.code);
      return;
    }
    if (ev.type === 'playStopped') {
      this.player.stoppedByServer(ev.streamID, ev.code);
      return;
    }
    if (ev.type === 'streamMediaState') {
      this.player.remoteMediaState(ev.streamID, ev.audio, ev.video);
      return;
    }
    if (ev.type === 'turnCredentials') {
      this.paths.offer(ev.turn, 'renewal');
      return;
    }
    const room = this.roomMap.get(ev.roomID);
    if (!room) {
      this.log.debug('event for a room we are not in', { type: ev.type, roomID: ev.roomID });
      return;
    }
    if (room.holdsEvents) room.hold(ev);
    else this.dispatch(room, ev);
  }

  private dispatch(room: RoomSession, ev: ServerEvent): void {
    room.told.apply(ev);
    switch (ev.type) {
      case 'userUpdate':
        this.emit('userUpdate', ev.roomID, ev.updateType, ev.users);
        break;
      case 'streamUpdate':
        if (ev.updateType === 'ADD') for (const s of ev.streams) this.player.streamAdded(s.streamID);
        this.emit(
          'streamUpdate',
          ev.roomID,
          ev.updateType,
          ev.streams,
          ev.updateType === 'DELETE' ? streamDeleteExtendedData(ev.reasons) : '',
        );
        break;
      case 'streamExtraInfoUpdate':
        this.emit('streamExtraInfoUpdate', ev.roomID, ev.streams);
        break;
      case 'roomExtraInfoUpdate':
        this.emit('roomExtraInfoUpdate', ev.roomID, ev.infos);
        break;
      case 'onlineCount':
        this.emit('onlineCount', ev.roomID, ev.count);
        break;
      case 'broadcast':
        this.emit('broadcast', ev.roomID, ev.messages);
        break;
      case 'customCommand':
        this.emit('customCommand', ev.roomID, ev.fromUser, ev.command);
        break;
      case 'barrage':
        this.emit('barrage', ev.roomID, ev.messages);
        break;
      case 'tokenWillExpire':
        this.emit('tokenWillExpire', ev.roomID, ev.remainSeconds);
        break;
      case 'kickout':
        this.log.warn('kicked out', { roomID: ev.roomID, code: ev.code, msg: ev.msg });
        // A kick by the server API tells its reason as ZEGO's SDK does, in the state change's extendedData.
        this.endRoom(
          room,
          'KICKOUT',
          ev.code,
          ev.customReason === undefined ? '' : JSON.stringify({ custom_kickout_message: ev.customReason }),
        );
        if (this.roomMap.size === 0) this.closeIfIdle();
        break;
      default:
        this.log.debug('unknown event', { type: (ev as { type: string }).type });
    }
  }
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
