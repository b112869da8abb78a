/**
 * Checks a native engine profile. AppID and AppSign faults have Express codes (1001004, 1001001, 1001002);
 * a profile that is not an object, or no server address anywhere, is a TypeError.
 */
import { resolveServerUrl } from '@parley/engine';
import { checkAppId, ErrorCode, errorMessage, ParleyError } from '@parley/protocol';
import { validateAppSign } from '@parley/token';
import type { ParleyNativeOptions, ZegoEngineProfile } from './nativeTypes.js';

/** A profile that passed the checks. */
export interface CheckedProfile {
  appID: number;
  /** null when the app logs in with tokens only. */
  appSign: string | null;
  scenario: number;
  url: string;
  parley: ParleyNativeOptions;
}

/** The environment variable holding the server address when the profile has none. */
export const SERVER_ENV = 'PARLEY_SERVER';

/**
 * Returns the checked profile, or throws: TypeError for a malformed profile or missing server, ParleyError with
 * the Express code for a bad AppID or AppSign.
 * @example
 * checkProfile({ appID: 1, appSign: 'ab'.repeat(32), scenario: 0, server: 'ws://127.0.0.1:8080/ws' });
 */
export function checkProfile(profile: unknown, env: Record<string, string | undefined>): CheckedProfile {
  if (typeof profile !== 'object' || profile === null) {
    throw new TypeError('createEngine: profile must be an object {appID, appSign, scenario}');
  }
  const p = profile as ZegoEngineProfile;
  if (checkAppId(p.appID) !== 0) throw ParleyError.of(ErrorCode.APP_ID_INVALID, String(p.appID));
  let appSign: string | null = null;
  if (p.appSign !== undefined && p.appSign !== '') {
    const code = validateAppSign(p.appSign);
    if (code !== 0) throw new ParleyError(code, errorMessage(code));
    appSign = p.appSign;
  }
  const server = p.server ?? env[SERVER_ENV];
  if (server === undefined || server === '') {
    throw new TypeError(
      `createEngine: no server address; set profile.server or the ${SERVER_ENV} environment variable`,
    );
  }
  return {
    appID: p.appID,
    appSign,
    scenario: typeof p.scenario === 'number' ? p.scenario : 3,
    url: resolveServerUrl(server),
    parley: p.parley ?? {},
  };
}
