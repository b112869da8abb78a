/**
 * The engine's state in one room: who it is logged in as, how far along it is, and the server events that
 * arrived while the room was between states (they are held until LOGINED/RECONNECTED was announced, so
 * listeners always see the room's state change before its contents).
 */
import type { ServerEvent, WireStream, WireUser } from '@parley/protocol';

export type RoomPhase = 'logining' | 'logined' | 'reconnecting';

export interface RoomConfig {
  userUpdate: boolean;
  maxMemberCount: number;
}

export class RoomSession {
  phase: RoomPhase = 'logining';
  /** The login request went out (so the server may know the room even if the reply never comes). */
  loginSent = false;
  /** Token expiry (unix seconds) from the last login or renewal, or null (AppSign logins do not expire). */
  tokenExpire: number | null = null;
  /** Streams of the other users, as announced by the server. */
  readonly remoteStreams = new Map<string, WireStream>();
  private held: ServerEvent[] = [];

  constructor(
    readonly roomID: string,
    readonly user: WireUser,
    readonly config: RoomConfig,
  ) {}

  /** True while events must wait for the state change to be announced. */
  get holdsEvents(): boolean {
    return this.phase !== 'logined';
  }

  hold(ev: ServerEvent): void {
    this.held.push(ev);
  }

  /** The held events, oldest first; the room holds nothing afterwards. */
  takeHeld(): ServerEvent[] {
    const out = this.held;
    this.held = [];
    return out;
  }

  /** Keeps the room's list of remote streams in step with a stream event. */
  trackStreams(ev: ServerEvent): void {
    if (ev.type === 'streamUpdate') {
      for (const s of ev.streams) {
        if (ev.updateType === 'ADD') this.remoteStreams.set(s.streamID, s);
        else this.remoteStreams.delete(s.streamID);
      }
    } else if (ev.type === 'streamExtraInfoUpdate') {
      for (const s of ev.streams)
        if (this.remoteStreams.has(s.streamID)) this.remoteStreams.set(s.streamID, s);
    }
  }
}
