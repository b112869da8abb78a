/**
 * A room as one member sees it: the other users and their streams. The engine keeps the view the app was told,
 * and after logging in again to a server that lost the session it builds the server's new view from the events
 * of the new login; {@link viewDelta} gives the events that take the app from the one to the other.
 */
import { type ServerEvent, StreamDeleteReason, type WireStream, type WireUser } from '@parley/protocol';

export class RoomView {
  /** The other users, by userID (only known when the login asked for user updates). */
  readonly users = new Map<string, WireUser>();
  /** The other users' streams, by streamID. */
  readonly streams = new Map<string, WireStream>();

  /** Keeps the view in step with a server event; other events change nothing. */
  apply(ev: ServerEvent): void {
    switch (ev.type) {
      case 'userUpdate':
        for (const u of ev.users) {
          if (ev.updateType === 'ADD') this.users.set(u.userID, u);
          else this.users.delete(u.userID);
        }
        break;
      case 'streamUpdate':
        for (const s of ev.streams) {
          if (ev.updateType === 'ADD') this.streams.set(s.streamID, s);
          else this.streams.delete(s.streamID);
        }
        break;
      case 'streamExtraInfoUpdate':
        for (const s of ev.streams) if (this.streams.has(s.streamID)) this.streams.set(s.streamID, s);
        break;
      default:
        break;
    }
  }

  /** True for the events that {@link apply} folds into the view. */
  static describes(ev: ServerEvent): boolean {
    return ev.type === 'userUpdate' || ev.type === 'streamUpdate' || ev.type === 'streamExtraInfoUpdate';
  }
}

/**
 * The events that turn `told` into `now`, in this order: users gone, users new, streams gone, streams new,
 * streams whose extra info changed. A stream now published by another user than before is gone and new.
 * Streams gone carry the reason "disconnected" (5): their publisher is no longer connected to this server.
 * @example
 * for (const ev of viewDelta('r1', toldView, serverView)) dispatch(ev);
 */
export function viewDelta(roomID: string, told: RoomView, now: RoomView): ServerEvent[] {
  const out: ServerEvent[] = [];
  const usersGone = [...told.users.values()].filter((u) => !now.users.has(u.userID));
  const usersNew = [...now.users.values()].filter((u) => !told.users.has(u.userID));
  if (usersGone.length > 0) out.push({ type: 'userUpdate', roomID, updateType: 'DELETE', users: usersGone });
  if (usersNew.length > 0) out.push({ type: 'userUpdate', roomID, updateType: 'ADD', users: usersNew });

  const streamsGone: WireStream[] = [];
  const streamsNew: WireStream[] = [];
  const extraInfoChanged: WireStream[] = [];
  for (const before of told.streams.values()) {
    const after = now.streams.get(before.streamID);
    if (!after || after.user.userID !== before.user.userID) streamsGone.push(before);
  }
  for (const after of now.streams.values()) {
    const before = told.streams.get(after.streamID);
    if (!before || before.user.userID !== after.user.userID) streamsNew.push(after);
    else if (before.extraInfo !== after.extraInfo) extraInfoChanged.push(after);
  }
  if (streamsGone.length > 0) {
    out.push({
      type: 'streamUpdate',
      roomID,
      updateType: 'DELETE',
      streams: streamsGone,
      reasons: streamsGone.map((s) => ({ stream_id: s.streamID, code: StreamDeleteReason.Disconnected })),
    });
  }
  if (streamsNew.length > 0)
    out.push({ type: 'streamUpdate', roomID, updateType: 'ADD', streams: streamsNew });
  if (extraInfoChanged.length > 0)
    out.push({ type: 'streamExtraInfoUpdate', roomID, streams: extraInfoChanged });
  return out;
}
