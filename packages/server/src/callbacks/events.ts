/**
 * The server callbacks Parley sends, one builder per event: the only place that names each event's fields.
 * Field names follow ZEGO's server callbacks (docs/callbacks.md lists them and what Parley cannot send); the
 * common fields `appid`, `timestamp`, `nonce` and `signature` are added by the sender when it signs a delivery.
 */
import { StreamDeleteReason, type StreamDeleteReasonCode } from '@parley/protocol';

/** The events Parley sends. */
export type CallbackEventName =
  | 'room_create'
  | 'room_close'
  | 'room_login'
  | 'room_logout'
  | 'stream_create'
  | 'stream_close';

/** An event's own fields, before the sender adds the common ones. */
export interface CallbackEvent {
  event: CallbackEventName;
  [field: string]: string | number;
}

/** A user as the events name it. */
export interface CallbackUser {
  userID: string;
  userName: string;
}

/**
 * ZEGO's room_logout `reason`: 0 a normal logout, 1 a heartbeat timeout, 2 kicked out (by the server or by a
 * login of the same userID elsewhere).
 */
export function logoutReason(reason: StreamDeleteReasonCode): number {
  switch (reason) {
    case StreamDeleteReason.HeartbeatTimeout:
    case StreamDeleteReason.Disconnected:
      return 1;
    case StreamDeleteReason.KickedOut:
    case StreamDeleteReason.RepeatLogin:
    case StreamDeleteReason.RemovedByServer:
      return 2;
    default:
      return 0;
  }
}

/**
 * ZEGO's stream_close `type`: 0 a normal close, 1 the publisher's heartbeat timed out, 2 the same user logged in
 * to a new session, 3 the publisher was kicked out.
 */
export function streamCloseType(reason: StreamDeleteReasonCode): number {
  switch (reason) {
    case StreamDeleteReason.HeartbeatTimeout:
    case StreamDeleteReason.Disconnected:
      return 1;
    case StreamDeleteReason.RepeatLogin:
      return 2;
    case StreamDeleteReason.KickedOut:
    case StreamDeleteReason.RemovedByServer:
      return 3;
    default:
      return 0;
  }
}

/** ZEGO's room_close `close_reason`: 0 a normal close, 1 its last user's heartbeat timed out. */
export function roomCloseReason(reason: StreamDeleteReasonCode): number {
  return logoutReason(reason) === 1 ? 1 : 0;
}

export const callbackEvents = {
  /** A room got its first member; `seq` is the room's seq after that join. */
  roomCreate(roomID: string, creator: CallbackUser, seq: number, timeMs: number): CallbackEvent {
    return {
      event: 'room_create',
      room_id: roomID,
      id_name: creator.userID,
      room_create_time: timeMs,
      room_seq: seq,
    };
  },

  /** A room's last member left (or was reaped); `seq` is the seq of that leave. */
  roomClose(roomID: string, reason: StreamDeleteReasonCode, seq: number, timeMs: number): CallbackEvent {
    return {
      event: 'room_close',
      room_id: roomID,
      close_reason: roomCloseReason(reason),
      room_close_time: timeMs,
      room_seq: seq,
    };
  },

  /** A user logged in to a room; `seq` is the seq of its join (ZEGO's `user_update_seq`). */
  roomLogin(
    roomID: string,
    user: CallbackUser,
    sessionID: string,
    seq: number,
    timeMs: number,
  ): CallbackEvent {
    return {
      event: 'room_login',
      room_id: roomID,
      room_name: roomID,
      user_account: user.userID,
      user_nickname: user.userName,
      session_id: sessionID,
      login_time: timeMs,
      user_update_seq: seq,
    };
  },

  /** A user left a room; `seq` is the seq of its leave (ZEGO's `user_update_seq`). */
  roomLogout(
    roomID: string,
    user: CallbackUser,
    sessionID: string,
    reason: StreamDeleteReasonCode,
    seq: number,
    timeMs: number,
  ): CallbackEvent {
    return {
      event: 'room_logout',
      room_id: roomID,
      room_name: roomID,
      user_account: user.userID,
      user_nickname: user.userName,
      session_id: sessionID,
      logout_time: timeMs,
      reason: logoutReason(reason),
      user_update_seq: seq,
    };
  },

  /** A stream was announced to its room (its first media arrived, or at once for a signaling-only stream). */
  streamCreate(
    roomID: string,
    streamID: string,
    publisher: CallbackUser,
    extraInfo: string,
    timeMs: number,
  ): CallbackEvent {
    return {
      event: 'stream_create',
      room_id: roomID,
      channel_id: roomID,
      stream_alias: streamID,
      stream_id: streamID,
      stream_sid: streamID,
      user_id: publisher.userID,
      user_name: publisher.userName,
      publish_id: publisher.userID,
      publish_name: publisher.userName,
      title: '',
      extra_info: extraInfo,
      create_time_ms: timeMs,
      create_time: Math.floor(timeMs / 1000),
    };
  },

  /** An announced stream ended. */
  streamClose(
    roomID: string,
    streamID: string,
    publisher: CallbackUser,
    reason: StreamDeleteReasonCode,
    timeMs: number,
  ): CallbackEvent {
    return {
      event: 'stream_close',
      room_id: roomID,
      channel_id: roomID,
      stream_alias: streamID,
      stream_id: streamID,
      stream_sid: streamID,
      user_id: publisher.userID,
      user_name: publisher.userName,
      type: streamCloseType(reason),
      third_define_data: '',
      close_time_ms: timeMs,
    };
  },
};
