/**
 * `checkSystemRequirements` in Node: what a Node process can do with this SDK. A browser detects its WebRTC
 * stack, devices and codecs; in Node the media stack is the engine's media backend (werift by default), the
 * camera and microphone are the synthetic devices (always there) or files, and a custom source is any
 * `TrackSource` the app writes. Screen capture has no Node equivalent.
 */
import {
  capabilityQuery,
  type MediaBackend,
  type ZegoCapabilityDetection,
  type ZegoCapabilityType,
} from '@parley/engine';
import { clientCodecs } from './media/backend/clientPeerConfig.js';
import { WeriftMediaBackend } from './media/backend/WeriftMediaBackend.js';

export type { ZegoCapabilityDetection, ZegoCapabilityType };

/**
 * The capabilities of an engine whose media backend is `media` (all of them, or only the one `type` names, the
 * others then false, as in the web SDK). Video codecs are those the backend sends: for werift, its negotiated
 * codec list (VP8; the SFU's H264 is left out because Node has no H264 source).
 * @example
 * const { webRTC, videoCodec } = nodeCapabilities(new WeriftMediaBackend());
 */
export function nodeCapabilities<L, O>(
  media: MediaBackend<L, O> | null,
  type?: ZegoCapabilityType,
): ZegoCapabilityDetection {
  const { result, want } = capabilityQuery(type);
  const { errInfo } = result;
  if (want('webRTC')) {
    result.webRTC = media !== null;
    if (!media) errInfo['webRTC'] = 'the engine was made without a media backend: signaling only';
  }
  if (want('customCapture')) {
    // Any TrackSource (PacedTrackSource subclass) or an IVF / Ogg Opus file feeds a NodeLocalStream.
    result.customCapture = true;
  }
  // The synthetic camera and microphone need no hardware: createZegoStream() always has them.
  if (want('camera')) result.camera = true;
  if (want('microphone')) result.microphone = true;
  if (want('screenSharing')) errInfo['screenSharing'] = 'screen capture is not available in Node';
  if (want('videoCodec')) {
    if (media instanceof WeriftMediaBackend) {
      const mimeTypes = new Set(clientCodecs().video.map((c) => c.mimeType.toLowerCase()));
      result.videoCodec = {
        H264: mimeTypes.has('video/h264'),
        H265: mimeTypes.has('video/h265'),
        VP8: mimeTypes.has('video/vp8'),
        VP9: mimeTypes.has('video/vp9'),
      };
    } else {
      errInfo['videoCodec'] = media
        ? 'the media backend is not the werift one: its video codecs are unknown'
        : 'the engine was made without a media backend: signaling only';
    }
  }
  return result;
}
