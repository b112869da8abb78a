/**
 * `ZegoExpressEngine` for browsers: the engine core's web face with the browser's WebSocket and WebRTC, plus
 * what only a browser has — capture (`createZegoStream`), capability detection, `MediaStream` outputs.
 */
import { WebFace, type WebFaceOptions } from '@parley/engine';
import { ErrorCode, ParleyError } from '@parley/protocol';
import { BrowserMediaBackend } from './BrowserMediaBackend.js';
import { capture, type ZegoStreamConfig } from './capture.js';
import type { LocalSource } from './localSource.js';
import {
  detectCapabilities,
  type ZegoCapabilityDetection,
  type ZegoCapabilityType,
} from './systemRequirements.js';
import { ZegoLocalStream } from './ZegoLocalStream.js';

/** Options beyond the Express constructor's two arguments (reconnection, timeouts, logging). */
export type ZegoWebEngineOptions = Omit<WebFaceOptions<LocalSource, MediaStream>, 'media'>;

/**
 * The Express engine in the browser.
 * @example
 * const zg = new ZegoExpressEngine(appID, '');              // '' = the server this page came from
 * zg.on('roomStreamUpdate', async (roomID, updateType, streamList) => {
 *   if (updateType === 'ADD') video.srcObject = await zg.startPlayingStream(streamList[0].streamID);
 * });
 * await zg.loginRoom('room1', token, { userID: 'u1', userName: 'Ann' }, { userUpdate: true });
 * const local = await zg.createZegoStream();
 * local.playVideo(document.querySelector('#preview'));
 * zg.startPublishingStream('u1-main', local);
 */
export class ZegoExpressEngine extends WebFace<LocalSource, MediaStream> {
  private readonly localStreams = new Set<ZegoLocalStream>();
  /** Streams made by the legacy `createStream`, stopped with the engine too. */
  private readonly plainStreams = new Set<MediaStream>();

  constructor(appID: number, server: string, options: ZegoWebEngineOptions = {}) {
    super(appID, server, { ...options, media: new BrowserMediaBackend() });
  }

  /**
   * What this browser can do. Resolves, never rejects; `errInfo` says why a capability is false.
   * @example
   * const { webRTC, videoCodec } = await zg.checkSystemRequirements();
   */
  checkSystemRequirements(type?: ZegoCapabilityType): Promise<ZegoCapabilityDetection> {
    return detectCapabilities(type);
  }

  /**
   * Captures a local stream: camera and microphone by default, or `{camera: {audio: true, video: false}}`,
   * `{screen: true}`, `{custom: {source}}`. Rejects `{code, msg}`: 1103064 permission denied, 1103065 device
   * busy or unreadable, 1103061 any other capture failure, 1100001 bad options.
   * @example
   * const local = await zg.createZegoStream({ camera: { audio: true, video: false } });
   * local.playAudio();
   */
  async createZegoStream(config: ZegoStreamConfig = {}): Promise<ZegoLocalStream> {
    this.core.assertAlive('createZegoStream');
    const { stream, source } = await capture(config);
    const local = new ZegoLocalStream(stream, source);
    this.localStreams.add(local);
    return local;
  }

  /** Legacy: captures like {@link createZegoStream} and returns the plain MediaStream. */
  async createStream(config: ZegoStreamConfig = {}): Promise<MediaStream> {
    this.core.assertAlive('createStream');
    const { stream } = await capture(config);
    this.plainStreams.add(stream);
    return stream;
  }

  /** Stops capturing a local stream (its tracks end; streams published from it stop sending). */
  destroyStream(stream: LocalSource): void {
    if (stream instanceof ZegoLocalStream) {
      this.localStreams.delete(stream);
      stream.destroy();
    } else if (typeof MediaStream === 'function' && stream instanceof MediaStream) {
      this.plainStreams.delete(stream);
      for (const track of stream.getTracks()) track.stop();
    } else {
      throw ParleyError.of(ErrorCode.INPUT_PARAMETER, 'destroyStream needs a stream from createZegoStream');
    }
  }

  /** Mutes (true) or unmutes the microphone of every local stream of this engine; players are told. */
  muteMicrophone(mute: boolean): boolean {
    this.core.assertAlive('muteMicrophone');
    if (typeof mute !== 'boolean') return false;
    for (const stream of [...this.localStreams, ...this.plainStreams]) {
      if (stream.getAudioTracks().length > 0) this.muteTrack(stream, 'audio', mute);
    }
    return true;
  }

  /** Leaves every room, stops every play and publish, and stops the local streams this engine captured. */
  override destroyEngine(): void {
    super.destroyEngine();
    for (const stream of [...this.localStreams]) stream.destroy();
    for (const stream of [...this.plainStreams]) for (const track of stream.getTracks()) track.stop();
    this.localStreams.clear();
    this.plainStreams.clear();
  }
}
