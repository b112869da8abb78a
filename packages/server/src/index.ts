export {
  type ApiActionName,
  type ApiActionTypes,
  ApiCallError,
  ApiClient,
  type ApiClientOptions,
  type ApiParamValue,
} from './api/ApiClient.js';
export type { ApiReply } from './api/ApiServer.js';
export { ApiCode } from './api/apiCodes.js';
export { apiSignature } from './api/signature.js';
export type { CallbackStats } from './callbacks/CallbackSender.js';
export { type CallbackEvent, type CallbackEventName, callbackEvents } from './callbacks/events.js';
export { callbackSignature } from './callbacks/signature.js';
export {
  type AnnouncedOrigin,
  ConfigError,
  type ConfigProblem,
  type ResolvedConfig,
  resolveServerConfig,
  type ServerConfigInput,
  serverConfigSchema,
} from './config/index.js';
export { FORWARDING_HEAP_GROWING_PERCENT, tuneHeapForForwarding } from './heapTuning.js';
export {
  createLogger,
  isLogLevel,
  type LogFields,
  type Logger,
  type LoggerOptions,
  type LogLevel,
} from './log.js';
export type { AppConfig, RunningServer, ServerExtras, ServerOptions } from './options.js';
export {
  type PublisherTransport,
  type SfuIceOptions,
  SfuRouter,
  type SfuRouterOptions,
  StunResponder,
  type SubscriberTransport,
  type TransportStats,
} from './sfu/index.js';
export type { LimitName, LimitStats } from './signaling/AddressLimits.js';
export type { AddressLimitSettings, HttpTimeoutSettings } from './signaling/limitSettings.js';
export { startServer } from './startServer.js';
export { type TurnCredentials, turnCredentials } from './turn/turnCredentials.js';
export { type TurnLog, type TurnServerConfigOptions, turnServerConfig } from './turn/turnServerConfig.js';
