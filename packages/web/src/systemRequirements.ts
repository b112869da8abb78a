/**
 * `checkSystemRequirements`: what this browser can do, detected, not assumed — WebRTC, capture of a custom
 * source, a camera and a microphone present, screen sharing, and the video codecs its WebRTC stack sends.
 */
import { capabilityQuery, type ZegoCapabilityDetection, type ZegoCapabilityType } from '@parley/engine';

export type { ZegoCapabilityDetection, ZegoCapabilityType };

/**
 * Detects the capabilities (all of them, or the one `type` names; the others are then false).
 * @example
 * const { webRTC, videoCodec } = await detectCapabilities();
 */
export async function detectCapabilities(type?: ZegoCapabilityType): Promise<ZegoCapabilityDetection> {
  const { result, want } = capabilityQuery(type);
  const { errInfo } = result;
  const webRTC = typeof globalThis.RTCPeerConnection === 'function';
  if (want('webRTC')) {
    result.webRTC = webRTC;
    if (!webRTC) errInfo['webRTC'] = 'RTCPeerConnection is not available';
  }
  if (want('customCapture')) {
    const element = globalThis.HTMLMediaElement?.prototype as { captureStream?: unknown } | undefined;
    const canvas = globalThis.HTMLCanvasElement?.prototype as { captureStream?: unknown } | undefined;
    result.customCapture =
      typeof element?.captureStream === 'function' || typeof canvas?.captureStream === 'function';
    if (!result.customCapture) errInfo['customCapture'] = 'captureStream is not available';
  }
  const media = globalThis.navigator?.mediaDevices;
  if (want('screenSharing')) {
    result.screenSharing = typeof media?.getDisplayMedia === 'function';
    if (!result.screenSharing) errInfo['screenSharing'] = 'getDisplayMedia is not available';
  }
  if (want('camera') || want('microphone')) {
    if (typeof media?.enumerateDevices !== 'function') {
      errInfo['camera'] = errInfo['microphone'] = 'enumerateDevices is not available';
    } else {
      try {
        const devices = await media.enumerateDevices();
        if (want('camera')) result.camera = devices.some((d) => d.kind === 'videoinput');
        if (want('microphone')) result.microphone = devices.some((d) => d.kind === 'audioinput');
        if (want('camera') && !result.camera) errInfo['camera'] = 'no camera found';
        if (want('microphone') && !result.microphone) errInfo['microphone'] = 'no microphone found';
      } catch (err) {
        errInfo['camera'] = errInfo['microphone'] = err instanceof Error ? err.message : String(err);
      }
    }
  }
  if (want('videoCodec') && webRTC) {
    const caps = globalThis.RTCRtpSender?.getCapabilities?.('video');
    const mimeTypes = new Set((caps?.codecs ?? []).map((c) => c.mimeType.toLowerCase()));
    result.videoCodec = {
      H264: mimeTypes.has('video/h264'),
      H265: mimeTypes.has('video/h265'),
      VP8: mimeTypes.has('video/vp8'),
      VP9: mimeTypes.has('video/vp9'),
    };
    if (!caps) errInfo['videoCodec'] = 'RTCRtpSender.getCapabilities is not available';
  }
  return result;
}
