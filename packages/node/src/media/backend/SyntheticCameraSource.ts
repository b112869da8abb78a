/**
 * The default video source of a Node app: the synthetic camera (a moving test pattern encoded as VP8),
 * paced in real time.
 */
import { SyntheticCamera, type SyntheticCameraOptions } from '../synth/SyntheticCamera.js';
import { PacedTrackSource, type ProducedFrame, type SourceOptions } from './TrackSource.js';

/**
 * A {@link SyntheticCamera} behind a timer at its frame rate. Key frame requests are served on the very next
 * frame, like a real encoder. Each frame carries its number (read it with `readSyntheticFrameNumber`).
 *
 * @example
 * const video = new SyntheticCameraSource({ width: 320, height: 240, fps: 15 });
 */
export class SyntheticCameraSource extends PacedTrackSource {
  readonly camera: SyntheticCamera;

  constructor(options: SyntheticCameraOptions & SourceOptions = {}) {
    super('video', options);
    this.camera = new SyntheticCamera(options);
  }

  get width(): number {
    return this.camera.width;
  }

  get height(): number {
    return this.camera.height;
  }

  requestKeyframe(): void {
    this.camera.requestKeyframe();
  }

  protected override onStart(): void {
    this.camera.requestKeyframe();
  }

  protected produce(): ProducedFrame | null {
    return { data: this.camera.nextFrame().data, durationMs: 1000 / this.camera.fps };
  }
}
