/**
 * @parley/node — the Express SDK for Node. `ZegoExpressEngine` offers the web face
 * (`new ZegoExpressEngine(appID, server)`) and the native face (`ZegoExpressEngine.createEngine(profile)`).
 * This release is signaling only: rooms, users, streams, messages; media arrives in a later release.
 *
 * @example
 * import { ZegoExpressEngine } from '@parley/node';
 * const zg = new ZegoExpressEngine(appID, 'ws://127.0.0.1:8080/ws');
 * zg.on('roomUserUpdate', (roomID, updateType, users) => console.log(roomID, updateType, users));
 * await zg.loginRoom('room1', token, { userID: 'u1' }, { userUpdate: true });
 */
export {
  type CallResult,
  type EngineLogger,
  ExponentialBackoffPolicy,
  type MediaBackend,
  type ReconnectContext,
  type ReconnectPolicy,
  silentLogger,
  type WebFaceOptions,
  type ZegoBroadcastMessageInfo,
  type ZegoBroadcastResult,
  type ZegoPublisherStateResult,
  type ZegoRoomExtraInfo,
  type ZegoServerResponse,
  type ZegoStreamList,
  type ZegoWebEvents,
  type ZegoWebPublishOption,
  type ZegoWebRoomConfig,
} from '@parley/engine';
export {
  ErrorCode,
  ParleyError,
  StreamDeleteReason,
  ZegoPlayerState,
  ZegoPublisherState,
  ZegoRoomState,
  ZegoRoomStateChangedReason,
  ZegoScenario,
  ZegoUpdateType,
} from '@parley/protocol';
// Media containers and RTP payload formats (sources and sinks of the media plane build on these).
export {
  type IvfFile,
  type IvfFrame,
  type IvfHeader,
  iterateIvfFrames,
  parseIvf,
  parseIvfHeader,
  writeIvf,
} from './media/ivf.js';
export { MediaFormatError, type MediaFormatErrorCode } from './media/MediaFormatError.js';
export {
  type OggPacket,
  type OggPage,
  OggStreamWriter,
  oggPacketsFromPages,
  parseOggPages,
} from './media/ogg.js';
export {
  type OggOpusStream,
  OggOpusWriter,
  type OpusHead,
  type OpusTags,
  readOggOpus,
  writeOggOpus,
} from './media/oggOpus.js';
export { OpusRtpDepacketizer, type OpusRtpFrame, OpusRtpPacketizer } from './media/opusRtp.js';
export { OPUS_CLOCK_RATE, type OpusToc, opusPacketSamples, parseOpusToc } from './media/opusToc.js';
export {
  RtpClockRate,
  type RtpPacketLike,
  RtpSequencer,
  type RtpSequencerOptions,
  rescaleTime,
  sequenceDelta,
} from './media/RtpSequencer.js';
export {
  isVp8Keyframe,
  parseVp8PayloadDescriptor,
  type Vp8BrokenReason,
  type Vp8DepacketizerEvent,
  type Vp8Frame,
  type Vp8PacketizerOptions,
  type Vp8PayloadDescriptor,
  Vp8RtpDepacketizer,
  Vp8RtpPacketizer,
} from './media/vp8Rtp.js';
export { NATIVE_EVENT_NAMES, toNativeEventName } from './native/handlerBridge.js';
export { NativeEngine, nativeCode } from './native/NativeEngine.js';
export type * from './native/nativeTypes.js';
export { SERVER_ENV } from './native/profile.js';
export { NodeWebSocket } from './nodeWebSocket.js';
export { ZegoExpressEngine, ZegoExpressEngine as default } from './ZegoExpressEngine.js';
