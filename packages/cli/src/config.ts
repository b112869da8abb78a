/**
 * What `parley serve` runs with, from four sources in order of precedence: command-line flags, then `PARLEY_*`
 * environment variables, then the config file, then the defaults. All of them are mapped onto the server's one
 * settings schema (`@parley/server/config`). Apps add up instead: those of the config file, one from the
 * environment, and the development app.
 */
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { ConfigError, type ResolvedConfig, readTlsFiles, resolveServerConfig } from '@parley/server/config';
import { envApp, envText, type SourcedApp } from './appValidation.js';
import { type ConfigFile, loadConfigFile } from './configFile.js';
import { envSource } from './envSettings.js';
import { CliError } from './errors.js';
import type { Env } from './io.js';
import { parseServeArgs } from './serveFlags.js';
import { SERVE_DEFAULTS, sourceSchema } from './settings.js';
import { checkSource, type Origin, problemsError, type Source } from './sources.js';
import { parseWorkerCount } from './workers/WorkerSettings.js';

export type { Env } from './io.js';

/** Data directory, relative to the working directory, unless `--data-dir` or `PARLEY_DATA_DIR` says otherwise. */
export const DEFAULT_DATA_DIR = '.parley';

/** The resolved configuration of `parley serve`, all sources merged. */
export interface ServeConfig {
  /** The server's settings, defaults applied; its apps are those of the config file and the environment. */
  server: ResolvedConfig;
  /** Those apps again, with where each was defined. The development app is not among them. */
  apps: SourcedApp[];
  /** Whether the development app is served too. */
  devApp: boolean;
  /** Absolute path of the data directory (holds `dev-app.json`). */
  dataDir: string;
  /** How many worker processes `--workers` (or `PARLEY_WORKERS`) asks for, or null for one process alone. */
  workers: number | null;
  /** Absolute path of the config file read, or null. */
  configFile: string | null;
  /** Where each setting that was given came from, by key (`media.portRange` → `--port-range`). */
  origins: ReadonlyMap<string, Origin>;
}

/**
 * Parses the arguments of `parley serve` and merges them with the environment, the config file and the
 * defaults.
 * @param cwd directory relative paths are resolved against.
 * @throws CliError (usage or config) naming the flag, variable or file and the key at fault.
 * @example
 * const config = await resolveServeConfig(['--port', '0'], process.env, process.cwd());
 */
export async function resolveServeConfig(
  args: readonly string[],
  env: Env,
  cwd: string,
): Promise<ServeConfig> {
  const flags = parseServeArgs(args, cwd);
  checkSource(flags.source, sourceSchema, { usageOf: 'serve' });
  const fromEnv = envSource(env, cwd);
  checkSource(fromEnv, sourceSchema, 'config');
  const file = await configFileOf(flags.config, env, cwd);
  const layers = [file?.source, fromEnv, flags.source].filter((s) => s !== undefined);
  const merged = mergeSources(layers);
  const apps = [...(file?.apps ?? [])];
  const appFromEnv = envApp(env);
  if (appFromEnv !== null) apps.push(appFromEnv);
  const { devApp, ...settings } = merged.values;
  const config: ServeConfig = {
    server: resolveServe({ ...SERVE_DEFAULTS, ...settings }, apps, merged.origins),
    apps,
    devApp: typeof devApp === 'boolean' ? devApp : apps.length === 0,
    dataDir: resolveDataDir(flags.dataDir, env, cwd),
    workers: resolveWorkers(flags.workers, env),
    configFile: file?.file ?? null,
    origins: merged.origins,
  };
  try {
    await readTlsFiles(config.server.tls);
  } catch (err) {
    if (err instanceof ConfigError) throw problemsError(err.problems, merged.origins, 'config');
    throw err;
  }
  return config;
}

/**
 * The server's settings with `apps` (the configured ones and the development app) checked together.
 * @throws CliError (config) naming both sources of an AppID defined twice.
 */
export function resolveWithApps(config: ServeConfig, apps: readonly SourcedApp[]): ResolvedConfig {
  return resolveServe(config.server, apps, config.origins);
}

function resolveServe(
  settings: Record<string, unknown>,
  apps: readonly SourcedApp[],
  origins: ReadonlyMap<string, Origin>,
): ResolvedConfig {
  const all = new Map(origins);
  for (const [i, { source }] of apps.entries()) all.set(`apps[${i}]`, { kind: 'app', source });
  try {
    return resolveServerConfig({ ...settings, apps: apps.map(({ app }) => app) });
  } catch (err) {
    if (err instanceof ConfigError) throw problemsError(err.problems, all, 'config');
    throw err;
  }
}

/** The data directory: `--data-dir`, else `PARLEY_DATA_DIR`, else `.parley`; absolute. */
export function resolveDataDir(flag: string | undefined, env: Env, cwd: string): string {
  return resolve(cwd, flag ?? envText(env, 'PARLEY_DATA_DIR') ?? DEFAULT_DATA_DIR);
}

/** The worker count: `--workers`, else `PARLEY_WORKERS`, else null (one process, no workers). */
export function resolveWorkers(flag: string | undefined, env: Env): number | null {
  const [text, name] =
    flag !== undefined ? [flag, '--workers'] : [envText(env, 'PARLEY_WORKERS'), 'PARLEY_WORKERS'];
  if (text === undefined) return null;
  const count = parseWorkerCount(text, availableParallelism());
  if (typeof count === 'number') return count;
  const message = `${name} ${count.reason} (got ${JSON.stringify(text)})`;
  throw flag !== undefined ? CliError.usage(message, 'serve') : CliError.config(message);
}

/** Sources merged key by key, later ones winning; lists are replaced, not joined. */
function mergeSources(sources: readonly Source[]): Source {
  const merged: Source = { values: {}, origins: new Map() };
  for (const source of sources) {
    deepAssign(merged.values, source.values);
    for (const [key, origin] of source.origins) merged.origins.set(key, origin);
  }
  return merged;
}

function deepAssign(target: Record<string, unknown>, values: Record<string, unknown>): void {
  for (const [key, value] of Object.entries(values)) {
    const current = target[key];
    if (isGroup(value) && isGroup(current)) deepAssign(current, value);
    else target[key] = isGroup(value) ? structuredClone(value) : value;
  }
}

function isGroup(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The config file named by `--config` or `PARLEY_CONFIG`, read and checked; null if neither names one. */
export async function configFileOf(
  flag: string | undefined,
  env: Env,
  cwd: string,
): Promise<ConfigFile | null> {
  if (flag !== undefined) return loadConfigFile(resolve(cwd, flag), '--config');
  const fromEnv = envText(env, 'PARLEY_CONFIG');
  if (fromEnv !== undefined) return loadConfigFile(resolve(cwd, fromEnv), 'PARLEY_CONFIG');
  return null;
}
