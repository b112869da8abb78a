/**
 * One logged-in user of one AppID, as seen by the server: its rooms, its streams, and the numbered events it
 * has been sent. A session outlives its socket for a grace period, so a client can resume it.
 */
import { type EncodedEvent, ErrorCode, ParleyError, type WireUser } from '@parley/protocol';
import type { Cancel } from '../util/longTimeout.js';
import type { TokenBucket } from '../util/TokenBucket.js';
import type { Grant } from './Auth.js';
import { Outbox } from './Outbox.js';
import type { Room } from './Room.js';
import type { SessionTurn } from './SessionTurn.js';
import type { StreamRecord } from './StreamRecord.js';

/** What the rooms layer needs of a socket. The signaling layer implements it. */
export interface SessionTransport {
  send(text: string): void;
  close(code: number, reason: string): void;
}

/** The session's place in one room. */
export interface Membership {
  readonly room: Room;
  readonly session: Session;
  readonly userUpdate: boolean;
  grant: Grant;
  /** This member's own share of the room's message budget, so that one sender cannot use it all. */
  readonly messageBucket: TokenBucket;
  /** Cancels the `tokenWillExpire` timer. */
  cancelTokenTimer: Cancel | null;
}

export type SessionState = 'attached' | 'detached' | 'closed';

/** Why a socket went away: it closed, or it went silent past the heartbeat timeout. */
export type DetachCause = 'closed' | 'heartbeat';

export class Session {
  readonly memberships = new Map<string, Membership>();
  readonly streams = new Map<string, StreamRecord>();
  readonly outbox: Outbox;
  private transportRef: SessionTransport | null;
  state: SessionState = 'attached';
  detachCause: DetachCause = 'closed';
  /** Ends the grace period early (cancel) while detached. */
  cancelGrace: Cancel | null = null;
  /** The session's TURN servers and their renewal; null when the server offers none. */
  turn: SessionTurn | null = null;

  constructor(
    readonly id: string,
    readonly resumeKey: string,
    readonly appID: number,
    readonly user: WireUser,
    transport: SessionTransport,
    outboxCapacity: number,
  ) {
    this.transportRef = transport;
    this.outbox = new Outbox(outboxCapacity);
  }

  get isClosed(): boolean {
    return this.state === 'closed';
  }

  get transport(): SessionTransport | null {
    return this.transportRef;
  }

  /** The session's membership of `roomID`, or 1002002. */
  membership(roomID: string): Membership {
    const m = this.memberships.get(roomID);
    if (!m) throw ParleyError.of(ErrorCode.NOT_IN_ROOM, roomID);
    return m;
  }

  /** Numbers an event (encoded once by encodeEvent), keeps it for a resume, and sends it if a socket is attached. */
  push(eventJson: EncodedEvent): void {
    if (this.state === 'closed') return;
    const frame = this.outbox.add(eventJson);
    this.transportRef?.send(frame);
  }

  attach(transport: SessionTransport): void {
    this.transportRef = transport;
    this.state = 'attached';
    this.cancelGrace?.();
    this.cancelGrace = null;
  }

  detach(cause: DetachCause): void {
    this.transportRef = null;
    this.state = 'detached';
    this.detachCause = cause;
  }

  /**
   * Marks the session closed and returns the transport it had, if any. The grace and TURN renewal timers stop
   * here; the memberships' token timers are the caller's to cancel.
   */
  markClosed(): SessionTransport | null {
    const t = this.transportRef;
    this.transportRef = null;
    this.state = 'closed';
    this.cancelGrace?.();
    this.cancelGrace = null;
    this.turn?.close();
    return t;
  }
}
