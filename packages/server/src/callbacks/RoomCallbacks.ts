/**
 * What the rooms layer tells the callbacks: each method turns one change of a room into its events and queues
 * them on the {@link CallbackSender}. It never blocks or throws.
 *
 * Exactly once in a cluster: every event is sent by the node whose operation made the change — a login, logout,
 * publish or stop by the node of the user's session; room_create by the node whose join created the room and
 * room_close by the node whose leave emptied it (both told by the shared state, atomically with the change); the
 * removals of a dead node's users and streams by the one node that reaped it ({@link RoomCallbacks.reaped}); the
 * logout of a session replaced by a login of the same userID, and the close of its streams the new session took
 * over, by the replaced session's node ({@link RoomCallbacks.replaced}).
 */
import { StreamDeleteReason, type StreamDeleteReasonCode } from '@parley/protocol';
import type { LeaveResult, ReapedRoomEvent } from '../cluster/SharedState.js';
import type { CallbackSender } from './CallbackSender.js';
import { type CallbackUser, callbackEvents } from './events.js';

/** A stream as the callbacks describe it. */
export interface CallbackStream {
  streamID: string;
  roomID: string;
  userID: string;
  userName: string;
  extraInfo: string;
}

export class RoomCallbacks {
  constructor(
    private readonly sender: CallbackSender,
    private readonly now: () => number = Date.now,
  ) {}

  /** True when the app has a callback receiver (and the sender is not closed). */
  wants(appID: number): boolean {
    return this.sender.wants(appID);
  }

  /** A join made by this node: room_create first when it created the room, then room_login. */
  joined(
    appID: number,
    roomID: string,
    user: CallbackUser,
    sessionID: string,
    join: { created: boolean; seq: number },
  ): void {
    if (!this.sender.wants(appID)) return;
    const time = this.now();
    if (join.created) this.sender.send(appID, callbackEvents.roomCreate(roomID, user, join.seq, time));
    this.sender.send(appID, callbackEvents.roomLogin(roomID, user, sessionID, join.seq, time));
  }

  /** A join made by this node that the login then undid: only the room's creation and closing are told. */
  joinUndone(
    appID: number,
    roomID: string,
    user: CallbackUser,
    join: { created: boolean; seq: number },
    left: LeaveResult | null,
  ): void {
    if (!this.sender.wants(appID)) return;
    const time = this.now();
    if (join.created) this.sender.send(appID, callbackEvents.roomCreate(roomID, user, join.seq, time));
    if (left?.roomClosed) {
      this.sender.send(
        appID,
        callbackEvents.roomClose(roomID, StreamDeleteReason.StoppedPublishing, left.seq, time),
      );
    }
  }

  /** A leave made by this node; `left` is what the shared state did (null: nothing, someone else removed it). */
  left(
    appID: number,
    roomID: string,
    user: CallbackUser,
    sessionID: string,
    reason: StreamDeleteReasonCode,
    left: LeaveResult | null,
  ): void {
    if (left === null || !this.sender.wants(appID)) return;
    const time = this.now();
    this.sender.send(appID, callbackEvents.roomLogout(roomID, user, sessionID, reason, left.seq, time));
    if (left.roomClosed) this.sender.send(appID, callbackEvents.roomClose(roomID, reason, left.seq, time));
  }

  /**
   * A member of this node that a login of the same userID replaced (on this node or another): the join replaced
   * its entry in the shared state, so its leave removed nothing and {@link RoomCallbacks.left} is not told. The
   * replaced session's node, the only one that knows it ended, sends its room_logout (reason 2, kicked out);
   * `seq` is the room's seq as this node saw it then. The room is not closed: the new session is in it.
   */
  replaced(appID: number, roomID: string, user: CallbackUser, sessionID: string, seq: number): void {
    if (!this.sender.wants(appID)) return;
    this.sender.send(
      appID,
      callbackEvents.roomLogout(roomID, user, sessionID, StreamDeleteReason.RepeatLogin, seq, this.now()),
    );
  }

  /** A stream of this node was announced to its room. */
  streamCreated(appID: number, stream: CallbackStream): void {
    if (!this.sender.wants(appID)) return;
    const publisher = { userID: stream.userID, userName: stream.userName };
    this.sender.send(
      appID,
      callbackEvents.streamCreate(stream.roomID, stream.streamID, publisher, stream.extraInfo, this.now()),
    );
  }

  /** Streams of this node ended; only announced ones were ever told, so only they are closed. */
  streamsClosed(appID: number, streams: CallbackStream[], reason: StreamDeleteReasonCode): void {
    if (!this.sender.wants(appID)) return;
    const time = this.now();
    for (const s of streams) {
      const publisher = { userID: s.userID, userName: s.userName };
      this.sender.send(appID, callbackEvents.streamClose(s.roomID, s.streamID, publisher, reason, time));
    }
  }

  /**
   * The room events this node's reap of a dead node published (the shared state tells only the reaper): the dead
   * node's streams close and its users log out, and a room left empty closes.
   */
  reaped(events: ReapedRoomEvent[]): void {
    const time = this.now();
    for (const { appID, roomID, event, roomClosed } of events) {
      if (!this.sender.wants(appID)) continue;
      if (event.kind === 'streamDelete') {
        for (const s of event.streams) {
          const publisher = { userID: s.userID, userName: s.userName };
          this.sender.send(
            appID,
            callbackEvents.streamClose(roomID, s.streamID, publisher, event.reason, time),
          );
        }
      } else if (event.kind === 'leave') {
        const { member } = event;
        const user = { userID: member.userID, userName: member.userName };
        this.sender.send(
          appID,
          callbackEvents.roomLogout(roomID, user, member.sessionID, event.reason, event.seq, time),
        );
        if (roomClosed)
          this.sender.send(appID, callbackEvents.roomClose(roomID, event.reason, event.seq, time));
      }
    }
  }
}
