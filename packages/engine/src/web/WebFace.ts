/**
 * The web face of the Express API (express-api.md §2): `new ZegoExpressEngine(appID, server)`, positional
 * events with string enums, `loginRoom` that rejects with `{code, msg}`. Both SDKs export it as
 * `ZegoExpressEngine`; the Node SDK injects `ws`, the browser SDK will add its media backend.
 */
import {
  checkAppId,
  ErrorCode,
  type Listener,
  ParleyError,
  roomReasonToState,
  TypedEmitter,
} from '@parley/protocol';
import { EngineCore } from '../EngineCore.js';
import { checkToken } from '../inputChecks.js';
import { consoleLogger, type EngineLogger } from '../Logger.js';
import type { MediaBackend } from '../MediaBackend.js';
import type { MediaTiming } from '../mediaRetry.js';
import type { ReconnectPolicy } from '../ReconnectPolicy.js';
import { ENGINE_VERSION } from '../version.js';
import type { WebSocketCtor } from '../WebSocketLike.js';
import { resolveServerUrl } from './serverUrl.js';
import type {
  ZegoBroadcastResult,
  ZegoServerResponse,
  ZegoUser,
  ZegoWebEvents,
  ZegoWebPlayOption,
  ZegoWebPublishOption,
  ZegoWebRoomConfig,
} from './webTypes.js';

/** Options beyond the Express constructor's two arguments. */
export interface WebFaceOptions<LocalStream = unknown, Output = unknown> {
  /** The WebSocket constructor; default `globalThis.WebSocket`. The Node SDK passes `ws`. */
  WebSocket?: WebSocketCtor;
  /** When to retry after the socket dropped; default exponential backoff giving up after 60 s. */
  reconnectPolicy?: ReconnectPolicy;
  /** Per-request timeout; default 10,000 ms. */
  requestTimeoutMs?: number;
  logger?: EngineLogger;
  /** Moves the media of published and played streams; absent = signaling only. */
  media?: MediaBackend<LocalStream, Output>;
  /** Media connect timeout and retry policy. */
  mediaTiming?: Partial<MediaTiming>;
  /** Interval of the quality events; default 3,000 ms. */
  qualityIntervalMs?: number;
}

/**
 * The Express engine, web style.
 * @example
 * const zg = new ZegoExpressEngine(appID, 'ws://127.0.0.1:8080/ws');
 * zg.on('roomStateChanged', (roomID, reason, errorCode) => console.log(roomID, reason, errorCode));
 * zg.on('roomStreamUpdate', (roomID, updateType, streamList) => console.log(updateType, streamList));
 * await zg.loginRoom('room1', token, { userID: 'user1', userName: 'Ann' }, { userUpdate: true });
 * zg.startPublishingStream('stream1', localStream);
 */
export class WebFace<LocalStream = unknown, Output = unknown> {
  /** The shared engine core; subclasses (browser media, Node) reach it here. */
  protected readonly core: EngineCore;
  private readonly events: TypedEmitter<ZegoWebEvents>;
  /** The media backend, when there is one (faces use it for their stream objects). */
  protected readonly media: MediaBackend<LocalStream, Output> | null;

  constructor(appID: number, server: string, options: WebFaceOptions<LocalStream, Output> = {}) {
    if (checkAppId(appID) !== 0) throw ParleyError.of(ErrorCode.APP_ID_INVALID, String(appID));
    const WebSocket = options.WebSocket ?? (globalThis as { WebSocket?: WebSocketCtor }).WebSocket;
    if (typeof WebSocket !== 'function') {
      throw new TypeError('no WebSocket implementation: pass options.WebSocket (in Node, use @parley/node)');
    }
    const logger = options.logger ?? consoleLogger;
    this.core = new EngineCore({
      appID,
      url: resolveServerUrl(server),
      WebSocket,
      reconnectPolicy: options.reconnectPolicy,
      requestTimeoutMs: options.requestTimeoutMs,
      logger,
      media: options.media as MediaBackend | undefined,
      mediaTiming: options.mediaTiming,
      qualityIntervalMs: options.qualityIntervalMs,
    });
    this.media = options.media ?? null;
    this.events = new TypedEmitter<ZegoWebEvents>((err, event) =>
      logger.error('an event listener threw', {
        event,
        err: err instanceof Error ? err.message : String(err),
      }),
    );
    this.bridgeEvents();
  }

  /** Adds a listener. Returns true. */
  on<K extends keyof ZegoWebEvents>(event: K, callback: Listener<ZegoWebEvents[K]>): boolean {
    this.events.on(event, callback);
    return true;
  }

