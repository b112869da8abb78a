/**
 * Short-lived TURN credentials in the TURN REST API scheme (draft-uberti-behave-turn-rest), the one coturn checks
 * with `use-auth-secret` and `static-auth-secret`: Parley and coturn share a secret, so Parley never stores
 * TURN users and coturn never asks Parley anything.
 */
import { createHmac } from 'node:crypto';

/** Credentials for one session's `iceServers` entry. */
export interface TurnCredentials {
  /** `<expiry>:<userID>`, the expiry in Unix seconds; coturn refuses the username after that second. */
  username: string;
  /** base64(HMAC-SHA1(secret, username)): the password coturn derives from the same secret. */
  credential: string;
  /** The expiry of `username`, in Unix seconds. */
  expiresAt: number;
}

/**
 * Signs TURN credentials for `userID` that expire `ttlSeconds` after `nowMs`.
 * @example
 * const { username, credential } = turnCredentials(secret, 'alice', 3600);
 * const iceServer = { urls: 'turns:turn.example.org:5349', username, credential };
 */
export function turnCredentials(
  secret: string,
  userID: string,
  ttlSeconds: number,
  nowMs: number = Date.now(),
): TurnCredentials {
  if (typeof secret !== 'string' || secret.length === 0)
    throw new TypeError('the TURN secret must not be empty');
  if (typeof userID !== 'string' || userID.length === 0) throw new TypeError('the userID must not be empty');
  if (!Number.isSafeInteger(ttlSeconds) || ttlSeconds <= 0)
    throw new TypeError(`ttlSeconds must be a positive integer, not ${String(ttlSeconds)}`);
  if (!Number.isFinite(nowMs) || nowMs < 0) throw new TypeError(`nowMs must be a time, not ${String(nowMs)}`);
  const expiresAt = Math.floor(nowMs / 1000) + ttlSeconds;
  // coturn reads the expiry as the digits before the first ':' (its rest-api-separator), so a userID that
  // itself contains ':' still yields the right expiry and is signed as a whole.
  const username = `${expiresAt}:${userID}`;
  const credential = createHmac('sha1', secret).update(username).digest('base64');
  return { username, credential, expiresAt };
}
