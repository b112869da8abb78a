/**
 * Settings from the environment: every setting that can be written as text has a variable, `PARLEY_` and its
 * key in capitals (`media.portRange` → `PARLEY_MEDIA_PORT_RANGE`); lists are comma-separated. An empty variable
 * counts as unset.
 */
import { resolve } from 'node:path';
import { envText } from './appValidation.js';
import type { Env } from './io.js';
import { envName, fromText, isTextual, SERVE_SETTINGS, setPath } from './settings.js';
import type { Source } from './sources.js';

/**
 * The settings the environment sets.
 * @param cwd directory that relative file paths (`PARLEY_TLS_CERT`) are taken from.
 */
export function envSource(env: Env, cwd: string): Source {
  const source: Source = { values: {}, origins: new Map() };
  for (const setting of SERVE_SETTINGS.filter(isTextual)) {
    const name = envName(setting.path);
    const text = envText(env, name);
    if (text === undefined) continue;
    let value = fromText(setting.kind, text);
    if (setting.file && typeof value === 'string') value = resolve(cwd, value);
    setPath(source.values, setting.path, value);
    source.origins.set(setting.path, { kind: 'env', name, text, secret: isSecret(setting.path) });
  }
  return source;
}

/** Secrets are never echoed in messages. */
export function isSecret(path: string): boolean {
  return /secret/i.test(path);
}
