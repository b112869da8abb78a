/**
 * `ZegoExpressEngine` for Node: the web face (`new ZegoExpressEngine(appID, server)`) with `ws` as its WebSocket
 * and werift as its media stack, plus the native face's statics (`createEngine`, `createEngineWithProfile`,
 * `instance`, `destroyEngine`).
 */
import {
  consoleLogger,
  ENGINE_VERSION,
  type EngineLogger,
  safeLogger,
  WebFace,
  type WebFaceOptions,
  type ZegoWebPublishOption,
} from '@parley/engine';
import { ErrorCode, ParleyError } from '@parley/protocol';
import type { FrameSink } from './media/backend/FrameSink.js';
import {
  createNodeLocalStream,
  NodeLocalStream,
  type NodeLocalStreamOptions,
} from './media/backend/NodeLocalStream.js';
import { WeriftMediaBackend, type WeriftMediaBackendOptions } from './media/backend/WeriftMediaBackend.js';
import type { NativeEngine } from './native/NativeEngine.js';
import { createNativeEngine, destroyNativeEngine, nativeInstance } from './native/nativeSingleton.js';
import type { ZegoEngineProfile, ZegoEventHandler } from './native/nativeTypes.js';
import { NodeWebSocket } from './nodeWebSocket.js';
import {
  nodeCapabilities,
  type ZegoCapabilityDetection,
  type ZegoCapabilityType,
} from './systemRequirements.js';

/** Options of the Node engine: the web face's, plus where its media connections take their candidates from. */
export interface NodeEngineOptions extends WebFaceOptions<NodeLocalStream, FrameSink> {
  /** Host addresses for the media connections' ICE candidates (default: loopback for a loopback server). */
  hostAddresses?: string[];
  /** TLS options for the server's `turns:` TURN servers, e.g. `{ ca }` for a private CA (default Node's). */
  turnTls?: WeriftMediaBackendOptions['turnTls'];
}

/** `createZegoStream`'s options in Node: the synthetic camera and microphone, or files to loop. */
export type ZegoNodeStreamConfig = NodeLocalStreamOptions & {
  /** Screen capture has no Node equivalent; `screen` is refused with 1100001. */
  screen?: unknown;
};

/**
 * The Express engine in Node, both faces.
 * @example
 * // Web style, exactly as in a browser:
 * const zg = new ZegoExpressEngine(appID, 'ws://127.0.0.1:8080/ws');
 * await zg.loginRoom('room1', token, { userID: 'u1' }, { userUpdate: true });
 * const local = await zg.createZegoStream();            // synthetic camera and microphone
 * zg.startPublishingStream('u1-cam', local);
 * const sink = await zg.startPlayingStream('u2-cam');   // emits 'frame' for every received frame
 *
 * // Native style:
 * const engine = await ZegoExpressEngine.createEngineWithProfile({ appID, appSign, scenario: 0, server });
 * await engine.loginRoom('room1', { userID: 'u2' }, { isUserStatusNotify: true });
 * await ZegoExpressEngine.destroyEngine();
 */
export class ZegoExpressEngine extends WebFace<NodeLocalStream, FrameSink> {
  private readonly localStreams = new Set<NodeLocalStream>();
  /** Streams whose own track changes (mutes, sources that stopped) this engine passes on to their players. */
  private readonly followed = new WeakSet<NodeLocalStream>();
  /** The engine's logger, which its media backend and local streams log to as well. */
  private readonly log: EngineLogger;

  constructor(appID: number, server: string, options: NodeEngineOptions = {}) {
    const { hostAddresses, turnTls, ...rest } = options;
    // The media backend and the local streams log from timers and werift's events: an app's logger that throws
    // must not fail a connection or a source from there.
    const logger = safeLogger(rest.logger ?? consoleLogger);
    super(appID, server, {
      ...rest,
      logger,
      WebSocket: rest.WebSocket ?? NodeWebSocket,
      media: rest.media ?? new WeriftMediaBackend({ hostAddresses, turnTls, logger }),
    });
    this.log = logger;
  }

  /**
   * What this process can do (all capabilities, or the one `type` names): WebRTC through the media backend
   * (werift), the synthetic camera and microphone, custom sources (any `TrackSource`, IVF and Ogg Opus files),
   * the video codecs the backend sends (VP8), no screen sharing. Resolves, never rejects; `errInfo` says why a
   * capability is false.
   * @example
   * const { webRTC, microphone, videoCodec } = await zg.checkSystemRequirements();
   */
  async checkSystemRequirements(type?: ZegoCapabilityType): Promise<ZegoCapabilityDetection> {
    return nodeCapabilities(this.media, type);
  }

