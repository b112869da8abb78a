/** Types of the web face (express-api.md §2): positional event arguments, string enums. */
import type {
  WireBarrageMessage,
  WireBroadcastMessage,
  WireRoomExtraInfo,
  WireStream,
  WireUser,
  ZegoPlayerStateWeb,
  ZegoPublisherStateWeb,
  ZegoRoomStateChangedReasonWeb,
  ZegoRoomStateWeb,
  ZegoStreamStatusWeb,
  ZegoUpdateTypeWeb,
} from '@parley/protocol';
import type { PlayQuality, PublishQuality } from '../quality.js';

/** A user as the app gives it to `loginRoom`. Users in events always carry `userName` ('' when unset). */
export interface ZegoUser {
  userID: string;
  userName?: string;
}

/** `loginRoom`'s config on the web face. */
export interface ZegoWebRoomConfig {
  /** Receive `roomUserUpdate` (default false). */
  userUpdate?: boolean;
  /** Room capacity, set by the first user to log in (0 = unlimited). */
  maxMemberCount?: number;
}

/** `startPublishingStream`'s options. */
export interface ZegoWebPublishOption {
  /** Extra info other users see with the stream. */
  extraInfo?: string;
  /** The room the stream is shown in; default the first room this engine logged in to. */
  roomID?: string;
  /** The video codec to send (default VP8). The Node SDK's synthetic camera and files are VP8 only. */
  videoCodec?: 'VP8' | 'H264';
}

export type ZegoStreamList = WireStream;
export type ZegoRoomExtraInfo = WireRoomExtraInfo;
export type ZegoBroadcastMessageInfo = WireBroadcastMessage;
/** A barrage message as `IMRecvBarrageMessage` gives it (sent by the server API). */
export type ZegoBarrageMessageInfo = WireBarrageMessage;

/** The argument of `publisherStateUpdate`. */
export interface ZegoPublisherStateResult {
  streamID: string;
  state: ZegoPublisherStateWeb;
  errorCode: number;
  extendedData: string;
}

/** The argument of `playerStateUpdate`. */
export interface ZegoPlayerStateResult {
  streamID: string;
  state: ZegoPlayerStateWeb;
  errorCode: number;
  extendedData: string;
}

/** `startPlayingStream`'s options. */
export interface ZegoWebPlayOption {
  /** Receive video (default true). */
  video?: boolean;
  /** Receive audio (default true). */
  audio?: boolean;
  /** The room the play belongs to (leaving it stops the play); default the first room. */
  roomID?: string;
}

/** `playerMediaEvent` values (a Parley extension on the web face; the native face has the numeric enum). */
export type ZegoPlayerMediaEventWeb =
  | 'AUDIO_BREAK_OCCUR'
  | 'AUDIO_BREAK_RESUME'
  | 'VIDEO_BREAK_OCCUR'
  | 'VIDEO_BREAK_RESUME';

/** The outcome of `setStreamExtraInfo`, `sendCustomCommand`, `setRoomExtraInfo`. */
export interface ZegoServerResponse {
  errorCode: number;
  extendedData: string;
}

/** The outcome of `sendBroadcastMessage`. */
export interface ZegoBroadcastResult extends ZegoServerResponse {
  messageID: number;
}

/** The web face's events and their positional arguments. */
export type ZegoWebEvents = {
  roomStateChanged: [
    roomID: string,
    reason: ZegoRoomStateChangedReasonWeb,
    errorCode: number,
    extendedData: string,
  ];
  /** Legacy: the connection state that goes with each `roomStateChanged`. */
  roomStateUpdate: [roomID: string, state: ZegoRoomStateWeb, errorCode: number, extendedData: string];
  roomUserUpdate: [roomID: string, updateType: ZegoUpdateTypeWeb, userList: WireUser[]];
  roomOnlineUserCountUpdate: [roomID: string, count: number];
  /** On DELETE, `extendedData` is `{"stream_delete_reason":[{"stream_id","code"}]}`. */
  roomStreamUpdate: [
    roomID: string,
    updateType: ZegoUpdateTypeWeb,
    streamList: ZegoStreamList[],
    extendedData: string,
  ];
  streamExtraInfoUpdate: [roomID: string, streamList: ZegoStreamList[]];
  roomExtraInfoUpdate: [roomID: string, roomExtraInfoList: ZegoRoomExtraInfo[]];
  publisherStateUpdate: [result: ZegoPublisherStateResult];
  playerStateUpdate: [result: ZegoPlayerStateResult];
  /** Every 3 s per published stream; bitrates in kbps, quality 0 excellent … 4 very bad, -1 unknown. */
  publishQualityUpdate: [streamID: string, stats: PublishQuality];
  /** Every 3 s per played stream. */
  playQualityUpdate: [streamID: string, stats: PlayQuality];
  remoteCameraStatusUpdate: [streamID: string, status: ZegoStreamStatusWeb];
  remoteMicStatusUpdate: [streamID: string, status: ZegoStreamStatusWeb];
  /** Parley extension: the first video frame of a play arrived. */
  playerRecvVideoFirstFrame: [streamID: string];
  /** Parley extension: media of a play stalled or came back. */
  playerMediaEvent: [streamID: string, event: ZegoPlayerMediaEventWeb];
  tokenWillExpire: [roomID: string];
  IMRecvBroadcastMessage: [roomID: string, chatData: ZegoBroadcastMessageInfo[]];
  IMRecvCustomCommand: [roomID: string, fromUser: WireUser, command: string];
  IMRecvBarrageMessage: [roomID: string, messageInfo: ZegoBarrageMessageInfo[]];
};

export type ZegoWebEventName = keyof ZegoWebEvents;

/** The result of `checkSystemRequirements` (ZEGO's ZegoCapabilityDetection), in the browser and in Node. */
export interface ZegoCapabilityDetection {
  webRTC: boolean;
  customCapture: boolean;
  camera: boolean;
  microphone: boolean;
  screenSharing: boolean;
  videoCodec: { H264: boolean; H265: boolean; VP8: boolean; VP9: boolean };
  /** Why a capability is false, by name, where the platform says. */
  errInfo: Record<string, string>;
}

/** The capabilities `checkSystemRequirements(type)` may be asked for alone. */
export type ZegoCapabilityType =
  | 'webRTC'
  | 'customCapture'
  | 'camera'
  | 'microphone'
  | 'screenSharing'
  | 'videoCodec'
  | 'H264'
  | 'VP8';
