/**
 * Enums of the Express API: the web face uses string values, the native face numbers (express-api.md §2–§3).
 * The wire protocol uses the web strings; the native face converts with the maps below.
 */

export type ZegoRoomStateChangedReasonWeb =
  | 'LOGINING'
  | 'LOGINED'
  | 'LOGIN_FAILED'
  | 'RECONNECTING'
  | 'RECONNECTED'
  | 'RECONNECT_FAILED'
  | 'KICKOUT'
  | 'LOGOUT'
  | 'LOGOUT_FAILED';
export type ZegoRoomStateWeb = 'DISCONNECTED' | 'CONNECTING' | 'CONNECTED';
export type ZegoUpdateTypeWeb = 'ADD' | 'DELETE';
export type ZegoPublisherStateWeb = 'NO_PUBLISH' | 'PUBLISH_REQUESTING' | 'PUBLISHING';
export type ZegoPlayerStateWeb = 'NO_PLAY' | 'PLAY_REQUESTING' | 'PLAYING';
export type ZegoStreamStatusWeb = 'OPEN' | 'MUTE';

export const ZegoRoomState = { Disconnected: 0, Connecting: 1, Connected: 2 } as const;
export const ZegoRoomStateChangedReason = {
  Logining: 0,
  Logined: 1,
  LoginFailed: 2,
  Reconnecting: 3,
  Reconnected: 4,
  ReconnectFailed: 5,
  KickOut: 6,
  Logout: 7,
  LogoutFailed: 8,
} as const;
export const ZegoUpdateType = { Add: 0, Delete: 1 } as const;
export const ZegoPublisherState = { NoPublish: 0, PublishRequesting: 1, Publishing: 2 } as const;
export const ZegoPlayerState = { NoPlay: 0, PlayRequesting: 1, Playing: 2 } as const;
export const ZegoPlayerMediaEvent = {
  AudioBreakOccur: 0,
  AudioBreakResume: 1,
  VideoBreakOccur: 2,
  VideoBreakResume: 3,
} as const;
export const ZegoStreamQualityLevel = {
  Excellent: 0,
  Good: 1,
  Medium: 2,
  Bad: 3,
  Die: 4,
  Unknown: 5,
} as const;
export const ZegoRemoteDeviceState = { Open: 0, Mute: 10 } as const;
export const ZegoScenario = {
  General: 0,
  Communication: 1,
  Live: 2,
  Default: 3,
  StandardVideoCall: 4,
  HighQualityVideoCall: 5,
  StandardChatroom: 6,
  HighQualityChatroom: 7,
  Broadcast: 8,
  Karaoke: 9,
  StandardVoiceCall: 10,
} as const;

export type ValueOf<T> = T[keyof T];

export const roomReasonToNative: Record<
  ZegoRoomStateChangedReasonWeb,
  ValueOf<typeof ZegoRoomStateChangedReason>
> = {
  LOGINING: 0,
  LOGINED: 1,
  LOGIN_FAILED: 2,
  RECONNECTING: 3,
  RECONNECTED: 4,
  RECONNECT_FAILED: 5,
  KICKOUT: 6,
  LOGOUT: 7,
  LOGOUT_FAILED: 8,
};

/** The legacy room state that goes with each reason. */
export const roomReasonToState: Record<ZegoRoomStateChangedReasonWeb, ZegoRoomStateWeb> = {
  LOGINING: 'CONNECTING',
  LOGINED: 'CONNECTED',
  LOGIN_FAILED: 'DISCONNECTED',
  RECONNECTING: 'CONNECTING',
  RECONNECTED: 'CONNECTED',
  RECONNECT_FAILED: 'DISCONNECTED',
  KICKOUT: 'DISCONNECTED',
  LOGOUT: 'DISCONNECTED',
  LOGOUT_FAILED: 'CONNECTED',
};

export const roomStateToNative: Record<ZegoRoomStateWeb, ValueOf<typeof ZegoRoomState>> = {
  DISCONNECTED: 0,
  CONNECTING: 1,
  CONNECTED: 2,
};
export const updateTypeToNative: Record<ZegoUpdateTypeWeb, ValueOf<typeof ZegoUpdateType>> = {
  ADD: 0,
  DELETE: 1,
};
export const publisherStateToNative: Record<ZegoPublisherStateWeb, ValueOf<typeof ZegoPublisherState>> = {
  NO_PUBLISH: 0,
  PUBLISH_REQUESTING: 1,
  PUBLISHING: 2,
};
export const playerStateToNative: Record<ZegoPlayerStateWeb, ValueOf<typeof ZegoPlayerState>> = {
  NO_PLAY: 0,
  PLAY_REQUESTING: 1,
  PLAYING: 2,
};

/**
 * Why a stream was deleted: the `code` of `stream_delete_reason` in `roomStreamUpdate` DELETE's extendedData.
 */
export const StreamDeleteReason = {
  StoppedPublishing: 1,
  HeartbeatTimeout: 2,
  RepeatLogin: 3,
  KickedOut: 4,
  Disconnected: 5,
  RemovedByServer: 6,
} as const;
export type StreamDeleteReasonCode = ValueOf<typeof StreamDeleteReason>;