  /**
   * Makes a local stream: by default a synthetic camera (a moving test pattern with its frame number) and a
   * microphone (a 440 Hz tone), like Chromium's fake devices; `{camera: {video: false}}` is audio only, and
   * `videoFile` / `audioFile` loop an IVF (VP8) or Ogg Opus file instead. Rejects `{code, msg}` (1100001) for
   * options it cannot satisfy (a screen, a missing file).
   * @example
   * const local = await zg.createZegoStream({ camera: { audio: true, video: false } });
   * local.playAudio(); // as in seed 001; Node has no speaker (see NodeLocalStream.playAudio)
   */
  async createZegoStream(config: ZegoNodeStreamConfig = {}): Promise<NodeLocalStream> {
    this.core.assertAlive('createZegoStream');
    if (config.screen !== undefined && config.screen !== false) {
      throw ParleyError.of(ErrorCode.INPUT_PARAMETER, 'screen capture is not available in Node');
    }
    let stream: NodeLocalStream;
    try {
      stream = createNodeLocalStream({ ...config, logger: config.logger ?? this.log });
    } catch (err) {
      throw ParleyError.of(ErrorCode.INPUT_PARAMETER, err instanceof Error ? err.message : String(err));
    }
    this.localStreams.add(stream);
    this.follow(stream);
    stream.once('close', () => this.localStreams.delete(stream));
    return stream;
  }

  /** Legacy name of {@link createZegoStream}. */
  createStream(config: ZegoNodeStreamConfig = {}): Promise<NodeLocalStream> {
    return this.createZegoStream(config);
  }

  /** Stops a local stream's sources; streams published from it stop sending. */
  destroyStream(stream: NodeLocalStream): void {
    stream.close();
  }

  /** Mutes (true) or unmutes the microphone of every local stream of this engine. */
  muteMicrophone(mute: boolean): boolean {
    this.core.assertAlive('muteMicrophone');
    if (typeof mute !== 'boolean') return false;
    for (const stream of this.localStreams) stream.setMuted('audio', mute);
    return true;
  }

  /** Mutes or unmutes a track; the stream's own `trackStateChange` tells the players. */
  protected override muteTrack(stream: NodeLocalStream, kind: 'audio' | 'video', mute: boolean): boolean {
    this.core.assertAlive(kind === 'audio' ? 'mutePublishStreamAudio' : 'mutePublishStreamVideo');
    if (typeof mute !== 'boolean' || !stream?.has?.(kind)) return false;
    stream.setMuted(kind, mute);
    if (!this.followed.has(stream)) this.core.sourceStateChanged(stream);
    return true;
  }

  /**
   * Publishes a local stream (see the web face); a stream the app made itself (`new NodeLocalStream(...)`) is
   * followed like one from `createZegoStream`: its mutes and stopped sources reach the players.
   */
  override startPublishingStream(
    streamID: string,
    stream?: NodeLocalStream,
    options: ZegoWebPublishOption = {},
  ): boolean {
    if (stream instanceof NodeLocalStream) this.follow(stream);
    return super.startPublishingStream(streamID, stream, options);
  }

  /**
   * Passes the stream's own track changes to the players of every stream it feeds: a mute made on the stream
   * itself, or a source that stopped by itself (a failure shows as a muted track). Once per stream.
   */
  private follow(stream: NodeLocalStream): void {
    if (this.followed.has(stream) || stream.closed) return;
    this.followed.add(stream);
    stream.on('trackStateChange', () => this.core.sourceStateChanged(stream));
  }

  /** Leaves every room, stops every play and publish, and closes the local streams this engine made. */
  override destroyEngine(): void {
    super.destroyEngine();
    for (const stream of [...this.localStreams]) stream.close();
  }

  /**
   * Creates the native engine (a process-wide singleton; a second call returns the first engine).
   * `handler` is a Cocos-style object whose `onDebugError` is required. Throws a ParleyError for a bad AppID
   * (1001004) or AppSign (1001001 length, 1001002 characters) after reporting it to `handler.onDebugError`.
   * @example
   * const engine = ZegoExpressEngine.createEngine({ appID, appSign, scenario: 0 }, this);
   */
  static createEngine(profile: ZegoEngineProfile, handler?: ZegoEventHandler): NativeEngine {
    return createNativeEngine(profile, handler);
  }

  /**
   * Creates the native engine; rejects where `createEngine` throws.
   * @example
   * const engine = await ZegoExpressEngine.createEngineWithProfile({ appID, appSign, scenario: 0 });
   */
  static async createEngineWithProfile(profile: ZegoEngineProfile): Promise<NativeEngine> {
    return createNativeEngine(profile);
  }

  /** The native engine created by `createEngine`; throws if there is none. */
  static instance(): NativeEngine {
    return nativeInstance();
  }

  /**
   * Destroys the native engine (leaves every room, closes the socket); `callback` runs when done.
   * @example
   * await ZegoExpressEngine.destroyEngine(() => console.log('destroyed'));
   */
  static async destroyEngine(callback?: () => void): Promise<void> {
    destroyNativeEngine();
    callback?.();
  }

  /** The SDK version. */
  static getVersion(): string {
    return ENGINE_VERSION;
  }
}
