/**
 * What a Node app publishes: a track source produces encoded frames (VP8 frames or Opus packets) paced in
 * real time, like a camera or a microphone with an encoder behind it. One source may feed several published
 * streams at once, so it runs while at least one of them has started it (reference counting).
 */
import { consoleLogger, type EngineLogger } from '@parley/engine';
import { TypedEmitter } from '@parley/protocol';
import { guarded, logListenerErrors } from '../../guarded.js';
import { isVp8Keyframe } from '../vp8Rtp.js';

export type TrackKind = 'audio' | 'video';
export type TrackCodec = 'opus' | 'VP8';

/** One encoded frame as a source emits it. */
export interface EncodedFrame {
  kind: TrackKind;
  codec: TrackCodec;
  /** A complete VP8 frame or one Opus packet. */
  data: Buffer;
  /** Video: a VP8 key frame. Audio: always true. */
  keyframe: boolean;
  /**
   * Capture time in units of the source's `clockRate` (90 kHz video, 48 kHz audio) since the source was first
   * started; it advances with the wall clock across stops and mutes, so it maps straight to RTP timestamps.
   */
  timestamp: number;
  /** Frames emitted by this source so far, this one included (1 for the first). */
  sequence: number;
  /** Opus silence sent because the source is muted (no real capture). */
  silence?: boolean;
}

/** Events of a {@link TrackSource}. */
export type TrackSourceEvents = {
  frame: [frame: EncodedFrame];
  mute: [muted: boolean];
  /** Making a frame failed: the source logged the error and closes right after (`close` follows). */
  error: [error: Error];
  close: [];
};

/** Options every source of the SDK takes. */
export interface SourceOptions {
  /** Where the source logs what went wrong (a frame that could not be made, a listener that threw); default the console. */
  logger?: EngineLogger | undefined;
}

/** A producer of encoded frames of one kind. */
export interface TrackSource extends TypedEmitter<TrackSourceEvents> {
  readonly kind: TrackKind;
  readonly codec: TrackCodec;
  /** RTP clock rate of `timestamp`: 90000 (VP8) or 48000 (Opus). */
  readonly clockRate: number;
  readonly muted: boolean;
  /** True while at least one user has started it. */
  readonly running: boolean;
  readonly closed: boolean;
  /** Why the source stopped by itself (making a frame failed); null while it runs or after a plain close(). */
  readonly error: Error | null;
  /** Video frame size when known. */
  readonly width?: number | undefined;
  readonly height?: number | undefined;
  /**
   * Muted video sends nothing. Muted audio sends a 3-byte Opus silence packet every 20 ms, as browsers do for a
   * disabled track: players see no audio break, RTP timestamps stay continuous, and an Ogg recording (whose
   * timeline is counted in packets) keeps its length.
   */
  setMuted(muted: boolean): void;
  /** Video: make the next frame (or the next one the source can serve) a key frame. No-op for audio. */
  requestKeyframe(): void;
  /** Adds a user; the first one starts the frame timer. Throws after close(). */
  start(): void;
  /** Removes a user; the last one stops the timer. Extra calls are ignored. */
  stop(): void;
  /** Stops for good and releases the timer. Idempotent. */
  close(): void;
}

/** What {@link PacedTrackSource.produce} returns: the next frame and how long it lasts. */
export interface ProducedFrame {
  data: Buffer;
  /** Duration in ms; the next frame is due this long after this one. */
  durationMs: number;
}

/**
 * A 20 ms Opus packet of silence (TOC 0xF8: CELT-only fullband, 20 ms, mono, one frame; then an empty frame),
 * what WebRTC stacks send for a disabled audio track. Any Opus decoder decodes it to silence.
 */
export const OPUS_SILENCE = Buffer.from([0xf8, 0xff, 0xfe]);
const OPUS_SILENCE_MS = 20;

/** A timer further behind than this (the event loop stalled) skips ahead instead of sending a burst. */
const MAX_LAG_MS = 200;

/**
 * The shared machinery of every source: the pacing timer (unref'd, deadline-based so it does not drift),
 * reference counting, mute, capture timestamps and close. Subclasses only say how to make the next frame.
 */
