/**
 * The Node counterpart of the web SDK's ZegoLocalStream: what `startPublishingStream` is given in Node. It holds
 * at most one audio and one video source and may be published under several stream IDs at once.
 */
import { consoleLogger, type EngineLogger } from '@parley/engine';
import { TypedEmitter } from '@parley/protocol';
import { logListenerErrors } from '../../guarded.js';
import type { SyntheticCameraOptions } from '../synth/SyntheticCamera.js';
import type { SyntheticMicrophoneOptions } from '../synth/SyntheticMicrophone.js';
import { IvfFileSource } from './IvfFileSource.js';
import { OggOpusFileSource } from './OggOpusFileSource.js';
import { SyntheticCameraSource } from './SyntheticCameraSource.js';
import { SyntheticMicrophoneSource } from './SyntheticMicrophoneSource.js';
import type { TrackKind, TrackSource } from './TrackSource.js';

/** Events of a {@link NodeLocalStream}. */
export type NodeLocalStreamEvents = {
  /**
   * A track was muted or unmuted, or its source stopped by itself (closed, or failed: see its `error`), which
   * counts as muted. The SDK tells the players of every stream this one feeds.
   */
  trackStateChange: [kind: TrackKind, muted: boolean];
  close: [];
};

/**
 * A local stream: one optional audio and one optional video {@link TrackSource}. Closing it closes them.
 * @example
 * const stream = new NodeLocalStream({ audio: OggOpusFileSource.fromFile('tone.ogg') });
 * stream.setMuted('audio', true);
 */
export class NodeLocalStream extends TypedEmitter<NodeLocalStreamEvents> {
  readonly audio: TrackSource | null;
  readonly video: TrackSource | null;
  private _closed = false;
  private readonly unsubscribers: (() => void)[] = [];

  /** `logger` receives what the stream's listeners throw; default the console. */
  constructor(
    tracks: { audio?: TrackSource | undefined; video?: TrackSource | undefined },
    options: { logger?: EngineLogger | undefined } = {},
  ) {
    super(logListenerErrors(options.logger ?? consoleLogger, 'a local stream'));
    const { audio, video } = tracks;
    if (audio && audio.kind !== 'audio') throw new TypeError('the audio track source must be of kind audio');
    if (video && video.kind !== 'video') throw new TypeError('the video track source must be of kind video');
    this.audio = audio ?? null;
    this.video = video ?? null;
    for (const track of this.tracks) {
      const onMute = (muted: boolean): void => {
        this.emit('trackStateChange', track.kind, muted);
      };
      // A source that stops by itself (a failure, or closed by whoever holds it) sends nothing any more.
      const onClose = (): void => {
        this.emit('trackStateChange', track.kind, true);
      };
      track.on('mute', onMute);
      track.on('close', onClose);
      this.unsubscribers.push(
        () => track.off('mute', onMute),
        () => track.off('close', onClose),
      );
    }
  }

  /** The sources, audio first. */
  get tracks(): TrackSource[] {
    return [this.audio, this.video].filter((t): t is TrackSource => t !== null);
  }

  get closed(): boolean {
    return this._closed;
  }

  /**
   * The stream's sources, audio first, as the web SDK's `ZegoLocalStream.getTracks()` returns its MediaStream's
   * tracks. A closed source stays listed (`closed` true), as an ended track stays in its MediaStream.
   */
  getTracks(): TrackSource[] {
    return this.tracks;
  }

  /** The audio source, if the stream has one, in a list. */
  getAudioTracks(): TrackSource[] {
    return this.audio ? [this.audio] : [];
  }

  /** The video source, if the stream has one, in a list. */
  getVideoTracks(): TrackSource[] {
    return this.video ? [this.video] : [];
  }

  /** True if the stream has a source of `kind` that is not closed. */
  has(kind: TrackKind): boolean {
    const track = kind === 'audio' ? this.audio : this.video;
    return track !== null && !track.closed;
  }

  /** Mutes or unmutes the track of `kind` (no-op without one). */
  setMuted(kind: TrackKind, muted: boolean): void {
    (kind === 'audio' ? this.audio : this.video)?.setMuted(muted);
  }

  /** Closes the stream and its sources. Idempotent. */
  close(): void {
    if (this._closed) return;
    this._closed = true;
    for (const unsubscribe of this.unsubscribers) unsubscribe();
    for (const track of this.tracks) track.close();
    this.emit('close');
    this.removeAllListeners();
  }
}

/** What {@link createNodeLocalStream} makes. */
export interface NodeLocalStreamOptions {
  /**
   * The synthetic camera and microphone (default when no file is given: both). `video` may set the picture
   * size (multiples of 16) and frame rate; `audio` the tone.
   */
  camera?: {
    audio?: boolean | SyntheticMicrophoneOptions;
    video?: boolean | Pick<SyntheticCameraOptions, 'width' | 'height' | 'fps' | 'keyframeInterval'>;
  };
  /** An Ogg Opus file to loop as the audio track (replaces the synthetic microphone). */
  audioFile?: string;
  /** An IVF (VP8) file to loop as the video track (replaces the synthetic camera). */
  videoFile?: string;
  /** Where the stream and its sources log what went wrong; default the console. The engines pass theirs. */
  logger?: EngineLogger | undefined;
}

/**
 * Makes a local stream from the synthetic devices and/or files. With no options: synthetic camera (320x240,
 * 15 fps) and microphone. A file replaces the synthetic device of its kind; `camera: { audio: false }` leaves the
 * stream without audio.
 * @example
 * const stream = createNodeLocalStream({ videoFile: 'clip.ivf', camera: { audio: true } });
 */
export function createNodeLocalStream(options: NodeLocalStreamOptions = {}): NodeLocalStream {
  const camera = options.camera ?? {};
  const logger = options.logger;
  const made: TrackSource[] = [];
  try {
    let audio: TrackSource | undefined;
    let video: TrackSource | undefined;
    if (options.audioFile !== undefined) audio = OggOpusFileSource.fromFile(options.audioFile, { logger });
    else if (camera.audio !== false) {
      audio = new SyntheticMicrophoneSource({
        ...(typeof camera.audio === 'object' ? camera.audio : {}),
        logger,
      });
    }
    if (audio) made.push(audio);
    if (options.videoFile !== undefined) video = IvfFileSource.fromFile(options.videoFile, { logger });
    else if (camera.video !== false) {
      const v = typeof camera.video === 'object' ? camera.video : {};
      video = new SyntheticCameraSource({ width: 320, height: 240, fps: 15, ...v, logger });
    }
    return new NodeLocalStream({ audio, video }, { logger });
  } catch (err) {
    // A file that failed to load must not leave the other source behind.
    for (const track of made) track.close();
    throw err;
  }
}
