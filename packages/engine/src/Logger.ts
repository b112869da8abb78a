/** The logger the engine writes to. Structurally compatible with `@parley/server`'s logger and with `console`. */
export interface EngineLogger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

/** A logger that writes nothing. */
export const silentLogger: EngineLogger = {
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
};

/** The default: warnings and errors go to the console (present in browsers and Node alike), the rest is dropped. */
export const consoleLogger: EngineLogger = {
  debug: () => {},
  info: () => {},
  warn: (msg, fields) => console.warn(`[parley] ${msg}`, fields ?? ''),
  error: (msg, fields) => console.error(`[parley] ${msg}`, fields ?? ''),
};

/** Loggers already made safe by {@link safeLogger}, so wrapping twice costs nothing. */
const safeLoggers = new WeakSet<EngineLogger>();

/**
 * `log`, made unable to throw: the engine logs from timers and socket callbacks, where an app's logger that
 * throws would otherwise throw into the process. A line the logger fails to write is dropped.
 * @example
 * const log = safeLogger(options.logger ?? consoleLogger);
 */
export function safeLogger(log: EngineLogger): EngineLogger {
  if (safeLoggers.has(log)) return log;
  const level =
    (name: keyof EngineLogger) =>
    (msg: string, fields?: Record<string, unknown>): void => {
      try {
        log[name](msg, fields);
      } catch {
        // Nothing else to tell it to.
      }
    };
  const safe: EngineLogger = {
    debug: level('debug'),
    info: level('info'),
    warn: level('warn'),
    error: level('error'),
  };
  safeLoggers.add(safe);
  return safe;
}
