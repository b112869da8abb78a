/**
 * Checks of one application's credentials (AppID, AppSign, ServerSecret), wherever they come from: the config
 * file, the environment or the development app file. Problems are phrased as "must …" so callers can prefix the
 * field and its source. Secret values are never echoed, only their length.
 */
import { checkAppId } from '@parley/protocol';
import type { AppConfig } from '@parley/server';
import { isServerSecret, validateAppSign } from '@parley/token';
import { CliError } from './errors.js';

const APP_KEYS: readonly string[] = ['appID', 'appSign', 'serverSecret'];

/** An app together with where it was defined, for error messages and the banner. */
export interface SourcedApp {
  app: AppConfig;
  /** E.g. `/srv/parley.json apps[0]`, `PARLEY_APP_ID`, `/srv/.parley/dev-app.json`. */
  source: string;
}

/** Why `value` is not a valid AppID, or null if it is one. */
export function appIdProblem(value: unknown): string | null {
  if (checkAppId(value) === 0) return null;
  return `must be an integer in 1..4294967295 (got ${describe(value)})`;
}

/** Why `value` is not a valid AppSign, or null if it is one. */
export function appSignProblem(value: unknown): string | null {
  if (typeof value !== 'string') return `must be a string of 64 hex characters (got ${typeof value})`;
  switch (validateAppSign(value)) {
    case 0:
      return null;
    case 1001001:
      return `must be 64 hex characters (got ${value.length} characters)`;
    default:
      return 'must contain only hex characters (0-9, a-f)';
  }
}

/** Why `value` is not a valid ServerSecret, or null if it is one. */
export function serverSecretProblem(value: unknown): string | null {
  if (typeof value !== 'string') return `must be a string of 32 characters (got ${typeof value})`;
  // The secret's bytes are the AES-256 key as they are, so it must be 32 one-byte (ASCII) characters.
  if (value.length !== 32) return `must be exactly 32 characters (got ${value.length})`;
  if (!isServerSecret(value)) return 'must contain only ASCII characters';
  return null;
}

/**
 * Validates an app object read from JSON: exactly the keys `appID`, `appSign`, `serverSecret`.
 * @param file the JSON file, named first in every message.
 * @param path where the object sits in the file, e.g. `apps[0]`; `''` for the whole file.
 * @throws CliError (config) naming the file and the field.
 */
export function parseAppObject(raw: unknown, file: string, path: string): AppConfig {
  const what = path === '' ? 'the file' : path;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw CliError.config(`${file}: ${what} must be an object {"appID", "appSign", "serverSecret"}`);
  }
  const record = raw as Record<string, unknown>;
  const unknownKey = Object.keys(record).find((key) => !APP_KEYS.includes(key));
  if (unknownKey !== undefined) {
    throw CliError.config(
      `${file}: ${what} has an unknown key ${JSON.stringify(unknownKey)} (allowed: ${APP_KEYS.join(', ')})`,
    );
  }
  const problems: Array<[string, (value: unknown) => string | null]> = [
    ['appID', appIdProblem],
    ['appSign', appSignProblem],
    ['serverSecret', serverSecretProblem],
  ];
  const prefix = `${file}: ${path === '' ? '' : path + '.'}`;
  for (const [field, problemOf] of problems) {
    if (record[field] === undefined) throw CliError.config(`${prefix}${field} is missing`);
    const problem = problemOf(record[field]);
    if (problem !== null) throw CliError.config(`${prefix}${field} ${problem}`);
  }
  return {
    appID: record['appID'] as number,
    appSign: record['appSign'] as string,
    serverSecret: record['serverSecret'] as string,
  };
}

/**
 * Rejects two apps with the same AppID, naming both sources.
 * @throws CliError (config)
 */
export function checkUniqueAppIds(apps: readonly SourcedApp[]): void {
  const seen = new Map<number, string>();
  for (const { app, source } of apps) {
    const first = seen.get(app.appID);
    if (first !== undefined) {
      throw CliError.config(`appID ${app.appID} is defined twice: in ${first} and in ${source}`);
    }
    seen.set(app.appID, source);
  }
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  return typeof value === 'string' || typeof value === 'number' ? JSON.stringify(value) : typeof value;
}
