/**
 * Token04 verification: a decodable token that is for this app, still valid, and (optionally) for this user.
 */
import { TokenError } from './errors.js';
import { decodeToken04, type Token04Claims } from './token04Decode.js';

/** What {@link verifyToken04} checks the token against. */
export interface VerifyToken04Options {
  /** The app the login is for; a token of another app is invalid (1102016). */
  appId: number;
  /** That app's 32-character ServerSecret. */
  secret: string;
  /** If given, the token must have been issued for this userID (else 1002077). */
  userId?: string;
  /** Current time in unix seconds; defaults to the clock. The token is expired when `expire <= nowSeconds`. */
  nowSeconds?: number;
  /** Accept legacy unauthenticated CBC tokens (default true, as ZEGO's servers do). */
  allowCbc?: boolean;
}

/**
 * Decodes a Token04 and checks it, returning its claims. Throws {@link TokenError} with the Express code:
 * 1102016 token invalid (malformed, wrong secret, other app, or refused CBC), 1102018 token expired,
 * 1002077 userID mismatch. Throws `TypeError` only for a malformed `secret` (a configuration error).
 *
 * @example
 * const claims = verifyToken04(token, { appId: 1234567, secret: serverSecret, userId: 'user1' });
 * if (claims.privilege && !claims.privilege.canPublish) denyPublishing();
 */
export function verifyToken04(token: string, options: VerifyToken04Options): Token04Claims {
  const claims = decodeToken04(token, options.secret);
  if (claims.mode === 'cbc' && options.allowCbc === false) {
    throw TokenError.invalid('mode', 'legacy CBC tokens are not accepted');
  }
  if (claims.appId !== options.appId) throw TokenError.invalid('app_id', 'the token is for another app');
  const now = options.nowSeconds ?? Math.floor(Date.now() / 1000);
  if (claims.expire <= now) throw TokenError.expired(claims.expire, now);
  if (options.userId !== undefined && options.userId !== claims.userId) throw TokenError.userMismatch();
  return claims;
}
