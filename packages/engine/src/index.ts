/**
 * @parley/engine — the engine core shared by Parley's browser and Node SDKs: the signaling client, room state,
 * reconnection, and the web face of the Express API. It imports nothing from Node or the DOM; the WebSocket
 * constructor is injected.
 *
 * @example
 * import { WebFace as ZegoExpressEngine } from '@parley/engine';
 * const zg = new ZegoExpressEngine(appID, 'wss://rtc.example.com/ws', { WebSocket });
 * await zg.loginRoom('room1', token, { userID: 'u1' });
 */

// The emitter lives in @parley/protocol (the server uses it too); re-exported for the SDKs' users.
export { type EventMap, type Listener, type ListenerErrorHook, TypedEmitter } from '@parley/protocol';
export type { CallResult, CoreEvents } from './coreTypes.js';
export { type AuthProvider, EngineCore, type EngineCoreOptions, type LoginParams } from './EngineCore.js';
export { type StreamDeleteReasonEntry, streamDeleteExtendedData } from './extendedData.js';
export { guarded, logListenerErrors } from './guarded.js';
export { checkLoginInput, checkToken, wireUser } from './inputChecks.js';
export { consoleLogger, type EngineLogger, safeLogger, silentLogger } from './Logger.js';
export type {
  ConnectionInfo,
  IceServer,
  IceServerError,
  IceTransportPolicy,
  MediaBackend,
  MediaConnectionEvents,
  MediaKind,
  MediaStatsSnapshot,
  PlayConnection,
  PlayConnectionEvents,
  PlayMediaInfo,
  PublishConnection,
  PublishMediaInfo,
  RecvTrackStats,
  SendTrackStats,
  VideoCodecName,
} from './MediaBackend.js';
export { BREAK_THRESHOLD_MS, MediaBreakWatch } from './MediaBreakWatch.js';
export { type MediaContext, MediaPaths, type TurnSource } from './MediaPaths.js';
export { DEFAULT_MEDIA_TIMING, isRetryable, type MediaTiming } from './mediaRetry.js';
export type { PlayOptions, PlayStart } from './Player.js';
export { codeOf, type PublishOptions } from './Publisher.js';
export {
  type PlayAudioQuality,
  type PlayQuality,
  type PlayVideoQuality,
  type PublishAudioQuality,
  type PublishQuality,
  type PublishVideoQuality,
  playQuality,
  publishQuality,
  type QualityLevel,
  qualityLevel,
} from './quality.js';
export { Reconnector } from './Reconnector.js';
export {
  type BackoffOptions,
  ExponentialBackoffPolicy,
  type ReconnectContext,
  type ReconnectPolicy,
} from './ReconnectPolicy.js';
export type { BroadcastResult } from './RoomMessages.js';
export type { RoomConfig, RoomPhase, RoomSession } from './RoomSession.js';
export { SdpExchange } from './SdpExchange.js';
export { SessionLink, type SessionLinkEvents, type SessionLinkOptions } from './SessionLink.js';
export {
  type RequestFields,
  type SessionKeys,
  SignalClient,
  type SignalClientEvents,
  type SignalClientOptions,
  type SignalCloseCause,
  type SignalCloseInfo,
} from './SignalClient.js';
export { ENGINE_VERSION } from './version.js';
export {
  ReadyState,
  type WebSocketCloseEventLike,
  type WebSocketCtor,
  type WebSocketLike,
  type WebSocketMessageEventLike,
} from './WebSocketLike.js';
export { capabilityQuery } from './web/capabilities.js';
export { resolveServerUrl } from './web/serverUrl.js';
export { WebFace, type WebFaceOptions } from './web/WebFace.js';
export type * from './web/webTypes.js';
