/**
 * The native face of the Express API (express-api.md §3) — what `ZegoExpressEngine.createEngine` returns:
 * numeric enums, `loginRoom(roomID, user, config)` that resolves `{errorCode}` instead of rejecting,
 * `renewToken(roomID, token)`, one published stream per channel, and AppSign logins.
 */
import {
  codeOf,
  consoleLogger,
  ENGINE_VERSION,
  type EngineCore,
  type Listener,
  TypedEmitter,
} from '@parley/engine';
import {
  ErrorCode,
  errorMessage,
  type LoginAuth,
  playerStateToNative,
  publisherStateToNative,
  roomReasonToNative,
  roomReasonToState,
  roomStateToNative,
  updateTypeToNative,
  ZegoPlayerMediaEvent,
  ZegoRemoteDeviceState,
} from '@parley/protocol';
import { appSignProof } from '@parley/token';
import type { FrameSink } from '../media/backend/FrameSink.js';
import { createNodeLocalStream, type NodeLocalStream } from '../media/backend/NodeLocalStream.js';
import { bridgeHandler, toNativeEventName } from './handlerBridge.js';
import { nativePlayQuality, nativePublishQuality } from './nativeQuality.js';
import type {
  ZegoEventHandler,
  ZegoIMSendBroadcastMessageResult,
  ZegoIMSendCustomCommandResult,
  ZegoNativeEvents,
  ZegoNativeEventsAnyName,
  ZegoPlayerConfig,
  ZegoPublisherConfig,
  ZegoPublisherSetStreamExtraInfoResult,
  ZegoRoomConfig,
  ZegoRoomLoginResult,
  ZegoRoomLogoutResult,
  ZegoRoomSetRoomExtraInfoResult,
  ZegoUser,
} from './nativeTypes.js';
import type { CheckedProfile } from './profile.js';

/**
 * The native face reports an expired token as 1002078 where the web face (and the wire) say 1102018.
 * @example
 * nativeCode(1102018); // 1002078
 */
export function nativeCode(code: number): number {
  return code === ErrorCode.TOKEN_EXPIRED ? ErrorCode.TOKEN_EXPIRED_NATIVE : code;
}

/**
 * A native-style engine. Create it with `ZegoExpressEngine.createEngine(profile, handler?)` or
 * `createEngineWithProfile(profile)`.
 * @example
 * const engine = await ZegoExpressEngine.createEngineWithProfile({ appID, appSign, scenario: 0 });
 * engine.on('roomStateUpdate', (roomID, state, errorCode) => console.log(roomID, state, errorCode));
 * const { errorCode } = await engine.loginRoom('room1', { userID: 'u1' }, { isUserStatusNotify: true });
 * engine.startPublishingStream('stream1');
 */
export class NativeEngine {
  private readonly events: TypedEmitter<ZegoNativeEvents>;
  private detachHandler: (() => void) | null = null;
  /** streamID published on each channel (0 = main). */
  private readonly channels = new Map<number, string>();
  private cameraEnabled = true;
  private microphoneMuted = false;
  /** What the engine publishes (its "capture"): set by the app, or the synthetic devices made on first use. */
  private source: NodeLocalStream | null = null;
  private sourceIsOwn = false;

  constructor(
    private readonly core: EngineCore,
    private readonly profile: CheckedProfile,
    handler?: ZegoEventHandler,
  ) {
    const log = profile.parley.logger ?? consoleLogger;
    this.events = new TypedEmitter<ZegoNativeEvents>((err, event) =>
      log.error('an event listener threw', { event, err: err instanceof Error ? err.message : String(err) }),
    );
    if (handler) this.setEventHandler(handler);
    this.bridgeCoreEvents();
  }

  /** The AppID this engine was created with. */
  get appID(): number {
    return this.profile.appID;
  }

  /** The scenario this engine was created with. */
  get scenario(): number {
    return this.profile.scenario;
  }

  /** Adds a listener; React Native (`roomStateUpdate`) and Electron (`onRoomStateUpdate`) names both work. */
  on<K extends keyof ZegoNativeEventsAnyName>(
    event: K,
    callback: Listener<ZegoNativeEventsAnyName[K]>,
  ): void {
    const name = this.eventName(event);
    this.events.on(name, callback as unknown as Listener<ZegoNativeEvents[typeof name]>);
  }

  /** Removes a listener, or every listener of `event`. */
  off<K extends keyof ZegoNativeEventsAnyName>(
    event: K,
    callback?: Listener<ZegoNativeEventsAnyName[K]>,
  ): void {
    const name = this.eventName(event);
    this.events.off(name, callback as unknown as Listener<ZegoNativeEvents[typeof name]> | undefined);
  }

