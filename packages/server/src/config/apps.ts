/**
 * One application's credentials (AppID, AppSign, ServerSecret): the only place they are checked, for the
 * server's options, the CLI's config file, its environment app and the development app file alike. Problems read
 * "must …"; secret values are never echoed, only their length.
 */
import { checkAppId } from '@parley/protocol';
import { isServerSecret, validateAppSign } from '@parley/token';
import { z } from 'zod';
import { show } from './fields.js';

/** Why `value` is not a valid AppID, or null if it is one. */
export function appIdProblem(value: unknown): string | null {
  if (checkAppId(value) === 0) return null;
  return `must be an integer in 1..4294967295 (got ${show(value)})`;
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

/** Why `value` is not a valid callback URL, or null if it is one. */
export function callbackUrlProblem(value: unknown): string | null {
  if (typeof value !== 'string') return `must be an http:// or https:// URL (got ${typeof value})`;
  if (!URL.canParse(value)) return `must be an http:// or https:// URL (got ${show(value)})`;
  const url = new URL(value);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return `must be an http:// or https:// URL (got ${show(url.protocol)})`;
  }
  return null;
}

/** Why `value` is not a valid callback secret, or null if it is one. */
export function callbackSecretProblem(value: unknown): string | null {
  if (typeof value !== 'string') return `must be a non-empty string (got ${typeof value})`;
  if (value.length === 0 || value.length > 256) return `must be 1..256 characters (got ${value.length})`;
  return null;
}

const APP_SHAPE_PROBLEM = 'must be an object {"appID", "appSign", "serverSecret"}';
const APP_LIST_PROBLEM = 'must be an array of {"appID", "appSign", "serverSecret"}';

/** A field checked by one of the problem functions above. */
function checked<T>(problemOf: (value: unknown) => string | null) {
  return z.custom<T>((value) => problemOf(value) === null, {
    error: (issue) => (issue.input === undefined ? 'is missing' : problemOf(issue.input)),
  });
}

/**
 * One application (AppID) the server accepts logins for: its three credentials and, optionally, where its server
 * callbacks go (docs/callbacks.md).
 */
export const appSchema = z
  .strictObject(
    {
      /** The AppID (uint32, not 0). */
      appID: checked<number>(appIdProblem),
      /** 64 hex characters; proves native-face (AppSign) logins. */
      appSign: checked<string>(appSignProblem),
      /** 32 ASCII characters; the key of the app's Token04 tokens. */
      serverSecret: checked<string>(serverSecretProblem),
      /** Where the app's server callbacks are POSTed (http or https); none are sent without it. */
      callbackUrl: checked<string>(callbackUrlProblem).optional(),
      /** Signs the callbacks (the `signature` field); required with `callbackUrl`. */
      callbackSecret: checked<string>(callbackSecretProblem).optional(),
    },
    { error: (issue) => (issue.input === undefined ? 'is missing' : APP_SHAPE_PROBLEM) },
  )
  .superRefine((app, ctx) => {
    if (app.callbackUrl !== undefined && app.callbackSecret === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['callbackSecret'],
        message: 'is missing (callbackUrl needs it)',
      });
    }
  });

/** One application (AppID) the server accepts logins for. */
export type AppConfig = z.output<typeof appSchema>;

/** The apps of a server: a list, each AppID at most once. */
export function appList() {
  return z
    .array(appSchema, { error: (issue) => (issue.input === undefined ? 'is missing' : APP_LIST_PROBLEM) })
    .superRefine((apps, ctx) => {
      const first = new Map<number, number>();
      apps.forEach((app, i) => {
        const earlier = first.get(app.appID);
        if (earlier === undefined) first.set(app.appID, i);
        else {
          ctx.addIssue({
            code: 'custom',
            path: [i, 'appID'],
            message: `repeats ${app.appID}, the AppID of apps[${earlier}]`,
            params: { duplicateOf: earlier, appID: app.appID },
          });
        }
      });
    })
    .meta({ type: 'list of apps' });
}
