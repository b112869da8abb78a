/**
 * What `parley serve` runs with, from four sources in order of precedence:
 * command-line flags, then `PARLEY_*` environment variables, then the config file, then the defaults.
 * Apps add up instead: those of the config file, one from the environment, and the development app.
 */
import { resolve } from 'node:path';
import type { LogLevel } from '@parley/server';
import {
  appIdProblem,
  appSignProblem,
  checkUniqueAppIds,
  type SourcedApp,
  serverSecretProblem,
} from './appValidation.js';
import { type ConfigFile, loadConfigFile } from './configFile.js';
import { CliError } from './errors.js';
import { isLogLevelName, LOG_LEVELS } from './logLevel.js';

/** Environment variables, as in `process.env`. */
export type Env = Readonly<Record<string, string | undefined>>;

export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_PORT = 8080;
/** Data directory, relative to the working directory, unless `--data-dir` or `PARLEY_DATA_DIR` says otherwise. */
export const DEFAULT_DATA_DIR = '.parley';

/** The options of `parley serve` that were given on the command line. */
export interface ServeFlags {
  host?: string;
  port?: number;
  config?: string;
  dataDir?: string;
  /** `--dev-app` → true, `--no-dev-app` → false. */
  devApp?: boolean;
  logLevel?: LogLevel;
}

/** The resolved configuration of `parley serve`, all sources merged. */
export interface ServeConfig {
  host: string;
  port: number;
  /** Configured apps (config file, then environment); the development app is not among them. */
  apps: SourcedApp[];
  /** Whether the development app is served too. */
  devApp: boolean;
  /** Absolute path of the data directory (holds `dev-app.json`). */
  dataDir: string;
  /** Absolute path of the config file read, or null. */
  configFile: string | null;
  logLevel: LogLevel;
  reconnectGraceMs?: number;
  heartbeatIntervalMs?: number;
  drainTimeoutMs?: number;
}

/**
 * Merges flags, environment, config file and defaults.
 * @param cwd directory relative paths are resolved against.
 * @throws CliError (config) naming the variable, file or field at fault.
 * @example
 * const config = await resolveServeConfig({ port: 0 }, process.env, process.cwd());
 */
export async function resolveServeConfig(flags: ServeFlags, env: Env, cwd: string): Promise<ServeConfig> {
  const file = await configFileOf(flags, env, cwd);
  const apps = [...(file?.apps ?? [])];
  const fromEnv = envApp(env);
  if (fromEnv !== null) apps.push(fromEnv);
  checkUniqueAppIds(apps);
  const config: ServeConfig = {
    host: flags.host ?? envString(env, 'PARLEY_HOST')?.trim() ?? file?.host ?? DEFAULT_HOST,
    port: flags.port ?? envPort(env) ?? file?.port ?? DEFAULT_PORT,
    apps,
    devApp: flags.devApp ?? file?.devApp ?? apps.length === 0,
    dataDir: resolveDataDir(flags.dataDir, env, cwd),
    configFile: file?.file ?? null,
    logLevel: flags.logLevel ?? envLogLevel(env) ?? file?.logLevel ?? 'info',
  };
  if (file?.reconnectGraceMs !== undefined) config.reconnectGraceMs = file.reconnectGraceMs;
  if (file?.heartbeatIntervalMs !== undefined) config.heartbeatIntervalMs = file.heartbeatIntervalMs;
  if (file?.drainTimeoutMs !== undefined) config.drainTimeoutMs = file.drainTimeoutMs;
  return config;
}

/** The data directory: `--data-dir`, else `PARLEY_DATA_DIR`, else `.parley`; absolute. */
export function resolveDataDir(flag: string | undefined, env: Env, cwd: string): string {
  return resolve(cwd, flag ?? envString(env, 'PARLEY_DATA_DIR') ?? DEFAULT_DATA_DIR);
}

/**
 * The app defined by `PARLEY_APP_ID`, `PARLEY_APP_SIGN` and `PARLEY_SERVER_SECRET`, or null if none is set.
 * @throws CliError (config) if only some are set or one is invalid.
 */
export function envApp(env: Env): SourcedApp | null {
  const names = ['PARLEY_APP_ID', 'PARLEY_APP_SIGN', 'PARLEY_SERVER_SECRET'] as const;
  const [id, sign, secret] = names.map((name) => envString(env, name));
  if (id === undefined && sign === undefined && secret === undefined) return null;
  const missing = names.filter((name) => envString(env, name) === undefined);
  if (missing.length > 0) {
    throw CliError.config(
      `${missing.join(' and ')} must be set too: ${names.join(', ')} define one app together`,
    );
  }
  const appID = /^\d+$/.test(id!.trim()) ? Number(id) : id;
  const problems: Array<[string, string | null]> = [
    ['PARLEY_APP_ID', appIdProblem(appID)],
    ['PARLEY_APP_SIGN', appSignProblem(sign)],
    ['PARLEY_SERVER_SECRET', serverSecretProblem(secret)],
  ];
  for (const [name, problem] of problems) {
    if (problem !== null) throw CliError.config(`${name} ${problem}`);
  }
  return { app: { appID: appID as number, appSign: sign!, serverSecret: secret! }, source: 'PARLEY_APP_ID' };
}

async function configFileOf(flags: ServeFlags, env: Env, cwd: string): Promise<ConfigFile | null> {
  if (flags.config !== undefined) return loadConfigFile(resolve(cwd, flags.config), '--config');
  const fromEnv = envString(env, 'PARLEY_CONFIG');
  if (fromEnv !== undefined) return loadConfigFile(resolve(cwd, fromEnv), 'PARLEY_CONFIG');
  return null;
}

/** An environment variable, with empty values treated as unset (as `VAR= parley serve` intends). */
function envString(env: Env, name: string): string | undefined {
  const value = env[name];
  return value === undefined || value.trim() === '' ? undefined : value;
}

function envPort(env: Env): number | undefined {
  const value = envString(env, 'PARLEY_PORT');
  if (value === undefined) return undefined;
  const port = /^\d+$/.test(value.trim()) ? Number(value) : Number.NaN;
  if (!(port >= 0 && port <= 65535)) {
    throw CliError.config(`PARLEY_PORT must be an integer in 0..65535 (got ${JSON.stringify(value)})`);
  }
  return port;
}

function envLogLevel(env: Env): LogLevel | undefined {
  const value = envString(env, 'PARLEY_LOG_LEVEL')?.trim();
  if (value === undefined) return undefined;
  if (!isLogLevelName(value)) {
    throw CliError.config(
      `PARLEY_LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')} (got ${JSON.stringify(value)})`,
    );
  }
  return value;
}
