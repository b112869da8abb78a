/**
 * In-room messages: broadcast messages, custom commands to chosen users, and room extra info.
 * All three share a per-member and a per-room rate limit (1009015 when exceeded).
 */
import { ErrorCode, encodeEvent, Limits, ParleyError, type ReplyData } from '@parley/protocol';
import type { Membership } from './Session.js';

/** Spends one message of the sender's budget, then one of the room's. */
function spend(m: Membership): void {
  if (!m.messageBucket.take() || !m.room.messageBucket.take())
    throw ParleyError.of(ErrorCode.MESSAGE_TOO_FREQUENT);
}

/** Sends `message` to every other member of the room. */
export function broadcast(m: Membership, message: string, nowMs: number): ReplyData['broadcast'] {
  spend(m);
  const messageID = m.room.takeMessageID();
  m.room.pushToOthers(m.session, {
    type: 'broadcast',
    roomID: m.room.roomID,
    messages: [{ fromUser: m.session.user, message, sendTime: nowMs, messageID }],
  });
  return { messageID };
}

/** Sends `command` to the listed members (all other members when the list is empty). Unknown users are skipped. */
export function customCommand(m: Membership, command: string, toUserIDs: string[]): void {
  spend(m);
  const ev = encodeEvent({
    type: 'customCommand',
    roomID: m.room.roomID,
    fromUser: m.session.user,
    command,
  });
  if (toUserIDs.length === 0) {
    for (const other of m.room.members.values()) if (other.session !== m.session) other.session.push(ev);
    return;
  }
  for (const userID of new Set(toUserIDs)) {
    const to = m.room.members.get(userID);
    if (to && to.session !== m.session) to.session.push(ev);
  }
}

/** Sets one key of the room's extra info and tells the other members. */
export function setRoomExtraInfo(m: Membership, key: string, value: string, nowMs: number): void {
  const { room } = m;
  if (!room.extraInfo.has(key) && room.extraInfo.size >= Limits.roomExtraInfoKeys) {
    throw ParleyError.of(
      ErrorCode.INPUT_PARAMETER,
      `a room keeps at most ${Limits.roomExtraInfoKeys} extra info keys`,
    );
  }
  spend(m);
  const info = { key, value, updateUser: m.session.user, updateTime: nowMs };
  room.extraInfo.set(key, info);
  room.pushToOthers(m.session, { type: 'roomExtraInfoUpdate', roomID: room.roomID, infos: [info] });
}