  /** Replaces the Cocos-style handler object (null removes it). `onDebugError` is required. */
  setEventHandler(handler: ZegoEventHandler | null): void {
    this.detachHandler?.();
    this.detachHandler = null;
    if (handler === null) return;
    if (typeof handler?.onDebugError !== 'function') {
      throw new TypeError('the event handler must implement onDebugError(errorCode, funcName, info)');
    }
    this.detachHandler = bridgeHandler(this.events, handler);
  }

  /**
   * Logs in to a room (created if absent). Resolves `{errorCode, extendedData}` — 0 on success — and never
   * rejects for a refusal. Without `config.token` the login is proven with the profile's AppSign.
   * @example
   * const { errorCode } = await engine.loginRoom('room1', { userID: 'u1', userName: 'Ann' }, { isUserStatusNotify: true });
   */
  async loginRoom(roomID: string, user: ZegoUser, config: ZegoRoomConfig = {}): Promise<ZegoRoomLoginResult> {
    this.core.assertAlive('loginRoom');
    const refusal = this.core.checkLogin(roomID, user);
    if (refusal) return this.refuse(refusal.code, 'loginRoom', refusal.msg);
    const maxMemberCount = config.maxMemberCount ?? 0;
    if (!Number.isInteger(maxMemberCount) || maxMemberCount < 0) {
      return this.refuse(ErrorCode.INPUT_PARAMETER, 'loginRoom', 'maxMemberCount must be an integer >= 0');
    }
    const token = config.token;
    const appSign = this.profile.appSign;
    if ((token === undefined || token === '') && appSign === null) {
      return this.refuse(
        ErrorCode.APP_SIGN_LENGTH,
        'loginRoom',
        'no config.token and no AppSign in the profile',
      );
    }
    const appId = this.profile.appID;
    const auth =
      token !== undefined && token !== ''
        ? (): LoginAuth => ({ kind: 'token', token })
        : (hello: { nonce: string }): LoginAuth => ({
            kind: 'appSign',
            proof: appSignProof(appSign!, { nonce: hello.nonce, appId, userId: user.userID }),
          });
    try {
      await this.core.login({
        roomID,
        user,
        config: { userUpdate: config.isUserStatusNotify === true, maxMemberCount },
        auth,
      });
      return { errorCode: 0, extendedData: '' };
    } catch (err) {
      // The refusal was announced as LOGIN_FAILED; the result carries its code.
      return { errorCode: nativeCode(codeOf(err)), extendedData: '' };
    }
  }

  /** Leaves `roomID`, or every room. Emits `roomStateChanged` LOGOUT. */
  async logoutRoom(roomID?: string): Promise<ZegoRoomLogoutResult> {
    const code = this.core.logout(roomID);
    if (code !== 0) this.events.emit('debugError', code, 'logoutRoom', `not in room ${String(roomID)}`);
    return { errorCode: code, extendedData: '' };
  }

  /** Renews the token of a room (native argument order: roomID first). Failures come as `debugError`. */
  renewToken(roomID: string, token: string): void {
    this.core.assertAlive('renewToken');
    const code = this.core.messages.renewToken(token, roomID);
    if (code !== 0) this.events.emit('debugError', nativeCode(code), 'renewToken', errorMessage(code));
  }

  /** Turns the camera on or off. Recorded now; applied to capture when media arrives. */
  /** Turns the camera off (its video track sends nothing; players see the camera muted) or on again. */
  enableCamera(enable: boolean, _channel = 0): void {
    this.core.assertAlive('enableCamera');
    this.cameraEnabled = enable !== false;
    this.source?.setMuted('video', !this.cameraEnabled);
  }

  isCameraEnabled(): boolean {
    return this.cameraEnabled;
  }

  /** Mutes the microphone (its audio track sends silence; players see the microphone muted) or unmutes it. */
  muteMicrophone(mute: boolean): void {
    this.core.assertAlive('muteMicrophone');
    this.microphoneMuted = mute === true;
    this.source?.setMuted('audio', this.microphoneMuted);
  }

  isMicrophoneMuted(): boolean {
    return this.microphoneMuted;
  }

  /** Stops (true) or resumes sending the published audio. */
  mutePublishStreamAudio(mute: boolean, _channel = 0): void {
    this.muteMicrophone(mute);
  }

  /** Stops (true) or resumes sending the published video. */
  mutePublishStreamVideo(mute: boolean, _channel = 0): void {
    this.enableCamera(!mute);
  }

  /**
   * Parley (Node): sets what `startPublishingStream` publishes — a local stream of files or synthetic devices
   * (`createNodeLocalStream`). Without one the engine publishes its own synthetic camera and microphone.
   * The camera and microphone switches apply to it.
   * @example
   * engine.setPublishSource(createNodeLocalStream({ audioFile: 'voice.ogg', camera: { video: false } }));
   */
  setPublishSource(stream: NodeLocalStream): void {
    this.core.assertAlive('setPublishSource');
    if (this.source === stream) return;
    if (this.sourceIsOwn) this.source?.close();
    this.source = stream;
    this.sourceIsOwn = false;
    this.adopt(stream);
  }

