/** Types of the native face (express-api.md §3): numeric enums, Cocos-style handler, Electron-style names. */
import type {
  EngineLogger,
  MediaTiming,
  ReconnectPolicy,
  ZegoBarrageMessageInfo,
  ZegoBroadcastMessageInfo,
  ZegoRoomExtraInfo,
  ZegoStreamList,
} from '@parley/engine';
import type {
  ValueOf,
  WireUser,
  ZegoPlayerMediaEvent,
  ZegoPlayerState,
  ZegoPublisherState,
  ZegoRemoteDeviceState,
  ZegoRoomState,
  ZegoRoomStateChangedReason,
  ZegoUpdateType,
} from '@parley/protocol';

/** Parley-specific settings of a native engine (the Express profile has no room for them). */
export interface ParleyNativeOptions {
  /** When to retry after the socket dropped; default exponential backoff giving up after 60 s. */
  reconnectPolicy?: ReconnectPolicy;
  /** Per-request timeout; default 10,000 ms. */
  requestTimeoutMs?: number;
  logger?: EngineLogger;
  /** Media connect timeout and retry policy. */
  mediaTiming?: Partial<MediaTiming>;
  /** Interval of the quality events; default 3,000 ms. */
  qualityIntervalMs?: number;
  /** Host addresses for the media connections' ICE candidates (default: loopback for a loopback server). */
  hostAddresses?: string[];
}

/** What `createEngine` needs. */
export interface ZegoEngineProfile {
  /** The AppID (uint32). */
  appID: number;
  /** 64 hex characters. May be omitted (or '') when every login passes `config.token`. */
  appSign?: string;
  /** ZegoScenario; accepted and kept (media tuning comes with media). */
  scenario?: number;
  /** Parley's signaling address, e.g. `ws://127.0.0.1:8080/ws`; default the `PARLEY_SERVER` environment variable. */
  server?: string;
  /** Parley-only: reconnection policy, timeouts, logger. */
  parley?: ParleyNativeOptions;
}

/** A user on the native face. */
export interface ZegoUser {
  userID: string;
  userName?: string;
}

/** `loginRoom`'s config on the native face. */
export interface ZegoRoomConfig {
  /** Room capacity, set by the first user to log in (0 = unlimited). */
  maxMemberCount?: number;
  /** Receive `roomUserUpdate` (default false). */
  isUserStatusNotify?: boolean;
  /** A Token04; when absent the login is proven with the profile's AppSign. */
  token?: string;
}

/** `startPublishingStream`'s config. */
export interface ZegoPublisherConfig {
  /** The room the stream is shown in; default the first room this engine logged in to. */
  roomID?: string;
}

/** `startPlayingStream`'s config. */
export interface ZegoPlayerConfig {
  /** The room the play belongs to (leaving it stops the play); default the first room. */
  roomID?: string;
}

/** The outcome of `loginRoom` / `logoutRoom` (never a rejection). */
export interface ZegoRoomLoginResult {
  errorCode: number;
  extendedData: string;
}
export type ZegoRoomLogoutResult = ZegoRoomLoginResult;

export interface ZegoPublisherSetStreamExtraInfoResult {
  errorCode: number;
}
export interface ZegoIMSendBroadcastMessageResult {
  errorCode: number;
  messageID: number;
}
export interface ZegoIMSendCustomCommandResult {
  errorCode: number;
}
export interface ZegoRoomSetRoomExtraInfoResult {
  errorCode: number;
}

export type ZegoRoomStateValue = ValueOf<typeof ZegoRoomState>;
export type ZegoRoomStateChangedReasonValue = ValueOf<typeof ZegoRoomStateChangedReason>;
export type ZegoUpdateTypeValue = ValueOf<typeof ZegoUpdateType>;
export type ZegoPublisherStateValue = ValueOf<typeof ZegoPublisherState>;
export type ZegoPlayerStateValue = ValueOf<typeof ZegoPlayerState>;
export type ZegoPlayerMediaEventValue = ValueOf<typeof ZegoPlayerMediaEvent>;
export type ZegoRemoteDeviceStateValue = ValueOf<typeof ZegoRemoteDeviceState>;
/** 0 excellent … 4 die, 5 unknown. */
export type ZegoStreamQualityLevelValue = 0 | 1 | 2 | 3 | 4 | 5;

