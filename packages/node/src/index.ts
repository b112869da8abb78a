/**
 * @parley/node — the Express SDK for Node. `ZegoExpressEngine` offers the web face
 * (`new ZegoExpressEngine(appID, server)`) and the native face (`ZegoExpressEngine.createEngine(profile)`).
 * Both publish and play real media (werift): synthetic camera and microphone, or IVF and Ogg Opus files.
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
  type MediaKind,
  type MediaStatsSnapshot,
  type MediaTiming,
  type PlayQuality,
  type PublishQuality,
  type ReconnectContext,
  type ReconnectPolicy,
  type RecvTrackStats,
  type SendTrackStats,
  silentLogger,
  type WebFaceOptions,
  type ZegoBarrageMessageInfo,
  type ZegoBroadcastMessageInfo,
  type ZegoBroadcastResult,
  type ZegoPlayerStateResult,
  type ZegoPublisherStateResult,
  type ZegoRoomExtraInfo,
  type ZegoServerResponse,
  type ZegoStreamList,
  type ZegoWebEvents,
  type ZegoWebPlayOption,
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
// Local streams (sources), received streams (sinks) and the werift media backend.
export {
  createNodeLocalStream,
  type EncodedFrame,
  FrameSink,
  type FrameSinkCounts,
  type FrameSinkEvents,
  IvfFileSource,
  NodeLocalStream,
  type NodeLocalStreamEvents,
  type NodeLocalStreamOptions,
  type NodePlayVideoOptions,
  OggOpusFileSource,
  OPUS_SILENCE,
  PacedTrackSource,
  type ProducedFrame,
  type ReceivedFrame,
  type RecordPaths,
  type SourceOptions,
  SyntheticCameraSource,
  SyntheticMicrophoneSource,
  type TrackCodec,
  type TrackKind,
  type TrackSource,
  type TrackSourceEvents,
  WeriftMediaBackend,
  type WeriftMediaBackendOptions,
} from './media/backend/index.js';
// A media connection's chosen ICE path (direct or through TURN), for diagnostics.
export type { CandidateInfo, WeriftConnection } from './media/backend/WeriftConnection.js';
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
  type EncodedAudioPacket,
  type EncodedVideoFrame,
  readSyntheticFrameNumber,
  readSyntheticPacketNumber,
  SyntheticCamera,
  type SyntheticCameraOptions,
  SyntheticMicrophone,
  type SyntheticMicrophoneOptions,
} from './media/synth/index.js';
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
export type { ZegoCapabilityDetection, ZegoCapabilityType } from './systemRequirements.js';
export { ZegoExpressEngine, ZegoExpressEngine as default } from './ZegoExpressEngine.js';