  /**
   * Plays a stream; in Node the "view" is the returned frame sink (`frame` events, `writeTo({ivf, ogg})`).
   * States come as `playerStateUpdate`. Returns null when the play was refused at once (see `debugError`).
   * @example
   * const sink = engine.startPlayingStream('s2');
   * sink?.on('frame', (f) => console.log(f.kind, f.data.length));
   */
  startPlayingStream(streamID: string, _view?: unknown, config: ZegoPlayerConfig = {}): FrameSink | null {
    this.core.assertAlive('startPlayingStream');
    const start = this.core.play(streamID, { roomID: config.roomID });
    start.playing.catch(() => {
      // The outcome is reported as playerStateUpdate.
    });
    if (start.code !== 0) {
      this.events.emit('debugError', nativeCode(start.code), 'startPlayingStream', errorMessage(start.code));
      return null;
    }
    return start.output as FrameSink;
  }

  stopPlayingStream(streamID: string): void {
    this.core.assertAlive('stopPlayingStream');
    const code = this.core.stopPlay(streamID);
    if (code !== 0) this.events.emit('debugError', code, 'stopPlayingStream', `not playing ${streamID}`);
  }

  /** The engine's publish source, made (synthetic camera and microphone) on first use. */
  private captureSource(): NodeLocalStream {
    if (this.source && !this.source.closed) return this.source;
    const stream = createNodeLocalStream({ logger: this.profile.parley.logger ?? consoleLogger });
    this.source = stream;
    this.sourceIsOwn = true;
    this.adopt(stream);
    return stream;
  }

  /** Applies the engine's switches to a source and reports its mutes to the players. */
  private adopt(stream: NodeLocalStream): void {
    stream.setMuted('video', !this.cameraEnabled);
    stream.setMuted('audio', this.microphoneMuted);
    stream.on('trackStateChange', () => {
      if (this.source === stream) this.core.sourceStateChanged(stream);
    });
  }

  startPublishingStream(streamID: string, config: ZegoPublisherConfig = {}, channel = 0): void {
    this.core.assertAlive('startPublishingStream');
    const current = this.channels.get(channel);
    if (current !== undefined && current !== streamID) {
      const info = `channel ${channel} already publishes ${current}; stop it first`;
      this.events.emit('debugError', ErrorCode.INPUT_PARAMETER, 'startPublishingStream', info);
      return;
    }
    const code = this.core.publish(streamID, { roomID: config.roomID, source: this.captureSource() });
    if (code === 0) this.channels.set(channel, streamID);
    else this.events.emit('debugError', nativeCode(code), 'startPublishingStream', errorMessage(code));
  }

  /** Stops publishing on `channel` (0 = main). */
  stopPublishingStream(channel = 0): void {
    this.core.assertAlive('stopPublishingStream');
    const streamID = this.channels.get(channel);
    if (streamID === undefined) return;
    this.channels.delete(channel);
    this.core.unpublish(streamID);
  }

  /** Changes the extra info of the stream published on `channel`. */
  async setStreamExtraInfo(extraInfo: string, channel = 0): Promise<ZegoPublisherSetStreamExtraInfoResult> {
    this.core.assertAlive('setStreamExtraInfo');
    const streamID = this.channels.get(channel);
    if (streamID === undefined) return { errorCode: ErrorCode.STREAM_NOT_FOUND };
    const { errorCode } = await this.core.setStreamExtraInfo(streamID, extraInfo);
    return { errorCode: nativeCode(errorCode) };
  }

  /** Sends a message to everybody else in the room. */
  async sendBroadcastMessage(roomID: string, message: string): Promise<ZegoIMSendBroadcastMessageResult> {
    this.core.assertAlive('sendBroadcastMessage');
    const r = await this.core.messages.sendBroadcastMessage(roomID, message);
    return { errorCode: nativeCode(r.errorCode), messageID: r.messageID };
  }

  /** Sends a command to the listed users (everybody else in the room when the list is empty or absent). */
  async sendCustomCommand(
    roomID: string,
    command: string,
    toUserList: ZegoUser[] = [],
  ): Promise<ZegoIMSendCustomCommandResult> {
    this.core.assertAlive('sendCustomCommand');
    if (!Array.isArray(toUserList)) return { errorCode: ErrorCode.INPUT_PARAMETER };
    const ids = toUserList.map((u) => u?.userID);
    const r = await this.core.messages.sendCustomCommand(roomID, command, ids);
    return { errorCode: nativeCode(r.errorCode) };
  }

