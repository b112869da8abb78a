/**
 * Apps read by the CLI (the environment's app, the development app file), checked with the server's own app
 * schema, so an app is valid in exactly one sense wherever it is written.
 */
import type { AppConfig } from '@parley/server';
import {
  appIdProblem,
  appSchema,
  appSignProblem,
  problemsOf,
  serverSecretProblem,
} from '@parley/server/config';
import { CliError } from './errors.js';
import type { Env } from './io.js';
import { problemsError } from './sources.js';

/** An app together with where it was defined, for error messages and the banner. */
export interface SourcedApp {
  app: AppConfig;
  /** E.g. `/srv/parley.json apps[0]`, `PARLEY_APP_ID`, `/srv/.parley/dev-app.json`. */
  source: string;
}

/**
 * Validates an app object read from a JSON file: exactly the keys `appID`, `appSign`, `serverSecret`.
 * @param file the JSON file, named first in every message.
 * @throws CliError (config) naming the file and the field.
 */
export function parseAppObject(raw: unknown, file: string): AppConfig {
  const result = appSchema.safeParse(raw);
  if (result.success) return result.data;
  throw problemsError(problemsOf(result.error, appSchema), new Map([['', { kind: 'file', file }]]), 'config');
}

const ENV_APP = ['PARLEY_APP_ID', 'PARLEY_APP_SIGN', 'PARLEY_SERVER_SECRET'] as const;

/**
 * The app defined by `PARLEY_APP_ID`, `PARLEY_APP_SIGN` and `PARLEY_SERVER_SECRET`, or null if none is set.
 * @throws CliError (config) if only some are set or one is invalid.
 */
export function envApp(env: Env): SourcedApp | null {
  const [id, sign, secret] = ENV_APP.map((name) => envText(env, name));
  if (id === undefined && sign === undefined && secret === undefined) return null;
  const missing = ENV_APP.filter((name) => envText(env, name) === undefined);
  if (missing.length > 0) {
    throw CliError.config(
      `${missing.join(' and ')} must be set too: ${ENV_APP.join(', ')} define one app together`,
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

/** An environment variable, with empty values treated as unset (as `VAR= parley serve` intends). */
export function envText(env: Env, name: string): string | undefined {
  const value = env[name];
  return value === undefined || value.trim() === '' ? undefined : value;
}
