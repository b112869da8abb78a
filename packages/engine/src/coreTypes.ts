/** The face-neutral vocabulary shared by the engine core and its faces. */
import type {
  ClientRequestType,
  ReplyData,
  TypedEmitter,
  WireBarrageMessage,
  WireBroadcastMessage,
  WireRoomExtraInfo,
  WireStream,
  WireUser,
  ZegoPlayerStateWeb,
  ZegoPublisherStateWeb,
  ZegoRoomStateChangedReasonWeb,
  ZegoStreamStatusWeb,
  ZegoUpdateTypeWeb,
} from '@parley/protocol';
import type { MediaConnectionEvents, MediaKind } from './MediaBackend.js';
import type { MediaContext } from './MediaPaths.js';
import type { PlayQuality, PublishQuality } from './quality.js';
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
  barrage: [roomID: string, messages: WireBarrageMessage[]];
  tokenWillExpire: [roomID: string, remainSeconds: number];
  publisherState: [streamID: string, state: ZegoPublisherStateWeb, errorCode: number, extendedData: string];
  playerState: [streamID: string, state: ZegoPlayerStateWeb, errorCode: number, extendedData: string];
  /** Every 3 s per published stream with a live connection. */
  publishQuality: [streamID: string, quality: PublishQuality];
  /** Every 3 s per played stream with a live connection. */
  playQuality: [streamID: string, quality: PlayQuality];
  playerFirstVideoFrame: [streamID: string];
  /** Media of `kind` stalled (`broken` true) or came back. */
  playerMediaBreak: [streamID: string, kind: MediaKind, broken: boolean];
  /** The publisher of a played stream muted or unmuted a track (also told once when the play starts). */
  remoteTrackState: [streamID: string, kind: MediaKind, state: ZegoStreamStatusWeb];
  /** Something failed outside any call's result (a background request, a server error frame). */
  debugError: [errorCode: number, funcName: string, info: string];
};

/** The outcome of a request that resolves instead of rejecting. */
export interface CallResult {
  errorCode: number;
  extendedData: string;
}

/** What publishers and players need of the core. */
export interface MediaHost {
  /** The logged-in room a stream belongs to: `roomID`'s, or the first room when omitted. */
  roomFor(roomID: string | undefined): { roomID: string } | number;
  /** Sends a request once a socket is available (waits out a reconnection). */
  send<T extends ClientRequestType>(type: T, fields: RequestFields<T>): Promise<ReplyData[T]>;
  /** The ICE servers (the server's STUN, the session's TURN), the path policy and the signaling URL. */
  mediaContext(): Promise<MediaContext>;
  /** A connection was made with `context`: the core hears of its TURN server errors. */
  connectionMade(conn: TypedEmitter<MediaConnectionEvents>, context: MediaContext): void;
  /** A connection made with `context` did not connect (the path ladder may switch to relay). */
  connectFailed(context: MediaContext, streamID: string): void;
  /** A media connection is up: the core takes the first stats snapshot its quality reports start from. */
  connectionLive(conn: { stats(): Promise<unknown> }): void;
  /** Reports a background failure. */
  debugError(...args: CoreEvents['debugError']): void;
}

export interface PublisherHost extends MediaHost {
  publisherState(...args: CoreEvents['publisherState']): void;
}

export interface PlayerHost extends MediaHost {
  playerState(...args: CoreEvents['playerState']): void;
  playerFirstVideoFrame(...args: CoreEvents['playerFirstVideoFrame']): void;
  playerMediaBreak(...args: CoreEvents['playerMediaBreak']): void;
  remoteTrackState(...args: CoreEvents['remoteTrackState']): void;
}
