/**
 * Local checks of API input, so bad input fails at once with the Express code the server would give,
 * without a round trip. The limits themselves live in @parley/protocol.
 */
import {
  checkRoomId,
  checkUserId,
  checkUserName,
  ErrorCode,
  isPlainObject,
  type WireUser,
} from '@parley/protocol';

/**
 * 0 if `roomID` and `user` may log in, else the Express code (1002011…1002013 roomID, 1002005…1002010 user).
 * @example
 * checkLoginInput('room1', { userID: '' }); // 1002005
 */
export function checkLoginInput(roomID: unknown, user: unknown): number {
  const roomCode = checkRoomId(roomID);
  if (roomCode !== 0) return roomCode;
  if (!isPlainObject(user)) return ErrorCode.USER_ID_EMPTY;
  const userCode = checkUserId(user['userID']);
  if (userCode !== 0) return userCode;
  return checkUserName(user['userName']);
}

/** 0 if `token` looks like a token (a non-empty string), else 1102016. */
export function checkToken(token: unknown): number {
  return typeof token === 'string' && token.length > 0 ? 0 : ErrorCode.TOKEN_INVALID;
}

/** The user as sent on the wire (`userName` defaults to ''). Call after {@link checkLoginInput}. */
export function wireUser(user: { userID: string; userName?: string }): WireUser {
  return { userID: user.userID, userName: user.userName ?? '' };
}
