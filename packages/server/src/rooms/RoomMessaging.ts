/**
 * In-room messages: broadcast messages, custom commands to chosen users, and room extra info, to the members on
 * this node at once and to the other nodes' members through the cluster's shared state.
 * All three share a per-member and a per-room rate limit (1009015 when exceeded).
 */
import { ErrorCode, encodeEvent, Limits, ParleyError, type ReplyData } from '@parley/protocol';
import type { SharedState } from '../cluster/SharedState.js';
import type { Membership } from './Session.js';

/** Spends one message of the sender's budget, then one of the room's. */
function spend(m: Membership): void {
  if (!m.messageBucket.take() || !m.room.messageBucket.take())
    throw ParleyError.of(ErrorCode.MESSAGE_TOO_FREQUENT);
}

/** Sends `message` to every other member of the room; its messageID is unique in the room, on every node. */
export async function broadcast(
  state: SharedState,
  m: Membership,
  message: string,
  nowMs: number,
): Promise<ReplyData['broadcast']> {
  spend(m);
  const fromUser = m.session.user;
  const { appID, roomID } = m.room;
  const messageID = await state.broadcast(appID, roomID, { fromUser, message, sendTime: nowMs });
  m.room.pushToOthers(m.session, {
    type: 'broadcast',
    roomID,
    messages: [{ fromUser, message, sendTime: nowMs, messageID }],
  });
  return { messageID };
}

/** Sends `command` to the listed members (all other members when the list is empty). Unknown users are skipped. */
export async function customCommand(
  state: SharedState,
  m: Membership,
  command: string,
  toUserIDs: string[],
): Promise<void> {
  spend(m);
  const { room } = m;
  const fromUser = m.session.user;
  const ev = encodeEvent({ type: 'customCommand', roomID: room.roomID, fromUser, command });
  const targets = toUserIDs.length === 0 ? null : new Set(toUserIDs);
  let remote = false;
  for (const other of room.members.values()) {
    if (other.session !== m.session && (!targets || targets.has(other.session.user.userID)))
      other.session.push(ev);
  }
  for (const userID of room.remoteMembers.keys()) if (!targets || targets.has(userID)) remote = true;
  // Only the other nodes' members remain: their nodes deliver it (the list goes along, so each picks its own).
  if (remote) {
    await state.publishRoom(room.appID, room.roomID, {
      kind: 'command',
      fromUser,
      command,
      toUserIDs: targets ? [...targets].filter((id) => room.remoteMembers.has(id)) : [],
    });
  }
}

/** Sets one key of the room's extra info and tells the other members. */
export async function setRoomExtraInfo(
  state: SharedState,
  m: Membership,
  key: string,
  value: string,
  nowMs: number,
): Promise<void> {
  const { room } = m;
  spend(m);
  const info = { key, value, updateUser: m.session.user, updateTime: nowMs };
  if (!(await state.setRoomExtraInfo(room.appID, room.roomID, info, Limits.roomExtraInfoKeys))) {
    throw ParleyError.of(
      ErrorCode.INPUT_PARAMETER,
      `a room keeps at most ${Limits.roomExtraInfoKeys} extra info keys`,
    );
  }
  room.extraInfo.set(key, info);
  room.pushToOthers(m.session, { type: 'roomExtraInfoUpdate', roomID: room.roomID, infos: [info] });
}
