/**
 * In-room messages: broadcast messages and custom commands go out as room events of the cluster's shared state,
 * which every node (this one too) delivers to its own members; room extra info is set here at once and told to
 * the other nodes' members through the shared state.
 * All three share a per-member and a per-room rate limit (1009015 when exceeded).
 */
import { ErrorCode, Limits, ParleyError, type ReplyData } from '@parley/protocol';
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
  // Every node delivers it to its own members from the room's event (RoomReplicas), this one included.
  const messageID = await state.broadcast(appID, roomID, { fromUser, message, sendTime: nowMs });
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
  // Every node delivers it to its addressees among its own members from the room's event (RoomReplicas).
  await state.publishRoom(room.appID, room.roomID, {
    kind: 'command',
    fromUser: m.session.user,
    command,
    toUserIDs: [...new Set(toUserIDs)],
  });
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
