/**
 * The SFU layer: WebRTC transports on werift, producers and consumers, RTP forwarding with rewriting,
 * keyframe requests, NACK answers, statistics, and media pipes between the SFUs of a cluster's nodes. It imports nothing from signaling or rooms.
 */
export { Consumer, type ConsumerEvents, type ConsumerOptions } from './Consumer.js';
export {
  isH264KeyframeStart,
  isKeyframeStart,
  isVp8KeyframeStart,
  vp8KeyframeSize,
  vp8PayloadHeaderOffset,
} from './keyframe.js';
export {
  Producer,
  type ProducerEvents,
  type ProducerOptions,
  type ProducerSource,
  type RtpSink,
} from './Producer.js';
export { PublisherTransport } from './PublisherTransport.js';
export {
  LOOPBACK_ICE,
  resolveIceOptions,
  type SfuIceOptions,
  sfuCodecs,
  sfuPeerConfig,
} from './peerConfig.js';
export type { PipeCloseReason } from './pipe/PipeCloseReason.js';
export { PipeIn, type PipeInEvents, type PipeInStats } from './pipe/PipeIn.js';
export { PipeOut, type PipeOutEvents, type PipeOutStats } from './pipe/PipeOut.js';
export type { PipeOutTrackStats } from './pipe/PipeOutTrack.js';
export {
  type PipeAnswer,
  type PipeCodec,
  type PipeRequest,
  type PipeTrack,
  parsePipeAnswer,
  parsePipeRequest,
} from './pipe/pipeMessages.js';
export { RetransmissionBuffer } from './RetransmissionBuffer.js';
export { SfuError, type SfuErrorCode } from './SfuError.js';
export { SfuRouter, type SfuRouterEvents, type SfuRouterOptions } from './SfuRouter.js';
export type { SourceCloseReason, StreamSource } from './StreamSource.js';
export { StunResponder, type StunResponderOptions, stunUrlOf } from './StunResponder.js';
export { SubscriberTransport } from './SubscriberTransport.js';
export type { RtpStreamStats, TransportStats } from './stats.js';
export type { Transport, TransportCloseReason, TransportEvents, TransportTimeouts } from './Transport.js';
export { UdpMux, type UdpMuxOptions, type UdpMuxStats } from './werift/udpMux/UdpMux.js';
