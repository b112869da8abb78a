/**
 * Capture for `createZegoStream`: the Express options turned into getUserMedia / getDisplayMedia constraints,
 * and the browser's capture errors turned into Express codes (1103061 failed, 1103064 permission denied,
 * 1103065 device not readable).
 */
import { ErrorCode, ParleyError } from '@parley/protocol';

/** Presets of `videoQuality` (1–3); 4 means the `width` / `height` / `frameRate` given. */
const VIDEO_PRESETS: Record<1 | 2 | 3, { width: number; height: number; frameRate: number }> = {
  1: { width: 320, height: 240, frameRate: 15 },
  2: { width: 640, height: 480, frameRate: 15 },
  3: { width: 1280, height: 720, frameRate: 20 },
};

/** The camera and microphone part of `createZegoStream`'s options. */
export interface ZegoCameraConfig {
  /** Capture the microphone (default true). */
  audio?: boolean;
  /** Capture the camera (default true). */
  video?: boolean;
  /** Microphone deviceId. */
  audioInput?: string;
  /** Camera deviceId. */
  videoInput?: string;
  /** 1: 320×240 15 fps, 2: 640×480 15 fps (default), 3: 1280×720 20 fps, 4: `width`/`height`/`frameRate`. */
  videoQuality?: 1 | 2 | 3 | 4;
  width?: number;
  height?: number;
  frameRate?: number;
  /** 'user' (front) or 'environment' (back) camera. */
  facingMode?: 'user' | 'environment';
  /** Echo cancellation, automatic gain control, noise suppression (default on). */
  AEC?: boolean;
  AGC?: boolean;
  ANS?: boolean;
  /** 1 (default) or 2. */
  channelCount?: 1 | 2;
}

/** The screen part of `createZegoStream`'s options. */
export interface ZegoScreenConfig {
  /** Capture the shared tab's or system audio when the browser offers it (default false). */
  audio?: boolean;
  video?: boolean | { width?: number; height?: number; frameRate?: number };
}

/** `createZegoStream`'s options: exactly one of camera (the default), screen, custom. */
export interface ZegoStreamConfig {
  camera?: ZegoCameraConfig;
  screen?: boolean | ZegoScreenConfig;
  /** A media element or stream of the app's own, published as it is. */
  custom?: { source: MediaStream | HTMLMediaElement };
}

/** The captured stream and where it came from. */
export interface Captured {
  stream: MediaStream;
  source: 'camera' | 'screen' | 'custom';
}

/**
 * Captures what `config` asks for.
 * @throws ParleyError 1100001 for contradictory options, 1103061/1103064/1103065 when capture fails.
 */
export async function capture(config: ZegoStreamConfig): Promise<Captured> {
  if (config === null || typeof config !== 'object') {
    throw ParleyError.of(ErrorCode.INPUT_PARAMETER, 'createZegoStream options must be an object');
  }
  const kinds = (['camera', 'screen', 'custom'] as const).filter(
    (k) => config[k] !== undefined && config[k] !== false,
  );
  if (kinds.length > 1) {
    throw ParleyError.of(
      ErrorCode.INPUT_PARAMETER,
      `choose one of camera, screen, custom (got ${kinds.join(', ')})`,
    );
  }
  const kind = kinds[0] ?? 'camera';
  if (kind === 'custom') return { stream: customStream(config.custom!), source: 'custom' };
  const media = globalThis.navigator?.mediaDevices;
  try {
    if (kind === 'screen') {
      if (typeof media?.getDisplayMedia !== 'function') {
        throw ParleyError.of(ErrorCode.MEDIA_CAPTURE_FAILED, 'this browser cannot share the screen');
      }
      return {
        stream: await media.getDisplayMedia(screenConstraints(config.screen as true | ZegoScreenConfig)),
        source: 'screen',
      };
    }
    const constraints = cameraConstraints(config.camera ?? {});
    if (typeof media?.getUserMedia !== 'function') {
      throw ParleyError.of(
        ErrorCode.MEDIA_CAPTURE_FAILED,
        'getUserMedia is not available (is the page served over https?)',
      );
    }
    return { stream: await media.getUserMedia(constraints), source: 'camera' };
  } catch (err) {
    throw captureError(err);
  }
}