export abstract class PacedTrackSource extends TypedEmitter<TrackSourceEvents> implements TrackSource {
  readonly kind: TrackKind;
  readonly codec: TrackCodec;
  readonly clockRate: number;
  private users = 0;
  private timer: NodeJS.Timeout | null = null;
  private _muted = false;
  private _closed = false;
  /** performance.now() of the first start: timestamp zero. */
  private epoch: number | null = null;
  /** performance.now() at which the next frame is due. */
  private nextDue = 0;
  private lastTimestamp = -1;
  private emitted = 0;
  private _error: Error | null = null;
  /** The timer's callback: a frame that cannot be made fails the source instead of the process. */
  private readonly onTimer: () => void;
  protected readonly log: EngineLogger;

  protected constructor(kind: TrackKind, options: SourceOptions = {}) {
    const log = options.logger ?? consoleLogger;
    super(logListenerErrors(log, `the ${kind} source`));
    this.log = log;
    this.kind = kind;
    this.codec = kind === 'audio' ? 'opus' : 'VP8';
    this.clockRate = kind === 'audio' ? 48_000 : 90_000;
    this.onTimer = guarded(
      log,
      `the ${kind} source's frame timer`,
      () => this.tick(),
      (error) => this.fail(error),
    );
  }

  get error(): Error | null {
    return this._error;
  }

  get muted(): boolean {
    return this._muted;
  }

  get running(): boolean {
    return this.timer !== null;
  }

  get closed(): boolean {
    return this._closed;
  }

  setMuted(muted: boolean): void {
    if (typeof muted !== 'boolean') throw new TypeError('muted must be a boolean');
    if (this._closed || muted === this._muted) return;
    this._muted = muted;
    // Players need a key frame to show anything after a pause in the video.
    if (!muted && this.kind === 'video') this.requestKeyframe();
    this.emit('mute', muted);
  }

  abstract requestKeyframe(): void;

  start(): void {
    if (this._closed) throw new Error(`the ${this.kind} source is closed`);
    this.users += 1;
    if (this.users > 1) return;
    const now = performance.now();
    this.epoch ??= now;
    this.nextDue = now;
    this.onStart();
    this.schedule();
  }

  stop(): void {
    if (this.users === 0) return;
    this.users -= 1;
    if (this.users > 0) return;
    this.clearTimer();
  }

  close(): void {
    if (this._closed) return;
    this._closed = true;
    this.users = 0;
    this.clearTimer();
    this.release();
    this.emit('close');
    this.removeAllListeners();
  }

  /** Making a frame threw (already logged): the source stops for good, saying why. */
  private fail(error: Error): void {
    if (this._closed) return;
    this._error = error;
    this.emit('error', error);
    this.close();
  }

  /** The next frame, or null when there is none right now (the source tries again 20 ms later). */
  protected abstract produce(): ProducedFrame | null;

  /** Called when the source (re)starts after having no users. */
  protected onStart(): void {}

  /** Releases what the subclass holds (a shared tone, say); called once by close(). */
  protected release(): void {}

  private schedule(): void {
    const wait = Math.max(0, this.nextDue - performance.now());
    this.timer = setTimeout(this.onTimer, wait);
    this.timer.unref();
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private tick(): void {
    if (this._closed || this.timer === null) return;
    const now = performance.now();
    if (now - this.nextDue > MAX_LAG_MS) this.nextDue = now;
    const due = this.nextDue;
    let durationMs: number;
    if (this._muted) {
      durationMs = this.kind === 'audio' ? OPUS_SILENCE_MS : this.mutedVideoIntervalMs();
      if (this.kind === 'audio') this.deliver(OPUS_SILENCE, due, true);
    } else {
      const frame = this.produce();
      durationMs = frame?.durationMs ?? 20;
      if (frame) this.deliver(frame.data, due, false);
    }
    this.nextDue = due + durationMs;
    // A listener may have closed or stopped the source.
    if (this.timer !== null && !this._closed) this.schedule();
  }

  /** How often a muted video source wakes up (it sends nothing, only keeps its clock). */
  protected mutedVideoIntervalMs(): number {
    return 100;
  }

  private deliver(data: Buffer, due: number, silence: boolean): void {
    const epoch = this.epoch ?? due;
    let timestamp = Math.round(((due - epoch) * this.clockRate) / 1000);
    // Never repeat a timestamp, even if a skip-ahead rounded onto the last one.
    if (timestamp <= this.lastTimestamp) timestamp = this.lastTimestamp + 1;
    this.lastTimestamp = timestamp;
    this.emitted += 1;
    const frame: EncodedFrame = {
      kind: this.kind,
      codec: this.codec,
      data,
      keyframe: this.kind === 'audio' || isVp8Keyframe(data),
      timestamp,
      sequence: this.emitted,
    };
    if (silence) frame.silence = true;
    this.emit('frame', frame);
  }
}
