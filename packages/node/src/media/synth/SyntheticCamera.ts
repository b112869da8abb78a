import { MB_SIZE } from './FlatPicture.js';
import { SharedFrames } from './SharedFrames.js';
import { appendSyntheticTag, readSyntheticTag, SYNTHETIC_TAG_SIZE } from './syntheticTag.js';
import { drawTestPattern } from './testPattern.js';
import { encodeFlatVp8Frame, VP8_MAX_DIMENSION } from './vp8FlatEncoder.js';

/** Options of a {@link SyntheticCamera}. */
export interface SyntheticCameraOptions {
  /** Pixels, a multiple of 16; default 320. */
  width?: number;
  /** Pixels, a multiple of 16; default 240. */
  height?: number;
  /** Frames per second the caller is meant to pace the camera at; default 30. Only reported back. */
  fps?: number;
  /** Also make every Nth frame a key frame; default: only the first and requested ones. */
  keyframeInterval?: number;
}

/** One encoded frame of a {@link SyntheticCamera}. */
export interface EncodedVideoFrame {
  /** A complete VP8 frame followed by the 12-byte synthetic tag (see {@link readSyntheticFrameNumber}). */
  data: Buffer;
  keyframe: boolean;
  /** Frame number, from 0. */
  index: number;
  width: number;
  height: number;
}

/**
 * Frames every camera of the process shares: 16 MiB hold about half a minute of 30 fps 320x240 frames
 * (about 500 bytes each), so cameras started that far apart still draw and encode each frame once.
 */
const sharedFrames = new SharedFrames(16 * 1024 * 1024);

function dimension(name: string, value: number): number {
  if (!Number.isInteger(value) || value < MB_SIZE || value % MB_SIZE !== 0 || value > VP8_MAX_DIMENSION) {
    throw new TypeError(`SyntheticCamera ${name} must be a multiple of 16 from 16 to 16368, got ${value}`);
  }
  return value;
}

/**
 * A virtual camera, like Chromium's fake capture device: it draws a moving test pattern (scrolling
 * colour bars, a bouncing square and the frame number in big digits) and encodes it as VP8 with a
 * small built-in encoder. It is a pure generator with no timers; the caller paces it at `fps`.
 * A frame depends only on its size, number and type, so cameras share what they drew recently: thousands
 * of cameras running together cost about what one does, plus a copy per frame.
 *
 * Each frame ends in a tag carrying its number, which decoders ignore and
 * {@link readSyntheticFrameNumber} reads without decoding. Decoded, the picture is exactly the pattern.
 *
 * @example
 * const camera = new SyntheticCamera({ width: 320, height: 240, fps: 30 });
 * const timer = setInterval(() => sendVp8(camera.nextFrame()), 1000 / camera.fps);
 * onPictureLossIndication(() => camera.requestKeyframe());
 */
export class SyntheticCamera {
  readonly width: number;
  readonly height: number;
  readonly fps: number;
  readonly keyframeInterval: number | undefined;
  private index = 0;
  private keyframeRequested = true;

  constructor(options: SyntheticCameraOptions = {}) {
    this.width = dimension('width', options.width ?? 320);
    this.height = dimension('height', options.height ?? 240);
    this.fps = options.fps ?? 30;
    if (!(this.fps > 0 && Number.isFinite(this.fps))) {
      throw new TypeError(`SyntheticCamera fps must be a positive number, got ${options.fps}`);
    }
    const interval = options.keyframeInterval;
    if (interval !== undefined && !(Number.isInteger(interval) && interval > 0)) {
      throw new TypeError(`SyntheticCamera keyframeInterval must be a positive integer, got ${interval}`);
    }
    this.keyframeInterval = interval;
  }

  /** Number of the frame the next {@link nextFrame} call returns. */
  get nextIndex(): number {
    return this.index;
  }

  /** Makes the next frame a key frame, as a receiver's picture loss indication asks. */
  requestKeyframe(): void {
    this.keyframeRequested = true;
  }

  /** Draws and encodes the next frame. */
  nextFrame(): EncodedVideoFrame {
    const index = this.index++;
    const keyframe =
      this.keyframeRequested || (this.keyframeInterval !== undefined && index % this.keyframeInterval === 0);
    this.keyframeRequested = false;
    const data = sharedFrames.get(
      `${this.width}x${this.height}/${index}/${keyframe ? 'key' : 'delta'}`,
      () => {
        const picture = drawTestPattern(index, this.width / MB_SIZE, this.height / MB_SIZE);
        return appendSyntheticTag(encodeFlatVp8Frame(picture, { keyframe }), index >>> 0);
      },
    );
    return {
      data,
      keyframe,
      index,
      width: this.width,
      height: this.height,
    };
  }
}

/**
 * The frame number of a {@link SyntheticCamera} frame, read from its trailing tag without decoding;
 * null for a frame that is not one of ours or whose bytes were damaged.
 *
 * @example
 * const n = readSyntheticFrameNumber(depacketizedVp8Frame); // 41, or null
 */
export function readSyntheticFrameNumber(frame: Uint8Array): number | null {
  // The smallest VP8 frame is a 3-byte tag with some partition data; anything shorter is not a frame.
  if (frame.length <= SYNTHETIC_TAG_SIZE + 3) return null;
  return readSyntheticTag(frame);
}
