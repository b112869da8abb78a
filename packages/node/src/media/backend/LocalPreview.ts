/**
 * The local preview of one track of a {@link NodeLocalStream} — what `playVideo` / `playAudio` start. A browser
 * renders the capture on the page or the speaker; Node has neither, so a preview either hands the source's
 * frames, as they are made, to a {@link FrameSink} the app gave (the same sink type a played stream arrives in),
 * or, without one, only records that the preview is on: nothing is produced, rendered or heard.
 */
import type { FrameSink } from './FrameSink.js';
import type { EncodedFrame, TrackKind, TrackSource } from './TrackSource.js';

/**
 * @example
 * const preview = new LocalPreview('video', stream.video, sink, stream, () => {});
 * preview.stop();
 */
export class LocalPreview {
  private release: (() => void) | null = null;

  /**
   * Starts the preview: with a sink and a live source, the source runs (a preview counts as one of its users,
   * as a publish does) and each frame goes to the sink. `onSinkEnd` runs if the sink is closed meanwhile.
   */
  constructor(
    readonly kind: TrackKind,
    track: TrackSource | null,
    readonly sink: FrameSink | null,
    from: object,
    onSinkEnd: () => void,
  ) {
    if (!sink || !track || track.closed) return;
    const onFrame = (frame: EncodedFrame): void => {
      sink.deliver(
        {
          kind: frame.kind,
          data: frame.data,
          keyframe: frame.keyframe,
          rtpTimestamp: frame.timestamp,
          receivedAt: performance.now(),
        },
        from,
      );
    };
    const onEnd = (): void => onSinkEnd();
    track.on('frame', onFrame);
    sink.once('end', onEnd);
    track.start();
    // A source already running for a publish is mid-way between key frames: the preview starts at the next one.
    if (kind === 'video') track.requestKeyframe();
    this.release = () => {
      track.off('frame', onFrame);
      sink.off('end', onEnd);
      track.stop();
    };
  }

  /** True while frames go to a sink (a preview without a sink, or of a missing source, delivers nothing). */
  get delivering(): boolean {
    return this.release !== null;
  }

  /** Stops delivering and releases the source (it stops unless a publish still uses it). Idempotent. */
  stop(): void {
    const release = this.release;
    this.release = null;
    release?.();
  }
}