/** getUserMedia constraints for the camera options. */
export function cameraConstraints(camera: ZegoCameraConfig): MediaStreamConstraints {
  const wantAudio = camera.audio !== false;
  const wantVideo = camera.video !== false;
  if (!wantAudio && !wantVideo) {
    throw ParleyError.of(ErrorCode.INPUT_PARAMETER, 'camera.audio and camera.video are both false');
  }
  let audio: boolean | MediaTrackConstraints = false;
  if (wantAudio) {
    audio = {
      echoCancellation: camera.AEC !== false,
      autoGainControl: camera.AGC !== false,
      noiseSuppression: camera.ANS !== false,
      channelCount: camera.channelCount ?? 1,
    };
    if (camera.audioInput) audio.deviceId = { exact: camera.audioInput };
  }
  let video: boolean | MediaTrackConstraints = false;
  if (wantVideo) {
    const quality = camera.videoQuality ?? 2;
    const preset =
      quality === 4
        ? { width: camera.width ?? 640, height: camera.height ?? 480, frameRate: camera.frameRate ?? 15 }
        : VIDEO_PRESETS[quality];
    if (!preset)
      throw ParleyError.of(ErrorCode.INPUT_PARAMETER, `videoQuality ${String(quality)} is not 1–4`);
    video = {
      width: { ideal: preset.width },
      height: { ideal: preset.height },
      frameRate: { ideal: preset.frameRate },
    };
    if (camera.videoInput) video.deviceId = { exact: camera.videoInput };
    if (camera.facingMode) video.facingMode = camera.facingMode;
  }
  return { audio, video };
}

function screenConstraints(screen: true | ZegoScreenConfig): DisplayMediaStreamOptions {
  const config = screen === true ? {} : screen;
  const video = config.video;
  return {
    audio: config.audio === true,
    video:
      typeof video === 'object'
        ? {
            width: video.width ? { ideal: video.width } : undefined,
            height: video.height ? { ideal: video.height } : undefined,
            frameRate: { ideal: video.frameRate ?? 15 },
          }
        : true,
  };
}

function customStream(custom: { source: MediaStream | HTMLMediaElement }): MediaStream {
  const source = custom?.source;
  if (typeof MediaStream === 'function' && source instanceof MediaStream) return source;
  const element = source as (HTMLMediaElement & { captureStream?: () => MediaStream }) | undefined;
  if (element && typeof element.captureStream === 'function') return element.captureStream();
  throw ParleyError.of(
    ErrorCode.INPUT_PARAMETER,
    'custom.source must be a MediaStream or a playable media element',
  );
}

/** The Express error for a capture failure (a DOMException from getUserMedia / getDisplayMedia). */
export function captureError(err: unknown): ParleyError {
  if (err instanceof ParleyError) return err;
  const name = (err as { name?: unknown })?.name;
  const message = (err as { message?: unknown })?.message;
  const detail = `${typeof name === 'string' ? name : 'Error'}: ${typeof message === 'string' ? message : String(err)}`;
  switch (name) {
    case 'NotAllowedError':
    case 'PermissionDeniedError':
    case 'SecurityError':
      return ParleyError.of(ErrorCode.MEDIA_PERMISSION_DENIED, detail);
    case 'NotReadableError':
    case 'TrackStartError':
    case 'AbortError':
      return ParleyError.of(ErrorCode.MEDIA_DEVICE_NOT_READABLE, detail);
    default:
      return ParleyError.of(ErrorCode.MEDIA_CAPTURE_FAILED, detail);
  }
}
