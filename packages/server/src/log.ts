/** Structured logging: one JSON object a line, one child logger per subsystem. */

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';
export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  /** A logger whose lines carry `subsystem` (and any extra fields). */
  child(subsystem: string, fields?: LogFields): Logger;
}

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

export function isLogLevel(value: unknown): value is LogLevel {
  return typeof value === 'string' && value in RANK;
}

/** Options of {@link createLogger}. */
export interface LoggerOptions {
  level?: LogLevel;
  /** Where lines go; default stderr. */
  write?: (line: string) => void;
  /** Fields on every line. */
  fields?: LogFields;
}

/**
 * Creates a JSON-lines logger.
 * @example
 * const log = createLogger({ level: 'info' }).child('rooms');
 * log.info('room created', { appID: 1, roomID: 'r1' });
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  const envLevel = process.env['PARLEY_LOG_LEVEL'];
  const level: LogLevel = options.level ?? (isLogLevel(envLevel) ? envLevel : 'info');
  const write = options.write ?? ((line: string) => process.stderr.write(line + '\n'));
  return make(RANK[level], write, options.fields ?? {});
}

function make(min: number, write: (line: string) => void, base: LogFields): Logger {
  const emit = (level: Exclude<LogLevel, 'silent'>, msg: string, fields?: LogFields): void => {
    if (RANK[level] < min) return;
    write(JSON.stringify({ time: new Date().toISOString(), level, ...base, msg, ...fields }, errorReplacer));
  };
  return {
    debug: (msg, fields) => emit('debug', msg, fields),
    info: (msg, fields) => emit('info', msg, fields),
    warn: (msg, fields) => emit('warn', msg, fields),
    error: (msg, fields) => emit('error', msg, fields),
    child: (subsystem, fields) => make(min, write, { ...base, subsystem, ...fields }),
  };
}

function errorReplacer(_key: string, value: unknown): unknown {
  if (value instanceof Error) return { name: value.name, message: value.message, stack: value.stack };
  return value;
}
