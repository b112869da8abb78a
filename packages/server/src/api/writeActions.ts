/**
 * The server API's write actions: kicking users out, closing a room, messages from the server to a room's
 * members, forbidding streams, and adding and deleting the server's own streams. Each works on every node of the cluster through {@link RoomAdmin}.
 */
import { checkMessage, checkStreamExtraInfo, checkStreamId, checkUserName } from '@parley/protocol';
import type { ApiParams } from './ApiParams.js';
import type { ApiAction } from './apiActions.js';
import { checked, roomIdParam, userIdList, userIdParam } from './apiActions.js';
import { ApiCode, ApiError } from './apiCodes.js';

/** Users one KickoutUser call may kick (ZEGO: 5). */
export const MAX_KICKS_PER_CALL = 5;
/** Users one SendCustomCommand call may address (ZEGO: 10). */
export const MAX_COMMAND_TARGETS = 10;
/** The longest CustomReason, in characters. */
export const MAX_REASON_LENGTH = 256;

/** `RoomId`, `UserId[]` (1–5), `CustomReason` → the users are kicked out (1002055, the reason in the event). */
const KickoutUser: ApiAction = async ({ appID, params, rooms }) => {
  const roomID = roomIdParam(params);
  const userIDs = userIdList(params, 'UserId', 1, MAX_KICKS_PER_CALL);
  const reason = reasonParam(params);
  const kicked = await Promise.all(userIDs.map((userID) => rooms.kickUser(appID, roomID, userID, reason)));
  if (!kicked.some((k) => k)) {
    throw new ApiError(ApiCode.USER_NOT_FOUND, `none of ${userIDs.join(', ')} is in room ${roomID}`);
  }
  return { KickedUserIds: userIDs.filter((_, i) => kicked[i]) };
};

/** `RoomId`, `CustomReason` → every member (on every node) is kicked out; their streams end with them. */
const CloseRoom: ApiAction = async ({ appID, params, rooms }) => {
  const roomID = roomIdParam(params);
  const count = await rooms.closeRoom(appID, roomID, reasonParam(params));
  if (count === 0)
    throw new ApiError(ApiCode.ROOM_NOT_FOUND, `room ${roomID} does not exist (nobody is in it)`);
  return { UserCount: count };
};

/**
 * `RoomId`, `UserId`, `UserName`, `MessageContent`, `MessageCategory` (1 system, 2 chat; informative) →
 * `{MessageId}`: every member receives it as a broadcast message from that user.
 */
const SendBroadcastMessage: ApiAction = async ({ appID, params, rooms }) => {
  const roomID = roomIdParam(params);
  const userID = userIdParam(params, 'UserId');
  const userName = checked('UserName', params.get('UserName') ?? userID, checkUserName);
  params.integer('MessageCategory', 1, 2, 2);
  const message = messageParam(params);
  const messageID = await rooms.broadcast(appID, roomID, { userID, userName }, message);
  return { MessageId: messageID };
};

/**
 * `RoomId`, `UserId`, `UserName`, `MessageContent` → `{MessageId}`: every member receives it as a barrage message
 * (`IMRecvBarrageMessage`) from that user.
 */
const SendBarrageMessage: ApiAction = async ({ appID, params, rooms }) => {
  const roomID = roomIdParam(params);
  const userID = userIdParam(params, 'UserId');
  const userName = checked('UserName', params.get('UserName') ?? userID, checkUserName);
  const message = messageParam(params);
  const messageID = await rooms.barrage(appID, roomID, { userID, userName }, message);
  return { MessageId: messageID };
};

/**
 * `RoomId`, `FromUserId`, `ToUserId[]` (0–10; none: every member), `MessageContent` → the listed members (or
 * all) receive it as a custom command from that user.
 */
const SendCustomCommand: ApiAction = async ({ appID, params, rooms }) => {
  const roomID = roomIdParam(params);
  const userID = userIdParam(params, 'FromUserId');
  const toUserIDs = userIdList(params, 'ToUserId', 0, MAX_COMMAND_TARGETS);
  const command = messageParam(params);
  await rooms.customCommand(appID, roomID, { userID, userName: userID }, command, toUserIDs);
  return {};
};

