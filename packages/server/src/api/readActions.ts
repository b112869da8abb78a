/**
 * The server API's read actions. They read the shared state's view of a room or stream, which holds the members
 * and streams of every node, so any node answers them alike.
 */
import { checkRoomId, checkStreamId } from '@parley/protocol';
import type { MemberEntry } from '../cluster/SharedState.js';
import type { ApiAction } from './apiActions.js';
import { checked, roomIdParam, userIdList } from './apiActions.js';
import { ApiCode, ApiError } from './apiCodes.js';

/** Rooms one DescribeUserNum call may ask about (ZEGO: 10). */
export const MAX_ROOMS_PER_CALL = 10;
/** Users one DescribeUsers call may ask about. */
export const MAX_USERS_PER_CALL = 10;
/** The largest (and default) page of DescribeUserList (ZEGO: 200). */
export const MAX_USER_PAGE = 200;

/** `RoomId[]` → `{UserCountList: [{RoomId, UserCount, AdminUserCount}]}`; a room nobody is in counts 0. */
const DescribeUserNum: ApiAction = async ({ appID, params, rooms }) => {
  const roomIDs = params.all('RoomId');
  if (roomIDs.length < 1 || roomIDs.length > MAX_ROOMS_PER_CALL) {
    throw new ApiError(ApiCode.INPUT_PARAMETER, `RoomId[] takes 1 to ${MAX_ROOMS_PER_CALL} room IDs`);
  }
  const counts = await Promise.all(
    roomIDs.map(async (roomID) => {
      checked('RoomId', roomID, checkRoomId);
      const members = await rooms.members(appID, roomID);
      // Parley has no administrator users (recorders, moderation bots), so none is counted apart.
      return { RoomId: roomID, UserCount: members.length, AdminUserCount: 0 };
    }),
  );
  return { UserCountList: counts };
};

/** `RoomId`, `UserId[]` → `{UserStatusList: [{UserId, UserName, Status}]}`, Status 1 in the room, 2 not. */
const DescribeUsers: ApiAction = async ({ appID, params, rooms }) => {
  const roomID = roomIdParam(params);
  const userIDs = userIdList(params, 'UserId', 1, MAX_USERS_PER_CALL);
  const byUser = new Map((await rooms.members(appID, roomID)).map((m) => [m.userID, m]));
  return {
    UserStatusList: userIDs.map((userID) => {
      const m = byUser.get(userID);
      return { UserId: userID, UserName: m?.userName ?? '', Status: m ? 1 : 2 };
    }),
  };
};

/**
 * `RoomId`, `Mode` (0 by UserId ascending, 1 descending), `Limit` (1–200, default 200), `Marker` →
 * `{Marker, UserList: [{UserId, UserName}]}`. The Marker of a reply is the last UserId it listed when more users
 * follow, and '' at the end; a page starts after the Marker given, so users who join or leave between calls shift
 * no other user into a page twice or out of every page.
 */
const DescribeUserList: ApiAction = async ({ appID, params, rooms }) => {
  const roomID = roomIdParam(params);
  const mode = params.integer('Mode', 0, 1, 0);
  const limit = params.integer('Limit', 0, MAX_USER_PAGE, MAX_USER_PAGE) || MAX_USER_PAGE;
  const marker = params.get('Marker') ?? '';
  const members = (await rooms.members(appID, roomID)).sort(mode === 0 ? ascending : descending);
  const after =
    marker === '' ? members : members.filter((m) => (mode === 0 ? m.userID > marker : m.userID < marker));
  const page = after.slice(0, limit);
  const more = after.length > page.length;
  return {
    Marker: more ? page[page.length - 1]!.userID : '',
    UserList: page.map((m) => ({ UserId: m.userID, UserName: m.userName })),
  };
};

/** `RoomId` → `{StreamList: [{StreamId, UserId, UserName, ExtraInfo}]}`: the room's announced streams. */
const DescribeSimpleStreamList: ApiAction = async ({ appID, params, rooms }) => {
  const roomID = roomIdParam(params);
  const snapshot = await rooms.state.roomSnapshot(appID, roomID);
  return {
    StreamList: snapshot.streams
      .filter((s) => s.announced)
      .sort((a, b) => (a.streamID < b.streamID ? -1 : a.streamID > b.streamID ? 1 : 0))
      .map((s) => ({ StreamId: s.streamID, UserId: s.userID, UserName: s.userName, ExtraInfo: s.extraInfo })),
  };
};

/**
 * `StreamId` → `{StreamId, RoomId, UserId, State, AudioState, VideoState}`: whether the stream is published
 * (State 1 publishing) and its tracks' states (OPEN or MUTE). A stream nobody publishes is refused with Code 2.
 */
const DescribeRTCStreamState: ApiAction = async ({ appID, params, rooms }) => {
  const streamID = checked('StreamId', params.required('StreamId'), checkStreamId);
  const stream = await rooms.state.findStream(appID, streamID);
  if (!stream?.announced) throw new ApiError(ApiCode.INPUT_PARAMETER, `no stream ${streamID} is published`);
  return {
    StreamId: stream.streamID,
    RoomId: stream.roomID,
    UserId: stream.userID,
    State: 1,
    AudioState: stream.audio,
    VideoState: stream.video,
  };
};

function ascending(a: MemberEntry, b: MemberEntry): number {
  return a.userID < b.userID ? -1 : a.userID > b.userID ? 1 : 0;
}

function descending(a: MemberEntry, b: MemberEntry): number {
  return ascending(b, a);
}

export const readActions: Record<string, ApiAction> = {
  DescribeUserNum,
  DescribeUsers,
  DescribeUserList,
  DescribeSimpleStreamList,
  DescribeRTCStreamState,
};