/** `publisherQualityUpdate`'s quality, every 3 s. */
export interface ZegoPublishStreamQuality {
  videoSendFPS: number;
  videoKBPS: number;
  audioSendFPS: number;
  audioKBPS: number;
  /** ms */
  rtt: number;
  /** 0..1 */
  packetLostRate: number;
  level: ZegoStreamQualityLevelValue;
  totalSendBytes: number;
}

/** `playerQualityUpdate`'s quality, every 3 s. */
export interface ZegoPlayStreamQuality {
  videoRecvFPS: number;
  videoDecodeFPS: number;
  videoKBPS: number;
  audioRecvFPS: number;
  audioKBPS: number;
  rtt: number;
  packetLostRate: number;
  /** ms */
  peerToPeerDelay: number;
  level: ZegoStreamQualityLevelValue;
  totalRecvBytes: number;
}

/** The native face's events (React Native names) and their positional arguments. */
export type ZegoNativeEvents = {
  debugError: [errorCode: number, funcName: string, info: string];
  roomStateUpdate: [roomID: string, state: ZegoRoomStateValue, errorCode: number, extendedData: string];
  roomStateChanged: [
    roomID: string,
    reason: ZegoRoomStateChangedReasonValue,
    errorCode: number,
    extendedData: string,
  ];
  roomUserUpdate: [roomID: string, updateType: ZegoUpdateTypeValue, userList: WireUser[]];
  roomOnlineUserCountUpdate: [roomID: string, count: number];
  roomStreamUpdate: [
    roomID: string,
    updateType: ZegoUpdateTypeValue,
    streamList: ZegoStreamList[],
    extendedData: string,
  ];
  roomStreamExtraInfoUpdate: [roomID: string, streamList: ZegoStreamList[]];
  roomExtraInfoUpdate: [roomID: string, roomExtraInfoList: ZegoRoomExtraInfo[]];
  roomTokenWillExpire: [roomID: string, remainTimeInSecond: number];
  publisherStateUpdate: [
    streamID: string,
    state: ZegoPublisherStateValue,
    errorCode: number,
    extendedData: string,
  ];
  publisherQualityUpdate: [streamID: string, quality: ZegoPublishStreamQuality];
  playerStateUpdate: [streamID: string, state: ZegoPlayerStateValue, errorCode: number, extendedData: string];
  playerQualityUpdate: [streamID: string, quality: ZegoPlayStreamQuality];
  playerMediaEvent: [streamID: string, event: ZegoPlayerMediaEventValue];
  playerRecvVideoFirstFrame: [streamID: string];
  remoteCameraStateUpdate: [streamID: string, state: ZegoRemoteDeviceStateValue];
  remoteMicStateUpdate: [streamID: string, state: ZegoRemoteDeviceStateValue];
  IMRecvBroadcastMessage: [roomID: string, messageList: ZegoBroadcastMessageInfo[]];
  IMRecvCustomCommand: [roomID: string, fromUser: WireUser, command: string];
  IMRecvBarrageMessage: [roomID: string, messageInfo: ZegoBarrageMessageInfo[]];
};

export type ZegoNativeEventName = keyof ZegoNativeEvents;

/** The Electron spelling of an event name: `roomStateUpdate` → `onRoomStateUpdate`. */
export type ElectronEventName<K extends string> = `on${Capitalize<K>}`;

/** Native events under both spellings, as `on()` accepts them. */
export type ZegoNativeEventsAnyName = ZegoNativeEvents & {
  [K in ZegoNativeEventName as ElectronEventName<K>]: ZegoNativeEvents[K];
};

/**
 * The Cocos-style event handler given to `createEngine(profile, handler)`: `onDebugError` is required, every
 * other `onXxx` method is optional.
 * @example
 * class Call implements ZegoEventHandler {
 *   onDebugError(code: number, funcName: string, info: string) { console.log(code, funcName, info); }
 *   onRoomStateChanged(roomID: string, reason: number, errorCode: number) { console.log(roomID, reason, errorCode); }
 * }
 */
export type ZegoEventHandler = {
  onDebugError(errorCode: number, funcName: string, info: string): void;
} & {
  [K in Exclude<ZegoNativeEventName, 'debugError'> as ElectronEventName<K>]?: (
    ...args: ZegoNativeEvents[K]
  ) => void;
};