  /** Sets one key of the room's extra info. */
  async setRoomExtraInfo(
    roomID: string,
    key: string,
    value: string,
  ): Promise<ZegoRoomSetRoomExtraInfoResult> {
    this.core.assertAlive('setRoomExtraInfo');
    const r = await this.core.messages.setRoomExtraInfo(roomID, key, value);
    return { errorCode: nativeCode(r.errorCode) };
  }

  /** The SDK version. */
  getVersion(): string {
    return ENGINE_VERSION;
  }

  /** Leaves every room and releases the socket; used by `ZegoExpressEngine.destroyEngine()`. */
  destroy(): void {
    this.core.destroy();
    this.detachHandler?.();
    this.detachHandler = null;
    this.events.removeAllListeners();
    this.channels.clear();
    if (this.sourceIsOwn) this.source?.close();
    this.source = null;
  }

  private eventName(event: string): keyof ZegoNativeEvents {
    const name = toNativeEventName(event);
    if (name === null) throw new TypeError(`unknown event ${JSON.stringify(event)}`);
    return name;
  }

  private refuse(code: number, funcName: string, info: string): ZegoRoomLoginResult {
    this.events.emit('debugError', code, funcName, info);
    return { errorCode: code, extendedData: '' };
  }

  private bridgeCoreEvents(): void {
    const core = this.core;
    const events = this.events;
    core.on('roomState', (roomID, reason, errorCode, extendedData) => {
      const code = nativeCode(errorCode);
      events.emit('roomStateChanged', roomID, roomReasonToNative[reason], code, extendedData);
      events.emit(
        'roomStateUpdate',
        roomID,
        roomStateToNative[roomReasonToState[reason]],
        code,
        extendedData,
      );
    });
    core.on('userUpdate', (roomID, type, users) =>
      events.emit('roomUserUpdate', roomID, updateTypeToNative[type], users),
    );
    core.on('streamUpdate', (roomID, type, streams, extendedData) =>
      events.emit('roomStreamUpdate', roomID, updateTypeToNative[type], streams, extendedData),
    );
    core.on('streamExtraInfoUpdate', (...args) => events.emit('roomStreamExtraInfoUpdate', ...args));
    core.on('roomExtraInfoUpdate', (...args) => events.emit('roomExtraInfoUpdate', ...args));
    core.on('onlineCount', (...args) => events.emit('roomOnlineUserCountUpdate', ...args));
    core.on('broadcast', (...args) => events.emit('IMRecvBroadcastMessage', ...args));
    core.on('customCommand', (...args) => events.emit('IMRecvCustomCommand', ...args));
    core.on('barrage', (...args) => events.emit('IMRecvBarrageMessage', ...args));
    core.on('tokenWillExpire', (...args) => events.emit('roomTokenWillExpire', ...args));
    core.on('debugError', (code, funcName, info) =>
      events.emit('debugError', nativeCode(code), funcName, info),
    );
    core.on('publisherState', (streamID, state, errorCode, extendedData) => {
      if (state === 'NO_PUBLISH') {
        for (const [channel, id] of this.channels) if (id === streamID) this.channels.delete(channel);
      }
      events.emit(
        'publisherStateUpdate',
        streamID,
        publisherStateToNative[state],
        nativeCode(errorCode),
        extendedData,
      );
    });
    core.on('publishQuality', (streamID, q) =>
      events.emit('publisherQualityUpdate', streamID, nativePublishQuality(q)),
    );
    core.on('playerState', (streamID, state, errorCode, extendedData) =>
      events.emit(
        'playerStateUpdate',
        streamID,
        playerStateToNative[state],
        nativeCode(errorCode),
        extendedData,
      ),
    );
    core.on('playQuality', (streamID, q) =>
      events.emit('playerQualityUpdate', streamID, nativePlayQuality(q)),
    );
    core.on('playerFirstVideoFrame', (streamID) => events.emit('playerRecvVideoFirstFrame', streamID));
    core.on('playerMediaBreak', (streamID, kind, broken) => {
      const event =
        kind === 'audio'
          ? broken
            ? ZegoPlayerMediaEvent.AudioBreakOccur
            : ZegoPlayerMediaEvent.AudioBreakResume
          : broken
            ? ZegoPlayerMediaEvent.VideoBreakOccur
            : ZegoPlayerMediaEvent.VideoBreakResume;
      events.emit('playerMediaEvent', streamID, event);
    });
    core.on('remoteTrackState', (streamID, kind, state) => {
      const value = state === 'OPEN' ? ZegoRemoteDeviceState.Open : ZegoRemoteDeviceState.Mute;
      events.emit(kind === 'audio' ? 'remoteMicStateUpdate' : 'remoteCameraStateUpdate', streamID, value);
    });
  }
}
