/**
 * The client's requests, defined once: each schema validates an untrusted frame at the server's edge, and the
 * request types the SDKs send are inferred from the same schemas. Fields with an Express code of their own
 * (roomID, streamID, userID, messages, extra info) are checked by limits.ts inside the schema, in the order
 * the fields are declared, so the first bad field decides the reply's code.
 */
import {
  checkAppId,
  checkMessage,
  checkRoomExtraInfo,
  checkRoomId,
  checkStreamExtraInfo,
  checkStreamId,
  checkUserId,
  checkUserName,
  Limits,
} from './limits.js';
import {
  arr,
  bool,
  coded,
  codedNumber,
  type Infer,
  int,
  literal,
  obj,
  optional,
  refine,
  type Schema,
  str,
  union,
} from './schema.js';

const MAX_TOKEN_CHARS = 4096;
export const MAX_REQUEST_ID = 2 ** 31 - 1;
/** An SDP offer or answer; real ones are 2–8 KB. */
const MAX_SDP_CHARS = 32 * 1024;

const requestId = int(1, MAX_REQUEST_ID);
const roomID = coded(checkRoomId);
const streamID = coded(checkStreamId);
/** Whether a published track is sending (`OPEN`) or muted by its publisher (`MUTE`). */
const trackState = literal('OPEN', 'MUTE');

/** How a login proves itself: a Token04, or an HMAC of the AppSign over the server's nonce (native face). */
const loginAuth = union<{ kind: 'token'; token: string } | { kind: 'appSign'; proof: string }>('kind', {
  token: obj({ kind: literal('token'), token: str(MAX_TOKEN_CHARS) }),
  appSign: obj({ kind: literal('appSign'), proof: str(128) }),
});

export const requestSchemas = {
  login: obj({
    t: literal('login'),
    id: requestId,
    roomID,
    appID: codedNumber(checkAppId),
    user: obj({ userID: coded(checkUserId), userName: optional(coded(checkUserName), '') }),
    auth: loginAuth,
    config: optional(
      obj({ userUpdate: optional(bool, false), maxMemberCount: optional(int(0, 1_000_000), 0) }),
      {
        userUpdate: false,
        maxMemberCount: 0,
      },
    ),
  }),
  resume: obj({
    t: literal('resume'),
    id: requestId,
    sessionID: str(64),
    resumeKey: str(128),
    /** The last event `seq` the client handled. */
    lastSeq: int(0),
  }),
  logout: obj({ t: literal('logout'), id: requestId, roomID }),
  renewToken: obj({ t: literal('renewToken'), id: requestId, roomID, token: str(MAX_TOKEN_CHARS) }),
  /**
   * Publishes a stream. With `sdp` (a WebRTC offer: sendonly audio and/or video) the server answers it and
   * announces the stream to the room once media flows; publishing again with a new offer restarts the media
   * (players continue seamlessly). Without `sdp` the stream is signaling only (its media does not pass through
   * this server) and is announced at once. `audio`/`video` are the initial mute states; default OPEN.
   */
  publish: obj({
    t: literal('publish'),
    id: requestId,
    roomID,
    streamID,
    extraInfo: optional(coded(checkStreamExtraInfo), ''),
    sdp: optional(str(MAX_SDP_CHARS), undefined),
    audio: optional(trackState, undefined),
    video: optional(trackState, undefined),
  }),
  unpublish: obj({ t: literal('unpublish'), id: requestId, streamID }),
  /** Starts (or restarts) playing a stream of the AppID: the server replies with its SDP offer. */
  play: obj({ t: literal('play'), id: requestId, streamID }),
  /** The player's SDP answer to the offer of `play`. */
  playAnswer: obj({ t: literal('playAnswer'), id: requestId, streamID, sdp: str(MAX_SDP_CHARS) }),
  stopPlay: obj({ t: literal('stopPlay'), id: requestId, streamID }),
  /** The publisher muted or unmuted a track of one of its streams; its players are told. */
  streamMediaState: obj({
    t: literal('streamMediaState'),
    id: requestId,
    streamID,
    audio: optional(trackState, undefined),
    video: optional(trackState, undefined),
  }),
  setStreamExtraInfo: obj({
    t: literal('setStreamExtraInfo'),
    id: requestId,
    streamID,
    extraInfo: coded(checkStreamExtraInfo),
  }),
  broadcast: obj({ t: literal('broadcast'), id: requestId, roomID, message: coded(checkMessage) }),
  customCommand: obj({
    t: literal('customCommand'),
    id: requestId,
    roomID,
    command: coded(checkMessage),
    /** Addressees; empty = everybody else in the room. */
    toUserIDs: arr(coded(checkUserId), Limits.customCommandTargets),
  }),
  setRoomExtraInfo: refine(
    obj({ t: literal('setRoomExtraInfo'), id: requestId, roomID, key: str(1 << 16), value: str(1 << 16) }),
    (v) => checkRoomExtraInfo(v.key, v.value),
    'key/value',
  ),
} satisfies Record<string, Schema<{ t: string; id: number }>>;

type Requests = { [T in keyof typeof requestSchemas]: Infer<(typeof requestSchemas)[T]> };

export type ClientRequestType = keyof Requests;
export type ClientRequest = Requests[ClientRequestType];
/** One request type, as the server sees it after validation (defaults filled in). */
export type RequestOf<T extends ClientRequestType> = Requests[T];

export type LoginAuth = Infer<typeof loginAuth>;
export type MediaTrackState = Infer<typeof trackState>;
export type LoginRequest = RequestOf<'login'>;
export type ResumeRequest = RequestOf<'resume'>;
export type LogoutRequest = RequestOf<'logout'>;
export type RenewTokenRequest = RequestOf<'renewToken'>;
export type PublishRequest = RequestOf<'publish'>;
export type UnpublishRequest = RequestOf<'unpublish'>;
export type PlayRequest = RequestOf<'play'>;
export type PlayAnswerRequest = RequestOf<'playAnswer'>;
export type StopPlayRequest = RequestOf<'stopPlay'>;
export type StreamMediaStateRequest = RequestOf<'streamMediaState'>;
export type SetStreamExtraInfoRequest = RequestOf<'setStreamExtraInfo'>;
export type BroadcastRequest = RequestOf<'broadcast'>;
export type CustomCommandRequest = RequestOf<'customCommand'>;
export type SetRoomExtraInfoRequest = RequestOf<'setRoomExtraInfo'>;
