/**
 * @parley/web — the Express Web API (`ZegoExpressEngine`) for browsers, on the browser's own WebSocket and
 * WebRTC, talking to a Parley server. Code written for the ZEGO Express Web SDK runs with only the import line
 * and the server address changed. Also built as one script file (`/sdk/parley.js` on a Parley server) that
 * defines `window.ZegoExpressEngine`.
 *
 * @example
 * import { ZegoExpressEngine } from '@parley/web';
 * const zg = new ZegoExpressEngine(appID, 'wss://rtc.example.com/ws');
 * await zg.loginRoom('room1', token, { userID: 'u1' }, { userUpdate: true });
 * zg.startPublishingStream('u1-main', await zg.createZegoStream());
 */
export type {
  PlayQuality,
  PublishQuality,
  ZegoBarrageMessageInfo,
  ZegoBroadcastMessageInfo,
  ZegoBroadcastResult,
  ZegoPlayerMediaEventWeb,
  ZegoPlayerStateResult,
  ZegoPublisherStateResult,
  ZegoRoomExtraInfo,
  ZegoServerResponse,
  ZegoStreamList,
  ZegoUser,
  ZegoWebEventName,
  ZegoWebEvents,
  ZegoWebPlayOption,
  ZegoWebPublishOption,
  ZegoWebRoomConfig,
} from '@parley/engine';
export { ErrorCode, ParleyError } from '@parley/protocol';
export { BrowserMediaBackend } from './BrowserMediaBackend.js';
export type { ZegoCameraConfig, ZegoScreenConfig, ZegoStreamConfig } from './capture.js';
export type { LocalSource } from './localSource.js';
export type { ZegoCapabilityDetection, ZegoCapabilityType } from './systemRequirements.js';
export { ZegoExpressEngine, type ZegoWebEngineOptions } from './ZegoExpressEngine.js';
export { ZegoLocalStream, type ZegoPlayVideoOptions } from './ZegoLocalStream.js';
