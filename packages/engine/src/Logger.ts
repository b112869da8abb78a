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
