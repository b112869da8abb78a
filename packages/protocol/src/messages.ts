/**
 * The signaling protocol: JSON text frames over one WebSocket per engine (path `/ws`).
 *
 * - The server speaks first with `hello` (a nonce for AppSign proofs and the heartbeat interval).
 * - Client requests carry a numeric `id`; the server answers each with one `reply` of the same `id`
 *   (`code` 0 = ok, else an Express error code).
 * - Server events (`evt`) carry a per-session sequence number `seq`. The client acknowledges the last `seq` it
 *   handled in every heartbeat; after a dropped socket it `resume`s its session and gets every event after that
 *   `seq` again, so nothing is lost across a reconnect.
 * - Data objects use the Express API's own field names (`userID`, `streamID`, `extraInfo`) so no SDK renames them.
 */
import type { ZegoUpdateTypeWeb } from './enums.js';
import type { ClientRequest, ClientRequestType, MediaTrackState } from './requests.js';

export const PROTOCOL_VERSION = 1;

/** The WebSocket path of the signaling endpoint. */
export const SIGNALING_PATH = '/ws';

/** WebSocket close codes the server uses (4000–4999 is the application range). */
export const CloseCode = {
  /** Normal closure after the session ended (logout, kickout). */
  Normal: 1000,
  /** The client broke the protocol too often or flooded the server. */
  PolicyViolation: 1008,
  /** A frame larger than the server accepts. */
  TooBig: 1009,
  /** A WebSocket framing error (for example an unmasked or reserved frame); sent by the WebSocket layer. */
  ProtocolError: 1002,
  /** A text frame that is not valid UTF-8; sent by the WebSocket layer. */
  InvalidPayload: 1007,
  /** The server is shutting down. */
  GoingAway: 1001,
  /**
   * RFC 6455's "try again later": the client's address holds as many sockets as the server allows (all of them,
   * or those still waiting to log in). The reason says which; the client may retry once one of them closed.
   */
  TryAgainLater: 1013,
  /** Kicked out (another login of the same userID, or by the server). */
  Kicked: 4001,
  /** No heartbeat within the timeout. */
  HeartbeatTimeout: 4002,
  /** A newer socket resumed this session. */
  Replaced: 4003,
  /** The socket neither logged in nor resumed a session in time. */
  LoginTimeout: 4004,
} as const;

export interface WireUser {
  userID: string;
  userName: string;
}

export interface WireStream {
  streamID: string;
  user: WireUser;
  extraInfo: string;
}

export interface WireRoomExtraInfo {
  key: string;
  value: string;
  updateUser: WireUser;
  /** Milliseconds since the epoch. */
  updateTime: number;
}

/** A barrage message (sent by the server API's SendBarrageMessage); its messageID is a string, as ZEGO's is. */
export interface WireBarrageMessage {
  fromUser: WireUser;
  message: string;
  /** Milliseconds since the epoch. */
  sendTime: number;
  messageID: string;
}

export interface WireBroadcastMessage {
  fromUser: WireUser;
  message: string;
  /** Milliseconds since the epoch. */
  sendTime: number;
  messageID: number;
}

// ---------------------------------------------------------------------------------------------------------------
// Client → server: the requests are defined by their schemas in requests.ts, and their types inferred there.

/** Heartbeat; `ack` is the last event `seq` the client handled. */
export interface HeartbeatFrame {
  t: 'hb';
  ack: number;
}

export type ClientFrame = ClientRequest | HeartbeatFrame;

/**
 * The TURN servers a session may relay its media through, with credentials of the TURN REST API scheme that
 * coturn checks with `use-auth-secret`: the server and its TURN servers share a secret, and the credentials
 * expire. The server renews them (`turnCredentials`) before they do.
 */
export interface TurnServers {
  /** `turn:` / `turns:` URLs, e.g. `turn:turn.example.org:3478?transport=udp`, `turns:turn.example.org:443`. */
  urls: string[];
  /** `<expiry>:<userID>`: the TURN servers refuse it after the expiry (Unix seconds). */
  username: string;
  /** base64(HMAC-SHA1(secret, username)). */
  credential: string;
  /** The expiry in `username`, in Unix seconds. */
  expiresAt: number;
}

