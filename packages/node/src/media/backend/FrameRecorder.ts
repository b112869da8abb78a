/**
 * Records received frames to files as they arrive: VP8 to IVF, Opus to Ogg Opus, with the existing container
 * writers. Writes are queued on file handles, so recording never blocks the event loop.
 */
import { type FileHandle, open } from 'node:fs/promises';
import { serializeIvfFrame, serializeIvfHeader } from '../ivf.js';
import { OggOpusWriter } from '../oggOpus.js';
import { parseOpusToc } from '../opusToc.js';
import { vp8FrameSize } from './vp8FrameSize.js';

/** Where to record; either or both. */
export interface RecordPaths {
  /** VP8 frames to an IVF file (timebase 1/90000, pts from the RTP timestamps). */
  ivf?: string | undefined;
  /** Opus packets to an Ogg Opus file. */
  ogg?: string | undefined;
}

/** What the recorder needs of a frame. */
export interface RecordableFrame {
  kind: 'audio' | 'video';
  data: Buffer;
  keyframe: boolean;
  rtpTimestamp: number;
}

/** IVF pts step assumed across a change of connection (one frame at 30 fps, in 90 kHz ticks). */
const DEFAULT_VIDEO_STEP = 3000;

/** One output file with a serial write queue. */
class QueuedFile {
  private queue: Promise<void> = Promise.resolve();
  private error: Error | null = null;

  constructor(private readonly handle: FileHandle) {}

  write(bytes: Uint8Array, position?: number): void {
    if (bytes.length === 0 || this.error) return;
    this.queue = this.queue.then(async () => {
      if (this.error) return;
      try {
        await this.handle.write(bytes, 0, bytes.length, position ?? null);
      } catch (err) {
        this.error = err as Error;
      }
    });
  }

  /** Waits for the queued writes, closes the file, and rejects with the first write error. */
  async close(): Promise<void> {
    await this.queue;
    await this.handle.close();
    if (this.error) throw this.error;
  }
}

/**
 * Writes frames to an IVF and/or an Ogg Opus file. Video recording starts at a key frame; a change of
 * connection (`newSegment`) keeps the IVF timeline going instead of jumping with the new RTP clock.
 * @example
 * const rec = await FrameRecorder.open({ ivf: 'out.ivf', ogg: 'out.ogg' });
 * sink.on('frame', (f) => rec.write(f));
 * await rec.close();
 */
export class FrameRecorder {
  private videoFrames = 0;
  private width = 0;
  private height = 0;
  private videoStarted = false;
  private ogg: OggOpusWriter | null = null;
  /** Unwrapped RTP timestamp of the last video frame, and the pts it got. */
  private lastTs: number | null = null;
  private lastPts = 0;
  private lastStep = DEFAULT_VIDEO_STEP;
  private closing: Promise<void> | null = null;

  private constructor(
    private readonly ivfFile: QueuedFile | null,
    private readonly oggFile: QueuedFile | null,
  ) {}

  /** Opens (truncates) the files; rejects if one cannot be opened. */
  static async open(paths: RecordPaths): Promise<FrameRecorder> {
    if (paths.ivf === undefined && paths.ogg === undefined) {
      throw new TypeError('writeTo needs an ivf or an ogg path');
    }
    const ivf = paths.ivf === undefined ? null : await open(paths.ivf, 'w');
    let ogg: FileHandle | null = null;
    try {
      ogg = paths.ogg === undefined ? null : await open(paths.ogg, 'w');
    } catch (err) {
      await ivf?.close();
      throw err;
    }
    const recorder = new FrameRecorder(ivf && new QueuedFile(ivf), ogg && new QueuedFile(ogg));
    // A placeholder header; close() rewrites it with the picture size and frame count.
    recorder.ivfFile?.write(recorder.ivfHeader());
    return recorder;
  }

  /** Frames written to the IVF file so far. */
  get ivfFrameCount(): number {
    return this.videoFrames;
  }

  get closed(): boolean {
    return this.closing !== null;
  }

  /** The frames that follow come from a new connection with its own RTP clock. */
  newSegment(): void {
    if (this.lastTs !== null) {
      this.lastPts += this.lastStep;
      this.lastTs = null;
    }
  }

  write(frame: RecordableFrame): void {
    if (this.closing) return;
    if (frame.kind === 'video') this.writeVideo(frame);
    else this.writeAudio(frame.data);
  }

  /** Finishes both files (final Ogg page, IVF header with the frame count). Idempotent. */
  close(): Promise<void> {
    if (this.closing) return this.closing;
    if (this.ogg) this.oggFile?.write(this.ogg.end());
    this.ivfFile?.write(this.ivfHeader(), 0);
    this.closing = Promise.all([this.ivfFile?.close(), this.oggFile?.close()]).then(() => undefined);
    return this.closing;
  }

  private writeVideo(frame: RecordableFrame): void {
    if (!this.ivfFile) return;
    if (!this.videoStarted) {
      if (!frame.keyframe) return;
      this.videoStarted = true;
    }
    if (frame.keyframe && this.width === 0) {
      const size = vp8FrameSize(frame.data);
      if (size) ({ width: this.width, height: this.height } = size);
    }
    let pts = this.lastPts;
    if (this.lastTs !== null) {
      // Signed 32-bit difference: RTP timestamps wrap.
      const step = (frame.rtpTimestamp - this.lastTs) | 0;
      if (step > 0) this.lastStep = step;
      pts = this.lastPts + Math.max(1, step);
    }
    this.lastTs = frame.rtpTimestamp;
    this.lastPts = pts;
    this.videoFrames += 1;
    this.ivfFile.write(serializeIvfFrame({ pts, data: frame.data }));
  }

  private writeAudio(packet: Buffer): void {
    if (!this.oggFile) return;
    if (!this.ogg) {
      const stereo = safeStereo(packet);
      this.ogg = new OggOpusWriter({
        // 312 samples: libopus's encoder delay at 48 kHz, what encoders write as pre-skip.
        head: {
          channels: stereo ? 2 : 1,
          preSkip: 312,
          inputSampleRate: 48000,
          outputGain: 0,
          mappingFamily: 0,
        },
      });
      this.oggFile.write(this.ogg.header());
    }
    try {
      this.oggFile.write(this.ogg.write(packet));
    } catch {
      // A packet whose TOC is unreadable has no duration to put in the granule; it is left out.
    }
  }

  private ivfHeader(): Uint8Array {
    return serializeIvfHeader({
      fourcc: 'VP80',
      width: this.width,
      height: this.height,
      timebaseNumerator: 1,
      timebaseDenominator: 90_000,
      frameCount: this.videoFrames,
    });
  }
}

function safeStereo(packet: Buffer): boolean {
  try {
    return parseOpusToc(packet).stereo;
  } catch {
    return true;
  }
}
