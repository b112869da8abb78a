/**
 * A VP8 video source that plays an IVF file in a loop, at the file's own frame timing.
 */
import { readFileSync } from 'node:fs';
import { type IvfFrame, parseIvf } from '../ivf.js';
import { MediaFormatError } from '../MediaFormatError.js';
import { isVp8Keyframe } from '../vp8Rtp.js';
import { PacedTrackSource, type ProducedFrame, type SourceOptions } from './TrackSource.js';

/**
 * Plays the VP8 frames of an IVF file in a loop; each frame lasts until the next one's pts (the last one as
 * long as the one before it).
 *
 * A file cannot make key frames on demand: {@link requestKeyframe} is served by skipping ahead to the file's
 * next key frame at once (wrapping to the start), so the request is answered on the next frame tick but the
 * picture jumps forward. A file whose only key frame is the first one therefore restarts from the beginning.
 *
 * @example
 * const video = IvfFileSource.fromFile('packages/node/samples/testsrc.ivf');
 */
export class IvfFileSource extends PacedTrackSource {
  readonly width: number;
  readonly height: number;
  private readonly frames: IvfFrame[];
  private readonly durationsMs: number[];
  private readonly keyframeIndexes: number[];
  private next = 0;
  private keyframeWanted = true;

  /** `bytes`: a whole IVF file with fourcc VP80. Throws MediaFormatError if it is not one. */
  constructor(bytes: Uint8Array, options: SourceOptions = {}) {
    super('video', options);
    const { header, frames } = parseIvf(bytes);
    if (header.fourcc !== 'VP80') {
      throw new MediaFormatError('unsupported', `IVF fourcc ${header.fourcc} is not VP80`);
    }
    this.keyframeIndexes = frames.flatMap((f, i) => (isVp8Keyframe(f.data) ? [i] : []));
    if (frames.length === 0 || this.keyframeIndexes.length === 0) {
      throw new MediaFormatError('bad-structure', 'the IVF file has no VP8 key frame to start from');
    }
    this.frames = frames;
    this.width = header.width;
    this.height = header.height;
    const tickMs = (1000 * header.timebaseNumerator) / header.timebaseDenominator;
    this.durationsMs = frames.map((f, i) => {
      const next = frames[i + 1];
      const prev = frames[i - 1];
      const ticks = next ? next.pts - f.pts : prev ? f.pts - prev.pts : 1;
      return ticks > 0 ? ticks * tickMs : tickMs;
    });
  }

  /** Reads the file at `path` (synchronously: sample files are small). */
  static fromFile(path: string, options: SourceOptions = {}): IvfFileSource {
    return new IvfFileSource(readFileSync(path), options);
  }

  /** Frames in the file. */
  get frameCount(): number {
    return this.frames.length;
  }

  requestKeyframe(): void {
    this.keyframeWanted = true;
  }

  protected override onStart(): void {
    // A restarted source starts decodable.
    this.keyframeWanted = true;
  }

  protected produce(): ProducedFrame {
    if (this.keyframeWanted) {
      this.keyframeWanted = false;
      this.next = this.nextKeyframeIndex(this.next);
    }
    const i = this.next;
    const frame = this.frames[i]!;
    this.next = (i + 1) % this.frames.length;
    return { data: Buffer.from(frame.data), durationMs: this.durationsMs[i]! };
  }

  /** The first key frame at or after `from`, wrapping to the start of the file. */
  private nextKeyframeIndex(from: number): number {
    return this.keyframeIndexes.find((k) => k >= from) ?? this.keyframeIndexes[0]!;
  }
}
