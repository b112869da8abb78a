/**
 * The engine's state in one room: who it is logged in as and with which credentials, how far along it is, what
 * the app was told of the room, and the server events that arrived while the room was between states (they are
 * held until LOGINED/RECONNECTED was announced, so listeners always see the room's state change before its
 * contents).
 */
import type { HelloFrame, LoginAuth, ServerEvent, WireUser } from '@parley/protocol';
import { RoomView, viewDelta } from './RoomView.js';

export type RoomPhase = 'logining' | 'logined' | 'reconnecting';

export interface RoomConfig {
  userUpdate: boolean;
  maxMemberCount: number;
}

/** Makes a login's proof from the `hello` of the socket it goes over (a token, or an AppSign HMAC of the nonce). */
export type AuthProvider = (hello: HelloFrame) => LoginAuth;

export class RoomSession {
  phase: RoomPhase = 'logining';
  /** The login request went out (so the server may know the room even if the reply never comes). */
  loginSent = false;
  /** Token expiry (unix seconds) from the last login or renewal, or null (AppSign logins do not expire). */
  tokenExpire: number | null = null;
  /** The other users and streams as the app was told of them. */
  readonly told = new RoomView();
  /**
   * True while reconnecting once the room was logged in again (the server had lost the session): its held
   * events start with the new login's welcome. Cleared when RECONNECTED is announced.
   */
  relogged = false;
  private held: ServerEvent[] = [];

  constructor(
    readonly roomID: string,
    readonly user: WireUser,
    readonly config: RoomConfig,
    /** The login's credentials; a renewed token replaces them, so a later login uses the newest one. */
    public auth: AuthProvider,
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

  /** The code of a kickout among the held events, or null. */
  heldKickout(): number | null {
    for (const ev of this.held) if (ev.type === 'kickout') return ev.code;
    return null;
  }

  /**
   * The room is about to be logged in again: what it holds belongs to a session the server no longer has, and
   * whatever arrives from now on comes from the new login (the server's welcome first).
   */
  beginRelogin(): void {
    this.held = [];
    this.relogged = false;
  }

  /**
   * After a new login: the held events with the users and streams folded into the changes the app must see to
   * match the server's new view (users and streams gone, then new ones), followed by the other held events in
   * order. The room holds nothing afterwards.
   */
  takeHeldAsDelta(): ServerEvent[] {
    const now = new RoomView();
    const rest: ServerEvent[] = [];
    for (const ev of this.takeHeld()) {
      if (RoomView.describes(ev)) now.apply(ev);
      else rest.push(ev);
    }
    return [...viewDelta(this.roomID, this.told, now), ...rest];
  }
}
