/**
 * The Express error-code registry (express-api.md §5), defined once for the server and every SDK.
 * Codes are numeric and stable; names are ours, messages are for people.
 */
export const ErrorCode = {
  OK: 0,
  NOT_LOGGED_IN: 1000002,
  STREAM_ID_TOO_LONG: 1000014,
  STREAM_ID_EMPTY: 1000015,
  STREAM_ID_INVALID: 1000016,
  APP_SIGN_LENGTH: 1001001,
  APP_SIGN_CHARACTERS: 1001002,
  APP_ID_INVALID: 1001004,
  APP_SIGN_WRONG: 1001005,
  INPUT_PARAMETER: 1100001,
  NETWORK_TIMEOUT: 1100002,
  ROOM_COUNT_EXCEEDED: 1002001,
  NOT_IN_ROOM: 1002002,
  USER_ID_EMPTY: 1002005,
  USER_ID_INVALID: 1002006,
  USER_ID_TOO_LONG: 1002007,
  USER_NAME_EMPTY: 1002008,
  USER_NAME_TOO_LONG: 1002010,
  ROOM_ID_EMPTY: 1002011,
  ROOM_ID_INVALID: 1002012,
  ROOM_ID_TOO_LONG: 1002013,
  LOGIN_TIMEOUT: 1002031,
  ROOM_MEMBER_LIMIT: 1002034,
  KICKED_REPEAT_LOGIN: 1002050,
  RECONNECT_FAILED: 1002053,
  KICKED_BY_SERVER: 1002055,
  TOKEN_USER_MISMATCH: 1002077,
  TOKEN_EXPIRED_NATIVE: 1002078,
  TOKEN_NO_PUBLISH_PRIVILEGE: 1002082,
  HEARTBEAT_TIMEOUT: 1102001,
  TOKEN_INVALID: 1102016,
  TOKEN_EXPIRED: 1102018,
  STREAM_ID_DUPLICATE: 1003028,
  /** The server forbade the stream (server API ForbidRTCStream): publishing it stops and is refused. */
  PUBLISH_FORBIDDEN: 1003025,
  /** The server forbade the stream played (server API ForbidRTCStream): its play stops. */
  PLAY_FORBIDDEN: 1004025,
  EXTRA_INFO_EMPTY: 1003050,
  EXTRA_INFO_TOO_LONG: 1003051,
  PUBLISH_AUTH_FAILED: 1103019,
  PUBLISH_NEGOTIATION_TIMEOUT: 1103030,
  PUBLISH_RETRY_TIMEOUT: 1103051,
  MEDIA_CAPTURE_FAILED: 1103061,
  MEDIA_PERMISSION_DENIED: 1103064,
  MEDIA_DEVICE_NOT_READABLE: 1103065,
  STREAM_NOT_FOUND: 1004002,
  PLAY_STREAM_NOT_FOUND: 1104039,
  PLAY_RETRY_TIMEOUT: 1104031,
  PLAY_AUTH_FAILED: 1104046,
  // Parley's own codes for what express-api.md has no code for (chosen in the matching Express ranges).
  PLAY_NEGOTIATION_FAILED: 1104030,
  PUBLISH_STREAM_LIMIT: 1003023,
  PLAY_PLAYER_LIMIT: 1004020,
  MEDIA_SERVER_BUSY: 1000040,
  /** ZEGO's RoomAppCallApiTooFrequent: here, logins from one address too often, or after too many failures. */
  LOGIN_TOO_FREQUENT: 1002071,
  /** The server is shutting down gracefully: log in (or resume) again in a moment, to its successor. */
  SERVER_DRAINING: 1002098,
  /** The cluster's shared state (Redis) cannot be reached: try again in a moment; calls in progress go on. */
  CLUSTER_UNAVAILABLE: 1002099,
  MESSAGE_EMPTY: 1009001,
  MESSAGE_TOO_LONG: 1009002,
  MESSAGE_TOO_FREQUENT: 1009015,
} as const;

