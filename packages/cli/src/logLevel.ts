/**
 * Log levels, checked here without loading the server: the CLI validates its configuration before it imports
 * `@parley/server`, so config errors are reported even where the server cannot load.
 */
import type { LogLevel } from '@parley/server';

// A record rather than a list so the compiler insists on exactly the server's levels.
const LEVELS: Record<LogLevel, true> = { debug: true, info: true, warn: true, error: true, silent: true };

/** Every log level, for messages. */
export const LOG_LEVELS = Object.keys(LEVELS) as LogLevel[];

/** True if `value` is a log level of the server's logger. */
export function isLogLevelName(value: unknown): value is LogLevel {
  return typeof value === 'string' && Object.hasOwn(LEVELS, value);
}
