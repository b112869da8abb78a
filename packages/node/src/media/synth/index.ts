// The synthetic devices of the Node SDK: a virtual camera (VP8) and microphone (Opus) whose frames a
// receiver can identify and check.
export { BoolEncoder } from './BoolEncoder.js';
export {
  createFlatPicture,
  type FlatPicture,
  flatPictureToI420,
  MB_SIZE,
  sampleI420Macroblocks,
  setMacroblock,
  type YuvColour,
} from './FlatPicture.js';
export { type OpusPacketParts, padOpusPacket, parseOpusPacket } from './opusPadding.js';
export {
  type EncodedVideoFrame,
  readSyntheticFrameNumber,
  SyntheticCamera,
  type SyntheticCameraOptions,
} from './SyntheticCamera.js';
export {
  type EncodedAudioPacket,
  readSyntheticPacketNumber,
  SyntheticMicrophone,
  type SyntheticMicrophoneOptions,
} from './SyntheticMicrophone.js';
export { appendSyntheticTag, readSyntheticTag, SYNTHETIC_TAG_SIZE } from './syntheticTag.js';
export { drawTestPattern, patternDigitCount, readTestPatternNumber } from './testPattern.js';
export { encodeFlatVp8Frame, type FlatVp8FrameOptions, VP8_MAX_DIMENSION } from './vp8FlatEncoder.js';