/** What each request's successful reply carries in `data`. */
export interface ReplyData {
  /** `turn`: the session's TURN servers; absent when the server offers none. */
  login: { sessionID: string; resumeKey: string; tokenExpire: number | null; turn?: TurnServers };
  /** `turn`: the session's newest TURN credentials; absent when the server offers none. */
  resume: { roomIDs: string[]; turn?: TurnServers };
  logout: Record<string, never>;
  renewToken: { tokenExpire: number | null };
  /** `sdp`: the answer, when the request carried an offer. */
  publish: { sdp?: string };
  unpublish: Record<string, never>;
  play: { sdp: string; audio: MediaTrackState; video: MediaTrackState };
  playAnswer: Record<string, never>;
  stopPlay: Record<string, never>;
  streamMediaState: Record<string, never>;
  setStreamExtraInfo: Record<string, never>;
  broadcast: { messageID: number };
  customCommand: Record<string, never>;
  setRoomExtraInfo: Record<string, never>;
}

// ---------------------------------------------------------------------------------------------------------------
// Server → client

export interface HelloFrame {
  t: 'hello';
  version: number;
  /** Random challenge for the AppSign proof of this socket. */
  nonce: string;
  heartbeatIntervalMs: number;
  /**
   * STUN URLs (`stun:host:port`) for the clients' ICE agents: the server's own STUN responder. Clients use these
   * and nothing else, so no client ever falls back to a public STUN server.
   */
  iceServers: string[];
}

export interface ReplyFrame<T extends ClientRequestType = ClientRequestType> {
  t: 'reply';
  id: number;
  code: number;
  msg: string;
  data?: ReplyData[T];
}

export interface HeartbeatAckFrame {
  t: 'hb';
}

/** An error about a frame that had no usable request id (malformed JSON, a flood). */
export interface ErrorFrame {
  t: 'error';
  code: number;
  msg: string;
}

export type ServerEvent =
  | { type: 'userUpdate'; roomID: string; updateType: ZegoUpdateTypeWeb; users: WireUser[] }
  | {
      type: 'streamUpdate';
      roomID: string;
      updateType: ZegoUpdateTypeWeb;
      streams: WireStream[];
      /** On DELETE: why each stream went (StreamDeleteReason). */
      reasons?: { stream_id: string; code: number }[];
    }
  | { type: 'streamExtraInfoUpdate'; roomID: string; streams: WireStream[] }
  | { type: 'roomExtraInfoUpdate'; roomID: string; infos: WireRoomExtraInfo[] }
  | { type: 'onlineCount'; roomID: string; count: number }
  | { type: 'broadcast'; roomID: string; messages: WireBroadcastMessage[] }
  | { type: 'customCommand'; roomID: string; fromUser: WireUser; command: string }
  | { type: 'barrage'; roomID: string; messages: WireBarrageMessage[] }
  | { type: 'tokenWillExpire'; roomID: string; remainSeconds: number }
  /** The first media of a stream this session publishes reached the server (on every new connection of it). */
  | { type: 'publishMediaFlowing'; streamID: string }
  /** The server stopped a stream this session publishes (code 1003025: forbidden); it is no longer published. */
  | { type: 'publishStopped'; streamID: string; code: number }
  /** The server stopped a play of this session (code 1004025: the stream was forbidden). */
  | { type: 'playStopped'; streamID: string; code: number }
  /** A stream this session plays was muted or unmuted by its publisher. */
  | { type: 'streamMediaState'; streamID: string; audio: MediaTrackState; video: MediaTrackState }
  /**
   * The server ended this room membership (code 1002050 repeat login, 1002055 by the server); `customReason` is
   * the reason the server API's KickoutUser or CloseRoom gave, when it gave one.
   */
  | { type: 'kickout'; roomID: string; code: number; msg: string; customReason?: string }
  /** New TURN credentials for this session, sent before the previous ones expire; they replace them. */
  | { type: 'turnCredentials'; turn: TurnServers };

export type ServerEventType = ServerEvent['type'];

export interface EventFrame {
  t: 'evt';
  seq: number;
  ev: ServerEvent;
}

export type ServerFrame = HelloFrame | ReplyFrame | HeartbeatAckFrame | ErrorFrame | EventFrame;
