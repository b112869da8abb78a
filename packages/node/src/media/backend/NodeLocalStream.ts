/**
 * The Node counterpart of the web SDK's ZegoLocalStream: what `startPublishingStream` is given in Node. It holds
 * at most one audio and one video source and may be published under several stream IDs at once. Its preview
 * methods (`playVideo`, `playAudio`, `stopVideo`, `stopAudio`, `setVolume`) keep the web SDK's names and
 * states; since Node has no screen and no speaker, a preview goes to a {@link FrameSink} the app passes, or
 * nowhere (see {@link NodeLocalStream.playAudio}).
 */
import { consoleLogger, type EngineLogger } from '@parley/engine';
import { TypedEmitter } from '@parley/protocol';
import { logListenerErrors } from '../../guarded.js';
import type { SyntheticCameraOptions } from '../synth/SyntheticCamera.js';
import type { SyntheticMicrophoneOptions } from '../synth/SyntheticMicrophone.js';
import { FrameSink } from './FrameSink.js';
import { IvfFileSource } from './IvfFileSource.js';
import { LocalPreview } from './LocalPreview.js';
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

/** `playVideo`'s options, as in the web SDK (where they style the `<video>` element). */
export interface NodePlayVideoOptions {
  /** Mirror the picture. Node delivers the encoded frames as the source made them: this changes nothing. */
  mirror?: boolean;
  /** How the picture fills its element. Node has no element: this changes nothing. */
  objectFit?: 'cover' | 'contain' | 'fill';
}

const OBJECT_FITS: readonly unknown[] = ['cover', 'contain', 'fill'];

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
  private readonly previews: Record<TrackKind, LocalPreview | null> = { audio: null, video: null };
  private _volume = 100;

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

  /**
   * Starts the local video preview (the web SDK shows it in an element). With a {@link FrameSink}, the video
   * source's frames go to it as they are made — complete VP8 frames from the next key frame, as a played stream
   * arrives — and the source runs for the preview even while nothing is published. Without one, Node having no
   * screen, the call only records that the preview is on ({@link isPlaying}): nothing is produced or shown. A
   * stream without video delivers nothing either. A second call replaces the first preview.
   * @example
   * const preview = new FrameSink('preview');
   * local.playVideo(preview);
   * preview.on('frame', (f) => console.log(f.kind, f.keyframe, f.data.length));
   */
  playVideo(sink?: FrameSink, options: NodePlayVideoOptions = {}): void {
    this.assertOpen('playVideo');
    checkSink('playVideo', sink);
    if (typeof options !== 'object' || options === null)
      throw new TypeError('playVideo: options must be an object');
    if (options.mirror !== undefined && typeof options.mirror !== 'boolean')
      throw new TypeError('playVideo: mirror must be a boolean');
    if (options.objectFit !== undefined && !OBJECT_FITS.includes(options.objectFit))
      throw new TypeError("playVideo: objectFit must be 'cover', 'contain' or 'fill'");
    this.startPreview('video', sink ?? null);
  }

  /**
   * Starts the local audio playback (the web SDK plays the microphone on the speaker). Node has no speaker:
   * without a sink the call only records that the playback is on ({@link isPlaying}) and nothing is heard or
   * produced; with a {@link FrameSink}, the audio source's Opus packets go to it as they are made (silence
   * packets while muted). A second call replaces the first playback.
   * @example
   * local.playAudio();                      // seed 001, unchanged: records the state
   * local.playAudio(new FrameSink('mic'));  // Node: receive what the microphone makes
   */
  playAudio(sink?: FrameSink): void {
    this.assertOpen('playAudio');
    checkSink('playAudio', sink);
    this.startPreview('audio', sink ?? null);
  }

  /** Stops the video preview (the source goes on if a publish uses it). No-op without one. */
  stopVideo(): void {
    this.stopPreview('video');
  }

  /** Stops the audio playback (the source goes on if a publish uses it). No-op without one. */
  stopAudio(): void {
    this.stopPreview('audio');
  }

  /** True between `playVideo`/`playAudio` and `stopVideo`/`stopAudio` (or the close of its sink, or of the stream). */
  isPlaying(kind: TrackKind): boolean {
    return this.previews[kind] !== null;
  }

  /** The volume of the local audio playback, 0..100 (default 100). */
  get volume(): number {
    return this._volume;
  }

  /**
   * Sets the volume of the local audio playback, 0..100; returns false (and changes nothing) for another value,
   * as the web SDK does. Node has no speaker and does not decode audio: the value is kept ({@link volume}) but
   * does not change the packets an audio sink receives, nor what is published.
   */
  setVolume(volume: number): boolean {
    if (typeof volume !== 'number' || !Number.isFinite(volume) || volume < 0 || volume > 100) return false;
    this._volume = volume;
    return true;
  }

  /** Closes the stream and its sources (and stops its previews). Idempotent. */
  close(): void {
    if (this._closed) return;
    this._closed = true;
    this.stopPreview('audio');
    this.stopPreview('video');
    for (const unsubscribe of this.unsubscribers) unsubscribe();
    for (const track of this.tracks) track.close();
    this.emit('close');
    this.removeAllListeners();
  }

  private startPreview(kind: TrackKind, sink: FrameSink | null): void {
    this.stopPreview(kind);
    const track = kind === 'audio' ? this.audio : this.video;
    const preview: LocalPreview = new LocalPreview(kind, track, sink, this, () => {
      // The app closed the sink: the preview has nowhere to go any more.
      if (this.previews[kind] === preview) this.stopPreview(kind);
    });
    this.previews[kind] = preview;
  }

  private stopPreview(kind: TrackKind): void {
    const preview = this.previews[kind];
    this.previews[kind] = null;
    preview?.stop();
  }

  private assertOpen(what: string): void {
    if (this._closed) throw new Error(`${what}: the local stream is closed (destroyStream)`);
  }
}

/** A preview's target in Node: nothing, or a frame sink that is still open. */
function checkSink(what: string, sink: unknown): void {
  if (sink === undefined) return;
  if (!(sink instanceof FrameSink))
    throw new TypeError(`${what} takes a FrameSink in Node (there is no screen or speaker), or nothing`);
  if (sink.closed) throw new TypeError(`${what}: the frame sink is closed`);
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
