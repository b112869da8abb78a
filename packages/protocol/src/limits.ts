import { ErrorCode } from './errors.js';

/** Input limits of express-api.md §1. Byte limits count UTF-8 bytes. */
export const Limits = {
  roomIdBytes: 128,
  userIdBytes: 64,
  userNameBytes: 256,
  streamIdChars: 256,
  messageBytes: 1024,
  streamExtraInfoBytes: 1024,
  roomExtraInfoKeyBytes: 10,
  roomExtraInfoValueBytes: 100,
  /** Users one custom command may be addressed to. */
  customCommandTargets: 200,
  /** Rooms one engine may be logged in to at once. */
  roomsPerSession: 5,
  /** Distinct room extra info keys per room. */
  roomExtraInfoKeys: 20,
} as const;

const encoder = new TextEncoder();

/** UTF-8 length of a string, in bytes. */
export function utf8Length(s: string): number {
  // Fast path: pure ASCII strings are as long as they are.
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the range is the ASCII set on purpose.
  if (/^[\x00-\x7f]*$/.test(s)) return s.length;
  return encoder.encode(s).length;
}

/** Characters allowed in roomID and userID, as the Express SDK documents them. */
const ID_CHARS = /^[0-9A-Za-z~!@#$%^&*()_+=\-`;',.<>/\\]+$/;
const STREAM_ID_CHARS = /^[0-9A-Za-z_-]+$/;

/** 0 if `roomID` is acceptable, else its Express code. */
export function checkRoomId(roomID: unknown): number {
  if (roomID === undefined || roomID === null || roomID === '') return ErrorCode.ROOM_ID_EMPTY;
  if (typeof roomID !== 'string') return ErrorCode.ROOM_ID_INVALID;
  if (utf8Length(roomID) > Limits.roomIdBytes) return ErrorCode.ROOM_ID_TOO_LONG;
  if (!ID_CHARS.test(roomID)) return ErrorCode.ROOM_ID_INVALID;
  return 0;
}

/** 0 if `userID` is acceptable, else its Express code. */
export function checkUserId(userID: unknown): number {
  if (userID === undefined || userID === null || userID === '') return ErrorCode.USER_ID_EMPTY;
  if (typeof userID !== 'string') return ErrorCode.USER_ID_INVALID;
  if (utf8Length(userID) > Limits.userIdBytes) return ErrorCode.USER_ID_TOO_LONG;
  if (!ID_CHARS.test(userID)) return ErrorCode.USER_ID_INVALID;
  return 0;
}

/** 0 if `userName` is acceptable (absent is fine: it defaults to ''), else its Express code. */
export function checkUserName(userName: unknown): number {
  if (userName === undefined) return 0;
  if (typeof userName !== 'string') return ErrorCode.INPUT_PARAMETER;
  if (utf8Length(userName) > Limits.userNameBytes) return ErrorCode.USER_NAME_TOO_LONG;
  return 0;
}

/** 0 if `streamID` is acceptable, else its Express code. */
export function checkStreamId(streamID: unknown): number {
  if (streamID === undefined || streamID === null || streamID === '') return ErrorCode.STREAM_ID_EMPTY;
  if (typeof streamID !== 'string') return ErrorCode.STREAM_ID_INVALID;
  if (streamID.length > Limits.streamIdChars) return ErrorCode.STREAM_ID_TOO_LONG;
  if (!STREAM_ID_CHARS.test(streamID)) return ErrorCode.STREAM_ID_INVALID;
  return 0;
}

/** 0 if a broadcast message or custom command is acceptable, else its Express code. */
export function checkMessage(message: unknown): number {
  if (message === undefined || message === null || message === '') return ErrorCode.MESSAGE_EMPTY;
  if (typeof message !== 'string') return ErrorCode.INPUT_PARAMETER;
  if (utf8Length(message) > Limits.messageBytes) return ErrorCode.MESSAGE_TOO_LONG;
  return 0;
}

/** 0 if a stream's extra info is acceptable ('' clears it), else its Express code. */
export function checkStreamExtraInfo(extraInfo: unknown): number {
  if (extraInfo === undefined || extraInfo === null) return ErrorCode.EXTRA_INFO_EMPTY;
  if (typeof extraInfo !== 'string') return ErrorCode.INPUT_PARAMETER;
  if (utf8Length(extraInfo) > Limits.streamExtraInfoBytes) return ErrorCode.EXTRA_INFO_TOO_LONG;
  return 0;
}

/** 0 if a room extra info key and value are acceptable, else its Express code. */
export function checkRoomExtraInfo(key: unknown, value: unknown): number {
  if (typeof key !== 'string' || key === '') return ErrorCode.INPUT_PARAMETER;
  if (utf8Length(key) > Limits.roomExtraInfoKeyBytes) return ErrorCode.INPUT_PARAMETER;
  if (typeof value !== 'string') return ErrorCode.INPUT_PARAMETER;
  if (utf8Length(value) > Limits.roomExtraInfoValueBytes) return ErrorCode.EXTRA_INFO_TOO_LONG;
  return 0;
}

/** 0 if `appID` is a valid uint32 other than 0, else 1001004. */
export function checkAppId(appID: unknown): number {
  if (typeof appID !== 'number' || !Number.isInteger(appID) || appID <= 0 || appID > 0xffffffff) {
    return ErrorCode.APP_ID_INVALID;
  }
  return 0;
}