  /** Removes a listener, or every listener of `event` when `callback` is omitted. Returns true. */
  off<K extends keyof ZegoWebEvents>(event: K, callback?: Listener<ZegoWebEvents[K]>): boolean {
    this.events.off(event, callback);
    return true;
  }

  /**
   * Logs in to a room (created if absent). Resolves `true`; rejects with `{code, msg}`.
   * Emits `roomStateChanged` LOGINING → LOGINED / LOGIN_FAILED (and the legacy `roomStateUpdate`).
   * @example
   * await zg.loginRoom('room1', token, { userID: 'u1' }, { userUpdate: true });
   */
  async loginRoom(
    roomID: string,
    token: string,
    user: ZegoUser,
    config: ZegoWebRoomConfig = {},
  ): Promise<true> {
    this.core.assertAlive('loginRoom');
    const refusal = this.core.checkLogin(roomID, user);
    if (refusal) throw refusal;
    const tokenCode = checkToken(token);
    if (tokenCode !== 0) throw ParleyError.of(tokenCode, 'a token is required');
    const maxMemberCount = config.maxMemberCount ?? 0;
    if (!Number.isInteger(maxMemberCount) || maxMemberCount < 0) {
      throw ParleyError.of(ErrorCode.INPUT_PARAMETER, 'maxMemberCount must be an integer >= 0');
    }
    await this.core.login({
      roomID,
      user,
      config: { userUpdate: config.userUpdate === true, maxMemberCount },
      auth: () => ({ kind: 'token', token }),
    });
    return true;
  }

  /** Leaves `roomID`, or every room; stops this engine's streams there. Emits LOGOUT. */
  logoutRoom(roomID?: string): void {
    // Leaving a room one is not in changes nothing; the web API has no result to report it in.
    this.core.logout(roomID);
  }

  /** Renews the token of `roomID` (or of every room). Returns true if the request was sent. */
  renewToken(token: string, roomID?: string): boolean {
    this.core.assertAlive('renewToken');
    return this.core.messages.renewToken(token, roomID) === 0;
  }

  /**
   * Publishes a stream. Returns true if the request was sent; the outcome comes as `publisherStateUpdate`
   * (PUBLISH_REQUESTING, then PUBLISHING or NO_PUBLISH with the error code). Returns false — with a NO_PUBLISH
   * carrying the code — for bad input or when not logged in.
   * @example
   * zg.on('publisherStateUpdate', ({ streamID, state, errorCode }) => console.log(streamID, state, errorCode));
   * zg.startPublishingStream('stream1', localStream, { extraInfo: 'camera' });
   */
  startPublishingStream(streamID: string, stream?: LocalStream, options: ZegoWebPublishOption = {}): boolean {
    return (
      this.core.publish(streamID, {
        roomID: options.roomID,
        extraInfo: options.extraInfo,
        source: stream,
        videoCodec: options.videoCodec,
      }) === 0
    );
  }

  /** Stops publishing `streamID`. Returns false if this engine does not publish it. */
  stopPublishingStream(streamID: string): boolean {
    return this.core.unpublish(streamID) === 0;
  }

  /**
   * Plays a stream of the AppID. Resolves with the received media (a MediaStream in browsers, a frame sink in
   * Node) once PLAYING; rejects with `{code, msg}` when the play fails for good. States come as
   * `playerStateUpdate`; a stream that is not published yet is waited for within the retry budget.
   * @example
   * const remote = await zg.startPlayingStream('stream2');
   */
  async startPlayingStream(streamID: string, options: ZegoWebPlayOption = {}): Promise<Output> {
    const start = this.core.play(streamID, options);
    await start.playing;
    return start.output as Output;
  }

  /** Stops playing `streamID`. */
  stopPlayingStream(streamID: string): void {
    this.core.stopPlay(streamID);
  }

  /** Mutes (true) or unmutes the audio a local stream publishes; players get `remoteMicStatusUpdate`. */
  mutePublishStreamAudio(localStream: LocalStream, mute: boolean): boolean {
    return this.muteTrack(localStream, 'audio', mute);
  }

  /** Mutes (true) or unmutes the video a local stream publishes; players get `remoteCameraStatusUpdate`. */
  mutePublishStreamVideo(localStream: LocalStream, mute: boolean): boolean {
    return this.muteTrack(localStream, 'video', mute);
  }

