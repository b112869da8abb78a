/**
 * The return codes of the server API: ZEGO's, so that code written against ZEGO's server API reads Parley's
 * replies alike. The public codes (gateway and signature) are ZEGO's documented ones; the few business codes are
 * those ZEGO's room actions document for the same cases.
 */
export const ApiCode = {
  OK: 0,
  /** The request failed on the server's side (its cluster state unreachable); try again. */
  SERVER_BUSY: 1,
  /** A parameter is missing or invalid; Message names it. */
  INPUT_PARAMETER: 2,
  /** More requests per second than the action's limit for the AppID. */
  RATE_LIMITED: 7,
  /** The room does not exist (nobody is in it). */
  ROOM_NOT_FOUND: 50001,
  /** The user is not in the room (or not logged in anywhere). */
  USER_NOT_FOUND: 50002,
  INVALID_APP_ID: 100000001,
  TIMESTAMP_MISSING: 100000002,
  TIMESTAMP_INVALID: 100000003,
  /** The timestamp is more than the allowed window away from the server's clock. */
  SIGNATURE_EXPIRED: 100000004,
  /** The signature does not match, or its SignatureNonce was used already. */
  SIGNATURE_INVALID: 100000005,
  ACTION_MISSING: 100000006,
  ACTION_UNSUPPORTED: 100000007,
  NONCE_MISSING: 100000008,
  SIGNATURE_MISSING: 100000009,
  /** No app of that AppId is configured on this server. */
  SECRET_NOT_FOUND: 100000010,
  /** The request body could not be read (too large, or not form/JSON). */
  BODY_UNREADABLE: 100000012,
  SIGNATURE_VERSION_MISSING: 100000013,
  SIGNATURE_VERSION_UNSUPPORTED: 100000014,
  /**
   * Parley's own (ZEGO documents no such code): the client's address is outside an explicit `http.adminAllow`.
   * Sent with HTTP status 403, whose number it ends with.
   */
  ADDRESS_NOT_ALLOWED: 100000403,
} as const;

export type ApiCodeValue = (typeof ApiCode)[keyof typeof ApiCode];

/** A refusal of an API request: its ZEGO code and a message saying what to fix. */
export class ApiError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}
