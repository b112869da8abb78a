/**
 * Error codes and error classes of `@parley/token`.
 *
 * Two families on purpose:
 * - the generator keeps ZEGO's own contract (`{ errorCode, errorMessage }` with codes 1/3/5/6), so code written
 *   against `zego_server_assistant` keeps working unchanged;
 * - the verifier speaks Express error codes (express-api.md §5), the numbers `@parley/protocol` registers too.
 *   They are repeated here rather than imported so that this package stays dependency-free.
 */

/** Express error codes produced by the verifier and the AppSign checks. */
export const TokenErrorCode = {
  /** 1102016: the token is malformed, cannot be decrypted with the secret, or belongs to another app. */
  TOKEN_INVALID: 1102016,
  /** 1102018: the token's `expire` is not in the future. */
  TOKEN_EXPIRED: 1102018,
  /** 1002077: the token was issued for another userID. */
  TOKEN_USER_MISMATCH: 1002077,
  /** 1001001: an AppSign must be 64 characters long. */
  APP_SIGN_LENGTH: 1001001,
  /** 1001002: an AppSign may only contain hexadecimal characters. */
  APP_SIGN_CHARACTERS: 1001002,
  /** 1001005: the AppSign (its proof) is wrong. */
  APP_SIGN_WRONG: 1001005,
} as const;

export type TokenErrorCodeValue = (typeof TokenErrorCode)[keyof typeof TokenErrorCode];

/**
 * Which check rejected a token. Meant for logs and tests; clients only ever need `code`.
 * - `version`: does not start with "04"; `base64`: not canonical padded base64; `layout`: the binary envelope is
 *   truncated or its length fields are inconsistent;
 * - `decrypt`: authentication / padding failed — for legacy CBC tokens every failure past the envelope is reported
 *   as `decrypt` with one message, so that the verifier is not a padding oracle;
 * - `json`: the plaintext is not a JSON object; `claims`: a field is missing or has the wrong type;
 *   `expire_mismatch`: the clear-text expire of the envelope differs from the encrypted one; `payload`: the privilege
 *   payload is malformed; `mode`: a legacy CBC token was refused;
 * - `app_id`, `expired`, `user_id`: the token is authentic but not for this app / no longer valid / for another user.
 */
export type TokenErrorReason =
  | 'version'
  | 'base64'
  | 'layout'
  | 'decrypt'
  | 'json'
  | 'claims'
  | 'expire_mismatch'
  | 'payload'
  | 'mode'
  | 'app_id'
  | 'expired'
  | 'user_id';

/**
 * Why a token was refused: `code` is the Express error code, `reason` names the failed check.
 *
 * @example
 * try {
 *   verifyToken04(token, { appId, secret });
 * } catch (err) {
 *   if (err instanceof TokenError) reply({ code: err.code, msg: err.message });
 *   else throw err;
 * }
 */
export class TokenError extends Error {
  readonly code: TokenErrorCodeValue;
  readonly reason: TokenErrorReason;

  constructor(code: TokenErrorCodeValue, reason: TokenErrorReason, message: string) {
    super(message);
    this.code = code;
    this.reason = reason;
  }

  /** A 1102016 "token invalid" error. */
  static invalid(reason: TokenErrorReason, detail: string): TokenError {
    return new TokenError(TokenErrorCode.TOKEN_INVALID, reason, `token invalid: ${detail}`);
  }

  /** A 1102018 "token expired" error. */
  static expired(expire: number, now: number): TokenError {
    return new TokenError(TokenErrorCode.TOKEN_EXPIRED, 'expired', `token expired at ${expire} (now ${now})`);
  }

  /** A 1002077 "token userID mismatch" error. */
  static userMismatch(): TokenError {
    return new TokenError(
      TokenErrorCode.TOKEN_USER_MISMATCH,
      'user_id',
      "the token's userID does not match the login's userID",
    );
  }
}
TokenError.prototype.name = 'TokenError';

/** ZEGO's generator error codes (zego_server_assistant `ErrorCode`). */
export const Token04GenerateErrorCode = {
  APP_ID_INVALID: 1,
  USER_ID_INVALID: 3,
  SECRET_INVALID: 5,
  EFFECTIVE_TIME_INVALID: 6,
} as const;

export type Token04GenerateErrorCodeValue =
  (typeof Token04GenerateErrorCode)[keyof typeof Token04GenerateErrorCode];

/**
 * Thrown by the Token04 generators, with ZEGO's `{ errorCode, errorMessage }` shape: both are own enumerable
 * properties, so `JSON.stringify(err)` and `{ ...err }` give exactly ZEGO's object; it is still an `Error` (stack).
 *
 * @example
 * try {
 *   generateToken04(appId, userId, secret, 3600);
 * } catch (err) {
 *   if (err instanceof Token04GenerateError && err.errorCode === 5) console.error('bad ServerSecret');
 * }
 */
export class Token04GenerateError extends Error {
  readonly errorCode: Token04GenerateErrorCodeValue;
  readonly errorMessage: string;

  constructor(errorCode: Token04GenerateErrorCodeValue, errorMessage: string) {
    super(errorMessage);
    this.errorCode = errorCode;
    this.errorMessage = errorMessage;
  }
}
Token04GenerateError.prototype.name = 'Token04GenerateError';
