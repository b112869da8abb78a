/** The face-neutral vocabulary shared by the engine core and its faces. */
import type {
  ClientRequestType,
  ReplyData,
  WireBroadcastMessage,
  WireRoomExtraInfo,
  WireStream,
  WireUser,
  ZegoPublisherStateWeb,
  ZegoRoomStateChangedReasonWeb,
  ZegoUpdateTypeWeb,
} from '@parley/protocol';
import type { RequestFields } from './SignalClient.js';

/**
 * Internal events of the engine core. Each face turns them into its own public events (web: string enums,
 * native: numbers). Values use the web strings of @parley/protocol's enums.
 */
export type CoreEvents = {
  roomState: [roomID: string, reason: ZegoRoomStateChangedReasonWeb, errorCode: number, extendedData: string];
  userUpdate: [roomID: string, updateType: ZegoUpdateTypeWeb, users: WireUser[]];
  streamUpdate: [roomID: string, updateType: ZegoUpdateTypeWeb, streams: WireStream[], extendedData: string];
  streamExtraInfoUpdate: [roomID: string, streams: WireStream[]];
  roomExtraInfoUpdate: [roomID: string, infos: WireRoomExtraInfo[]];
  onlineCount: [roomID: string, count: number];
  broadcast: [roomID: string, messages: WireBroadcastMessage[]];
  customCommand: [roomID: string, fromUser: WireUser, command: string];
  tokenWillExpire: [roomID: string, remainSeconds: number];
  publisherState: [streamID: string, state: ZegoPublisherStateWeb, errorCode: number, extendedData: string];
  /** Something failed outside any call's result (a background request, a server error frame). */
  debugError: [errorCode: number, funcName: string, info: string];
};

/** The outcome of a request that resolves instead of rejecting. */
export interface CallResult {
  errorCode: number;
  extendedData: string;
}

/** What the publisher needs of the core. */
export interface PublisherHost {
  /** The logged-in room a stream goes to: `roomID`'s, or the first room when omitted. */
  roomFor(roomID: string | undefined): { roomID: string } | number;
  /** Sends a request once a socket is available (waits out a reconnection). */
  send<T extends ClientRequestType>(type: T, fields: RequestFields<T>): Promise<ReplyData[T]>;
  /** Reports a publisher state change. */
  publisherState(...args: CoreEvents['publisherState']): void;
  /** Reports a background failure. */
  debugError(...args: CoreEvents['debugError']): void;
}
