/**
 * What `checkSystemRequirements(type?)` shares between the browser and Node: the empty result every platform
 * fills in, and which capabilities a call asks for (all of them, or the one `type` names, the others then staying
 * false, as in ZEGO's web SDK; asking for a codec asks for the video codecs).
 */
import type { ZegoCapabilityDetection, ZegoCapabilityType } from './webTypes.js';

/**
 * A result with every capability false, and a predicate telling which capabilities `type` asks for.
 * @example
 * const { result, want } = capabilityQuery(type);
 * if (want('webRTC')) result.webRTC = true;
 */
export function capabilityQuery(type: ZegoCapabilityType | undefined): {
  result: ZegoCapabilityDetection;
  want: (name: ZegoCapabilityType) => boolean;
} {
  const want = (name: ZegoCapabilityType): boolean =>
    type === undefined || type === name || (name === 'videoCodec' && (type === 'H264' || type === 'VP8'));
  const result: ZegoCapabilityDetection = {
    webRTC: false,
    customCapture: false,
    camera: false,
    microphone: false,
    screenSharing: false,
    videoCodec: { H264: false, H265: false, VP8: false, VP9: false },
    errInfo: {},
  };
  return { result, want };
}