/**
 * `StreamId`, `Sequence` → `{}`: the stream is stopped wherever it is published (its publisher gets
 * NO_PUBLISH 1003025, its players NO_PLAY 1004025, the room its DELETE) and may not be published again, on any
 * node, until ResumeRTCStream. A streamID nobody publishes is forbidden all the same, as ZEGO does. ZEGO asks
 * for an ascending `Sequence`; Parley takes it but does not order by it.
 */
const ForbidRTCStream: ApiAction = async ({ appID, params, rooms }) => {
  await rooms.forbidStream(appID, streamIdParam(params));
  return {};
};

/** `StreamId`, `Sequence` → `{}`: the stream may be published again (whether or not it was forbidden). */
const ResumeRTCStream: ApiAction = async ({ appID, params, rooms }) => {
  await rooms.resumeStream(appID, streamIdParam(params));
  return {};
};

/**
 * `RoomId`, `UserId`, `UserName`, `StreamId`, `ExtraInfo` → `{}`: a signaling-only stream of the server is added
 * to the room (which must have members), shown to every member as that user's with that extra info (ZEGO's
 * StreamTitle is not kept: Parley's clients have no field for it). Parley has no CDN pull, so its players are told it carries no media here. A streamID in use is refused.
 */
const AddStream: ApiAction = async ({ appID, params, rooms }) => {
  const roomID = roomIdParam(params);
  const userID = userIdParam(params, 'UserId');
  const userName = checked('UserName', params.get('UserName') ?? userID, checkUserName);
  const streamID = streamIdParam(params);
  const extraInfo = checked('ExtraInfo', params.get('ExtraInfo') ?? '', checkStreamExtraInfo);
  const result = await rooms.addStream(appID, roomID, streamID, { userID, userName }, extraInfo);
  if (result.kind === 'noRoom')
    throw new ApiError(ApiCode.ROOM_NOT_FOUND, `room ${roomID} does not exist (nobody is in it)`);
  if (result.kind === 'taken') {
    const h = result.holder;
    throw new ApiError(
      ApiCode.INPUT_PARAMETER,
      `stream ${streamID} exists already (of user ${h.userID} in room ${h.roomID})`,
    );
  }
  return {};
};

/** `RoomId`, `UserId`, `UserName`, `StreamId` → `{}`: a stream AddStream added leaves the room (reason 6). */
const DeleteStream: ApiAction = async ({ appID, params, rooms }) => {
  const roomID = roomIdParam(params);
  userIdParam(params, 'UserId');
  const streamID = streamIdParam(params);
  const result = await rooms.deleteStream(appID, roomID, streamID);
  if (result === 'notFound')
    throw new ApiError(ApiCode.INPUT_PARAMETER, `stream ${streamID} is not in room ${roomID}`);
  if (result === 'notServers') {
    throw new ApiError(
      ApiCode.INPUT_PARAMETER,
      `stream ${streamID} is a user's (only streams added by AddStream can be deleted; ForbidRTCStream stops a user's)`,
    );
  }
  return {};
};

function streamIdParam(params: ApiParams): string {
  return checked('StreamId', params.required('StreamId'), checkStreamId);
}

function reasonParam(params: ApiParams): string {
  const reason = params.get('CustomReason') ?? '';
  if (reason.length > MAX_REASON_LENGTH) {
    throw new ApiError(
      ApiCode.INPUT_PARAMETER,
      `CustomReason is longer than ${MAX_REASON_LENGTH} characters`,
    );
  }
  return reason;
}

function messageParam(params: ApiParams): string {
  return checked('MessageContent', params.required('MessageContent'), checkMessage);
}

export const writeActions: Record<string, ApiAction> = {
  KickoutUser,
  CloseRoom,
  SendBroadcastMessage,
  SendBarrageMessage,
  SendCustomCommand,
  ForbidRTCStream,
  ResumeRTCStream,
  AddStream,
  DeleteStream,
};
