/** Everything of one AppID: its rooms, its users' sessions and its streams. Two AppSpaces never share state. */
import type { AppConfig } from '../options.js';
import { Room } from './Room.js';
import type { Session } from './Session.js';
import { StreamRegistry } from './StreamRegistry.js';

export class AppSpace {
  readonly rooms = new Map<string, Room>();
  /** The live session of each userID: a second login of the same userID replaces (kicks) the first. */
  readonly sessionsByUser = new Map<string, Session>();
  readonly streams = new StreamRegistry();

  constructor(
    readonly app: AppConfig,
    private readonly roomMessagesPerSecond: number,
  ) {}

  /** The room, created with `maxMemberCount` if it does not exist yet (the first user's value wins). */
  roomFor(roomID: string, maxMemberCount: number): Room {
    let room = this.rooms.get(roomID);
    if (!room) {
      room = new Room(this.app.appID, roomID, maxMemberCount, this.roomMessagesPerSecond);
      this.rooms.set(roomID, room);
    }
    return room;
  }
}
