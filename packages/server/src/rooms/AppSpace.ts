/** Everything of one AppID on this node: its rooms, its users' sessions and its streams. Two AppSpaces never share state. */
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
