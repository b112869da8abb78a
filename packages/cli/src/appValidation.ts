/**
 * Apps read by the CLI (the environment's app, the development app file), checked with the server's own app
 * schema, so an app is valid in exactly one sense wherever it is written.
 */
import type { AppConfig } from '@parley/server';
import {
  appIdProblem,
  appSchema,
  appSignProblem,
  callbackSecretProblem,
  callbackUrlProblem,
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
 * The app defined by `PARLEY_APP_ID`, `PARLEY_APP_SIGN` and `PARLEY_SERVER_SECRET` (with its server callbacks from
 * `PARLEY_CALLBACK_URL` and `PARLEY_CALLBACK_SECRET`, if set), or null if none is set.
 * @throws CliError (config) if only some are set or one is invalid.
 */
export function envApp(env: Env): SourcedApp | null {
  const [id, sign, secret] = ENV_APP.map((name) => envText(env, name));
  const callbackUrl = envText(env, 'PARLEY_CALLBACK_URL');
  const callbackSecret = envText(env, 'PARLEY_CALLBACK_SECRET');
  if (id === undefined && sign === undefined && secret === undefined) {
    if (callbackUrl !== undefined || callbackSecret !== undefined) {
      throw CliError.config(
        `PARLEY_CALLBACK_URL and PARLEY_CALLBACK_SECRET need the app of ${ENV_APP.join(', ')}`,
      );
    }
    return null;
  }
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
    ['PARLEY_CALLBACK_URL', callbackUrl === undefined ? null : callbackUrlProblem(callbackUrl)],
    ['PARLEY_CALLBACK_SECRET', callbackSecret === undefined ? null : callbackSecretProblem(callbackSecret)],
  ];
  for (const [name, problem] of problems) {
    if (problem !== null) throw CliError.config(`${name} ${problem}`);
  }
  if (callbackUrl !== undefined && callbackSecret === undefined) {
    throw CliError.config('PARLEY_CALLBACK_SECRET must be set too: PARLEY_CALLBACK_URL needs it');
  }
  const app: AppConfig = { appID: appID as number, appSign: sign!, serverSecret: secret! };
  // Optional keys are left out rather than set to undefined, so the app reads as the config file would give it.
  if (callbackUrl !== undefined) Object.assign(app, { callbackUrl, callbackSecret });
  return { app, source: 'PARLEY_APP_ID' };
}

/** An environment variable, with empty values treated as unset (as `VAR= parley serve` intends). */
export function envText(env: Env, name: string): string | undefined {
  const value = env[name];
  return value === undefined || value.trim() === '' ? undefined : value;
}
