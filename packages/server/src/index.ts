export { FORWARDING_HEAP_GROWING_PERCENT, tuneHeapForForwarding } from './heapTuning.js';
export {
  createLogger,
  isLogLevel,
  type LogFields,
  type Logger,
  type LoggerOptions,
  type LogLevel,
} from './log.js';
export type { AppConfig, RunningServer, ServerOptions } from './options.js';
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
export {
  type AddressLimitSettings,
  DEFAULT_ADDRESS_LIMITS,
  DEFAULT_HTTP_TIMEOUTS,
  type HttpTimeoutSettings,
} from './signaling/limitSettings.js';
export { startServer } from './startServer.js';
