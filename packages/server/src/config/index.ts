/**
 * `@parley/server/config`: the server's settings schema and what reads it, without the rest of the server (no
 * werift, no sockets), so a command line can check a configuration before it loads the server.
 */

// What `parley turn-config` prints: as light as the rest of this entry (no werift, no sockets).
export { type TurnLog, type TurnServerConfigOptions, turnServerConfig } from '../turn/turnServerConfig.js';
export { type AnnouncedOrigin, isLoopbackHost, type MediaAddresses, mediaAddresses } from './addresses.js';
export {
  type AppConfig,
  appIdProblem,
  appSchema,
  appSignProblem,
  callbackSecretProblem,
  callbackUrlProblem,
  serverSecretProblem,
} from './apps.js';
export { ConfigError, type ConfigProblem, describeProblem, formatPath, problemsOf } from './ConfigError.js';
export { MIN_MEDIA_PORT, type SettingMeta } from './fields.js';
export { resolveServerConfig } from './resolve.js';
export {
  LOG_LEVELS,
  mediaSchema,
  type ResolvedConfig,
  roomsSchema,
  type ServerConfigInput,
  serverConfigSchema,
  signalingSchema,
  tlsSchema,
  turnSchema,
} from './schema.js';
export { objectShape, partialSchema, type Setting, type SettingKind, settingsOf } from './settings.js';
export { readTlsFiles, type TlsFiles } from './tlsFiles.js';
