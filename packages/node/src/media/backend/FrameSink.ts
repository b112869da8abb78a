/**
 * What `startPlayingStream` returns in Node: the received stream as complete encoded frames. It belongs to the
 * play, not to one connection: when the engine retries a play, the next connection feeds the same sink.
 */
import { consoleLogger, type EngineLogger } from '@parley/engine';
import { TypedEmitter } from '@parley/protocol';
import { logListenerErrors } from '../../guarded.js';
import { FrameRecorder, type RecordPaths } from './FrameRecorder.js';

/** One received frame. */
export interface ReceivedFrame {
  kind: 'audio' | 'video';
  /** A complete VP8 frame (decodable: never a frame after a loss before the next key frame) or an Opus packet. */
  data: Buffer;
  /** Video: a VP8 key frame. Audio: always true. */
  keyframe: boolean;
  /** The RTP timestamp (90 kHz video, 48 kHz audio); it restarts from another origin after a connection retry. */
  rtpTimestamp: number;
  /** performance.now() when its last packet arrived. */
  receivedAt: number;
}

/** Events of a {@link FrameSink}. */
export type FrameSinkEvents = {
  frame: [frame: ReceivedFrame];
  /** The play stopped for good; no frame follows. */
  end: [];
};

/** The sink's counters, cumulative over every connection that fed it. */
export interface FrameSinkCounts {
  audioFrames: number;
  videoFrames: number;
  keyframes: number;
  /** Video frames that missed packets and were dropped. */
  incompleteFrames: number;
  /** Complete video frames dropped because they depend on a lost one (waiting for a key frame). */
  droppedFrames: number;
}

/**
 * Received frames of one played stream.
 * @example
 * const sink = zg.startPlayingStream('s1');   // in Node
 * sink.on('frame', (f) => console.log(f.kind, f.data.length));
 * await sink.writeTo({ ivf: 'out.ivf', ogg: 'out.ogg' });
 */
export class FrameSink extends TypedEmitter<FrameSinkEvents> {
  readonly streamID: string;
  private readonly _counts: FrameSinkCounts = {
    audioFrames: 0,
    videoFrames: 0,
    keyframes: 0,
    incompleteFrames: 0,
    droppedFrames: 0,
  };
  private readonly recorders = new Set<FrameRecorder>();
  private closing: Promise<void> | null = null;
  private feeder: object | null = null;

  /** `log` receives what the sink's listeners (the app's) throw; default the console. */
  constructor(streamID: string, log: EngineLogger = consoleLogger) {
    super(logListenerErrors(log, `the frame sink of ${streamID}`));
    this.streamID = streamID;
  }

  get closed(): boolean {
    return this.closing !== null;
  }

  /** A copy of the counters. */
  get counts(): FrameSinkCounts {
    return { ...this._counts };
  }

  /**
   * Records the frames received from now on (video from the next key frame). Resolves once the files are
   * open; they are finished when the sink closes, or by the returned recorder's `close()`.
   */
  async writeTo(paths: RecordPaths): Promise<FrameRecorder> {
    if (this.closing) throw new Error(`the frame sink of ${this.streamID} is closed`);
    const recorder = await FrameRecorder.open(paths);
    if (this.closing) {
      await recorder.close();
      throw new Error(`the frame sink of ${this.streamID} is closed`);
    }
    this.recorders.add(recorder);
    return recorder;
  }

  /**
   * @internal Delivers a frame from connection `from` (the play connection calls this). A frame from another
   * connection than the last one starts a new segment of the recordings.
   */
  deliver(frame: ReceivedFrame, from: object): void {
    if (this.closing) return;
    if (from !== this.feeder) {
      this.feeder = from;
      for (const recorder of this.recorders) recorder.newSegment();
    }
    if (frame.kind === 'audio') this._counts.audioFrames += 1;
    else {
      this._counts.videoFrames += 1;
      if (frame.keyframe) this._counts.keyframes += 1;
    }
    for (const recorder of this.recorders) if (!recorder.closed) recorder.write(frame);
    this.emit('frame', frame);
  }

  /** @internal A video frame was lost: `incomplete` (missing packets) or dropped while waiting for a key frame. */
  countLoss(kind: 'incomplete' | 'dropped'): void {
    if (kind === 'incomplete') this._counts.incompleteFrames += 1;
    else this._counts.droppedFrames += 1;
  }

  /** Ends the sink: emits `end`, finishes the recordings. Idempotent; resolves when the files are written. */
  close(): Promise<void> {
    if (this.closing) return this.closing;
    const recorders = [...this.recorders];
    this.recorders.clear();
    this.closing = Promise.all(recorders.map((r) => r.close())).then(() => undefined);
    this.emit('end');
    this.removeAllListeners();
    return this.closing;
  }
}