export type ErrorCodeName = keyof typeof ErrorCode;
export type ErrorCodeValue = (typeof ErrorCode)[ErrorCodeName];

const MESSAGES: Record<ErrorCodeValue, string> = {
  0: 'ok',
  1000002: 'not logged in',
  1000014: 'streamID is too long',
  1000015: 'streamID is empty',
  1000016: 'streamID contains invalid characters',
  1001001: 'appSign must be 64 hexadecimal characters',
  1001002: 'appSign contains invalid characters',
  1001004: 'appID is invalid',
  1001005: 'appSign is wrong',
  1100001: 'input parameter error',
  1100002: 'network timeout',
  1002001: 'room count exceeded',
  1002002: 'not logged in to this room',
  1002005: 'userID is empty',
  1002006: 'userID contains invalid characters',
  1002007: 'userID is too long',
  1002008: 'userName is empty',
  1002010: 'userName is too long',
  1002011: 'roomID is empty',
  1002012: 'roomID contains invalid characters',
  1002013: 'roomID is too long',
  1002031: 'login timed out',
  1002034: 'room member limit reached',
  1002050: 'kicked out: the same userID logged in elsewhere',
  1002053: 'reconnect gave up',
  1002055: 'kicked out by the server',
  1002077: "token userID does not match the login's userID",
  1002078: 'token expired',
  1002082: 'token lacks the publish privilege',
  1102001: 'heartbeat timeout',
  1102016: 'token invalid',
  1102018: 'token expired',
  1003028: 'streamID is already published by another user',
  1003025: 'publishing this stream is forbidden by the server',
  1004025: 'this stream was forbidden by the server',
  1003050: 'extraInfo is empty',
  1003051: 'extraInfo is too long',
  1103019: 'publish authorisation failed',
  1103030: 'publish negotiation timed out',
  1103051: 'publish retry timed out',
  1103061: 'getUserMedia failed',
  1103064: 'media permission denied',
  1103065: 'media device not readable',
  1004002: 'stream not found',
  1104039: 'stream not found',
  1104031: 'play retry timed out',
  1104046: 'play authorisation failed',
  1104030: 'play negotiation failed',
  1003023: 'this session publishes its maximum number of streams',
  1004020: 'the stream has its maximum number of players',
  1000040: 'the media server has no capacity left',
  1002071: 'logins from this address are too frequent',
  1002098: 'the server is restarting; try again in a moment',
  1002099: 'the cluster state is unreachable; try again in a moment',
  1009001: 'message is empty',
  1009002: 'message is too long',
  1009015: 'sent too often',
};

/** The human-readable text of a code; unknown codes get a generic text. */
export function errorMessage(code: number): string {
  return (MESSAGES as Record<number, string>)[code] ?? `error ${code}`;
}

/** True if `code` is in the registry. */
export function isKnownErrorCode(code: number): code is ErrorCodeValue {
  return Object.hasOwn(MESSAGES, code);
}

/**
 * An error with an Express code. Has the `{code, msg}` shape the Express Web SDK rejects with.
 * @example
 * throw ParleyError.of(ErrorCode.ROOM_ID_EMPTY);
 */
export class ParleyError extends Error {
  readonly code: number;
  readonly msg: string;

  constructor(code: number, msg?: string) {
    const text = msg ?? errorMessage(code);
    super(`${code}: ${text}`);
    this.name = 'ParleyError';
    this.code = code;
    this.msg = text;
  }

  static of(code: number, detail?: string): ParleyError {
    return new ParleyError(code, detail === undefined ? undefined : `${errorMessage(code)}: ${detail}`);
  }

  /** The plain `{code, msg}` object, as sent on the wire. */
  toJSON(): { code: number; msg: string } {
    return { code: this.code, msg: this.msg };
  }
}
