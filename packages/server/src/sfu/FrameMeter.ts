/**
 * Frame rate and picture size of a video stream, from what its RTP says: a frame ends at the marker bit, and a
 * VP8 keyframe announces its size. (H264 sizes are in the SPS, which the SFU does not parse: they stay null.)
 */
import type { RtpPacket } from 'werift';
import { vp8KeyframeSize } from './keyframe.js';

/** Frames per second are counted over this trailing window. */
const WINDOW_MS = 2000;

export class FrameMeter {
  frames = 0;
  width: number | null = null;
  height: number | null = null;
  /** Arrival times of the frames in the window, oldest first. */
  private readonly recent: number[] = [];

  constructor(
    private readonly mimeType: string,
    private readonly now: () => number = () => performance.now(),
  ) {}

  add(packet: RtpPacket): void {
    if (this.mimeType.toLowerCase() === 'video/vp8') {
      const size = vp8KeyframeSize(packet.payload);
      if (size) {
        this.width = size.width;
        this.height = size.height;
      }
    }
    if (!packet.header.marker) return;
    this.frames += 1;
    const t = this.now();
    this.recent.push(t);
    while (this.recent.length > 0 && this.recent[0]! < t - WINDOW_MS) this.recent.shift();
  }

  /** Frames per second over the last two seconds; null before two frames arrived. */
  get frameRate(): number | null {
    const t = this.now();
    while (this.recent.length > 0 && this.recent[0]! < t - WINDOW_MS) this.recent.shift();
    if (this.frames < 2) return null;
    return Math.round((this.recent.length / (WINDOW_MS / 1000)) * 10) / 10;
  }
}
