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
export { NATIVE_EVENT_NAMES, toNativeEventName } from './native/handlerBridge.js';
export { NativeEngine, nativeCode } from './native/NativeEngine.js';
export type * from './native/nativeTypes.js';
export { SERVER_ENV } from './native/profile.js';
export { NodeWebSocket } from './nodeWebSocket.js';
export { ZegoExpressEngine, ZegoExpressEngine as default } from './ZegoExpressEngine.js';