  /** Mutes or unmutes a track of a local stream and tells the players of the streams it feeds. */
  protected muteTrack(localStream: LocalStream, kind: 'audio' | 'video', mute: boolean): boolean {
    this.core.assertAlive(kind === 'audio' ? 'mutePublishStreamAudio' : 'mutePublishStreamVideo');
    if (!this.media || typeof mute !== 'boolean') return false;
    if (!this.media.setTrackMuted(localStream, kind, mute)) return false;
    this.core.sourceStateChanged(localStream);
    return true;
  }

  /** Changes the extra info of a stream this engine publishes; others get `streamExtraInfoUpdate`. */
  setStreamExtraInfo(streamID: string, extraInfo: string): Promise<ZegoServerResponse> {
    return this.core.setStreamExtraInfo(streamID, extraInfo);
  }

  /**
   * Sends a message to everybody else in the room. Resolves with the error code (0 = sent), never rejects.
   * @example
   * const { errorCode } = await zg.sendBroadcastMessage('room1', 'hello');
   */
  async sendBroadcastMessage(roomID: string, message: string): Promise<ZegoBroadcastResult> {
    this.core.assertAlive('sendBroadcastMessage');
    return this.core.messages.sendBroadcastMessage(roomID, message);
  }

  /** Sends a command to the listed users of the room (everybody else when empty). Resolves, never rejects. */
  async sendCustomCommand(roomID: string, command: string, toUserIDs: string[]): Promise<ZegoServerResponse> {
    this.core.assertAlive('sendCustomCommand');
    return this.core.messages.sendCustomCommand(roomID, command, toUserIDs);
  }

  /** Sets one key of the room's extra info. Resolves with the error code, never rejects. */
  async setRoomExtraInfo(roomID: string, key: string, value: string): Promise<ZegoServerResponse> {
    this.core.assertAlive('setRoomExtraInfo');
    return this.core.messages.setRoomExtraInfo(roomID, key, value);
  }

  /** The SDK version. */
  getVersion(): string {
    return ENGINE_VERSION;
  }

  /** Leaves every room, closes the socket and timers. Any later call fails. */
  destroyEngine(): void {
    this.core.destroy();
    this.events.removeAllListeners();
  }

  private bridgeEvents(): void {
    const core = this.core;
    const events = this.events;
    core.on('roomState', (roomID, reason, errorCode, extendedData) => {
      events.emit('roomStateChanged', roomID, reason, errorCode, extendedData);
      events.emit('roomStateUpdate', roomID, roomReasonToState[reason], errorCode, extendedData);
    });
    core.on('userUpdate', (...args) => events.emit('roomUserUpdate', ...args));
    core.on('streamUpdate', (...args) => events.emit('roomStreamUpdate', ...args));
    core.on('streamExtraInfoUpdate', (...args) => events.emit('streamExtraInfoUpdate', ...args));
    core.on('roomExtraInfoUpdate', (...args) => events.emit('roomExtraInfoUpdate', ...args));
    core.on('onlineCount', (...args) => events.emit('roomOnlineUserCountUpdate', ...args));
    core.on('broadcast', (...args) => events.emit('IMRecvBroadcastMessage', ...args));
    core.on('customCommand', (...args) => events.emit('IMRecvCustomCommand', ...args));
    core.on('barrage', (...args) => events.emit('IMRecvBarrageMessage', ...args));
    core.on('tokenWillExpire', (roomID) => events.emit('tokenWillExpire', roomID));
    core.on('publisherState', (streamID, state, errorCode, extendedData) =>
      events.emit('publisherStateUpdate', { streamID, state, errorCode, extendedData }),
    );
    core.on('playerState', (streamID, state, errorCode, extendedData) =>
      events.emit('playerStateUpdate', { streamID, state, errorCode, extendedData }),
    );
    core.on('publishQuality', (...args) => events.emit('publishQualityUpdate', ...args));
    core.on('playQuality', (...args) => events.emit('playQualityUpdate', ...args));
    core.on('remoteTrackState', (streamID, kind, state) =>
      events.emit(kind === 'audio' ? 'remoteMicStatusUpdate' : 'remoteCameraStatusUpdate', streamID, state),
    );
    core.on('playerFirstVideoFrame', (streamID) => events.emit('playerRecvVideoFirstFrame', streamID));
    core.on('playerMediaBreak', (streamID, kind, broken) =>
      events.emit(
        'playerMediaEvent',
        streamID,
        `${kind === 'audio' ? 'AUDIO' : 'VIDEO'}_BREAK_${broken ? 'OCCUR' : 'RESUME'}`,
      ),
    );
  }
}
