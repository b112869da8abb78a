/**
 * The JSON config file of `parley serve` (`--config FILE` or `PARLEY_CONFIG`): read and parse it, and check it
 * against the settings schema, every message naming the file and the key. Relative file paths in it
 * (`tls.cert`) are taken from the file's own directory.
 */
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { SourcedApp } from './appValidation.js';
import { CliError } from './errors.js';
import { getPath, SERVE_SETTINGS, setPath, sourceSchema } from './settings.js';
import { checkSource, type Source } from './sources.js';

/** A checked config file. */
export interface ConfigFile {
  /** Absolute path of the file. */
  file: string;
  /** Its settings but the apps. */
  source: Source;
  /** Its apps in order; empty if it has none. */
  apps: SourcedApp[];
}

/**
 * Reads and checks a config file.
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
 * Checks the parsed JSON of a config file.
 * @throws CliError (config) naming the file and the key.
 */
export function parseConfig(raw: unknown, file: string): ConfigFile {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw CliError.config(`${file}: must contain a JSON object`);
  }
  const whole: Source = {
    values: raw as Record<string, unknown>,
    origins: new Map([['', { kind: 'file', file }]]),
  };
  checkSource(whole, sourceSchema, 'config');
  const { apps = [], ...settings } = raw as { apps?: SourcedApp['app'][] } & Record<string, unknown>;
  const source: Source = { values: settings, origins: new Map() };
  for (const setting of SERVE_SETTINGS) {
    const value = getPath(settings, setting.path);
    if (value === undefined) continue;
    source.origins.set(setting.path, { kind: 'file', file });
    if (setting.file && typeof value === 'string')
      setPath(settings, setting.path, resolve(dirname(file), value));
  }
  return {
    file,
    source,
    apps: apps.map((app, i) => ({ app, source: `${file} apps[${i}]` })),
  };
}
