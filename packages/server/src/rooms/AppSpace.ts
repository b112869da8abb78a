/** Everything of one AppID on this node: its rooms, its users' sessions and its streams. Two AppSpaces never share state. */
import { ErrorCode, ParleyError } from '@parley/protocol';
import type { AppConfig } from '../options.js';
import { Room } from './Room.js';
import type { Session } from './Session.js';
import { StreamRegistry } from './StreamRegistry.js';

export class AppSpace {
  /** The rooms with a member on this node. */
  readonly rooms = new Map<string, Room>();
  /** The live session of each userID on this node (the cluster's shared state has the holder of each userID). */
  readonly sessionsByUser = new Map<string, Session>();
  readonly streams = new StreamRegistry();

  constructor(
    readonly app: AppConfig,
    private readonly roomMessagesPerSecond: number,
  ) {}

  /** The room's replica on this node, created empty if it does not exist yet. */
  roomFor(roomID: string): Room {
    let room = this.rooms.get(roomID);
    if (!room) {
      room = new Room(this.app.appID, roomID, this.roomMessagesPerSecond);
      this.rooms.set(roomID, room);
    }
    return room;
  }
}

/** The AppSpace of a session's AppID; 1001004 if this node has none (the service closed). */
export function spaceOf(spaces: ReadonlyMap<number, AppSpace>, session: Session): AppSpace {
  const space = spaces.get(session.appID);
  if (!space) throw ParleyError.of(ErrorCode.APP_ID_INVALID);
  return space;
}
