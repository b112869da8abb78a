/**
 * The JSON config file of `parley serve` (`--config FILE` or `PARLEY_CONFIG`): read, parse and validate it,
 * with every message naming the file and the field.
 */
import { readFile } from 'node:fs/promises';
import type { LogLevel } from '@parley/server';
import { parseAppObject, type SourcedApp } from './appValidation.js';
import { CliError } from './errors.js';
import { isLogLevelName, LOG_LEVELS } from './logLevel.js';

/** A validated config file. Absent fields fall back to the environment or the defaults. */
export interface ConfigFile {
  /** Absolute path of the file. */
  file: string;
  host?: string;
  port?: number;
  /** Apps of the file in order; empty if the file has none. */
  apps: SourcedApp[];
  /** Whether to serve the development app too; absent = only if no app is configured. */
  devApp?: boolean;
  reconnectGraceMs?: number;
  heartbeatIntervalMs?: number;
  drainTimeoutMs?: number;
  logLevel?: LogLevel;
}

const KEYS = [
  'host',
  'port',
  'apps',
  'devApp',
  'reconnectGraceMs',
  'heartbeatIntervalMs',
  'drainTimeoutMs',
  'logLevel',
];

/** The longest timer Node can set (2^31 − 1 ms, about 24.8 days). */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Reads and validates a config file.
 * @param file absolute path.
 * @param origin how the file was chosen (`--config`, `PARLEY_CONFIG`), named if it cannot be read.
 * @throws CliError (config) on a missing, unreadable or invalid file.
 * @example
 * const config = await loadConfigFile('/srv/parley.json', '--config');
 */
export async function loadConfigFile(file: string, origin: string): Promise<ConfigFile> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (code === 'ENOENT') throw CliError.config(`config file ${file} (from ${origin}) does not exist`);
    throw CliError.config(`cannot read config file ${file} (from ${origin}): ${(err as Error).message}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw CliError.config(`${file}: not valid JSON (${(err as Error).message})`);
  }
  return parseConfig(raw, file);
}

/**
 * Validates the parsed JSON of a config file.
 * @throws CliError (config) naming the file and the field.
 */
export function parseConfig(raw: unknown, file: string): ConfigFile {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw CliError.config(`${file}: must contain a JSON object`);
  }
  const record = raw as Record<string, unknown>;
  const unknownKey = Object.keys(record).find((key) => !KEYS.includes(key));
  if (unknownKey !== undefined) {
    throw CliError.config(`${file}: unknown key ${JSON.stringify(unknownKey)} (allowed: ${KEYS.join(', ')})`);
  }
  const fail = (field: string, problem: string): never => {
    throw CliError.config(`${file}: ${field} ${problem}`);
  };
  const config: ConfigFile = { file, apps: [] };

  const { host, port, apps, devApp, reconnectGraceMs, heartbeatIntervalMs, drainTimeoutMs, logLevel } =
    record;
  if (host !== undefined) {
    if (typeof host !== 'string' || host.trim() === '') fail('host', 'must be a non-empty string');
    config.host = host as string;
  }
  if (port !== undefined)
    config.port = integerIn(port, 0, 65535) ?? fail('port', 'must be an integer in 0..65535');
  if (apps !== undefined) {
    if (!Array.isArray(apps)) fail('apps', 'must be an array of {"appID", "appSign", "serverSecret"}');
    config.apps = (apps as unknown[]).map((app, i) => ({
      app: parseAppObject(app, file, `apps[${i}]`),
      source: `${file} apps[${i}]`,
    }));
  }
  if (devApp !== undefined) {
    if (typeof devApp !== 'boolean') fail('devApp', 'must be true or false');
    config.devApp = devApp as boolean;
  }
  if (reconnectGraceMs !== undefined) {
    config.reconnectGraceMs =
      integerIn(reconnectGraceMs, 0, Number.MAX_SAFE_INTEGER) ??
      fail('reconnectGraceMs', 'must be an integer number of milliseconds ≥ 0');
  }
  if (heartbeatIntervalMs !== undefined) {
    config.heartbeatIntervalMs =
      integerIn(heartbeatIntervalMs, 1, Number.MAX_SAFE_INTEGER) ??
      fail('heartbeatIntervalMs', 'must be an integer number of milliseconds ≥ 1');
  }
  if (drainTimeoutMs !== undefined) {
    config.drainTimeoutMs =
      integerIn(drainTimeoutMs, 0, MAX_TIMER_MS) ??
      fail('drainTimeoutMs', `must be an integer number of milliseconds in 0..${MAX_TIMER_MS}`);
  }
  if (logLevel !== undefined) {
    if (!isLogLevelName(logLevel)) fail('logLevel', `must be one of ${LOG_LEVELS.join(', ')}`);
    config.logLevel = logLevel as LogLevel;
  }
  return config;
}

function integerIn(value: unknown, min: number, max: number): number | null {
  return typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max ? value : null;
}
