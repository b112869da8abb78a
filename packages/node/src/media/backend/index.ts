// The Node media backend on werift: local sources, the frame sink, and the publish and play connections.

export { BREAK_THRESHOLD_MS, MediaBreakWatch } from '@parley/engine';
export {
  type ClientIceOptions,
  checkIceServers,
  clientCodecs,
  clientPeerConfig,
  isLoopbackHost,
} from './clientPeerConfig.js';
export { FrameRecorder, type RecordableFrame, type RecordPaths } from './FrameRecorder.js';
export { FrameSink, type FrameSinkCounts, type FrameSinkEvents, type ReceivedFrame } from './FrameSink.js';
export { IvfFileSource } from './IvfFileSource.js';
export {
  createNodeLocalStream,
  NodeLocalStream,
  type NodeLocalStreamEvents,
  type NodeLocalStreamOptions,
  type NodePlayVideoOptions,
} from './NodeLocalStream.js';
export { OggOpusFileSource } from './OggOpusFileSource.js';
export { ReceivedTrack, type ReceivedTrackOptions, type ReceivedTrackOutput } from './ReceivedTrack.js';
export { ReorderBuffer, type ReorderBufferOptions } from './ReorderBuffer.js';
export { SyntheticCameraSource } from './SyntheticCameraSource.js';
export { SyntheticMicrophoneSource } from './SyntheticMicrophoneSource.js';
export {
  type EncodedFrame,
  OPUS_SILENCE,
  PacedTrackSource,
  type ProducedFrame,
  type SourceOptions,
  type TrackCodec,
  type TrackKind,
  type TrackSource,
  type TrackSourceEvents,
} from './TrackSource.js';
export { vp8FrameSize } from './vp8FrameSize.js';
export {
  type CandidateInfo,
  type ConnectionOptions,
  type RoundTrip,
  WeriftConnection,
} from './WeriftConnection.js';
export { WeriftMediaBackend, type WeriftMediaBackendOptions } from './WeriftMediaBackend.js';
export { type PlayConnectionOptions, WeriftPlayConnection } from './WeriftPlayConnection.js';
export { WeriftPublishConnection } from './WeriftPublishConnection.js';
