/**
 * This node's sessions: made at a user's first login, kept for the grace period when their socket goes away,
 * resumed on a new socket (the events the client missed replayed), kicked, and ended. A session that ends leaves
 * its rooms through the `onEnd` hook, so this file knows nothing of rooms beyond the AppSpace's user index.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import {
  CloseCode,
  ErrorCode,
  encodeEvent,
  ParleyError,
  type ReplyData,
  StreamDeleteReason,
  type StreamDeleteReasonCode,
  type TurnServers,
} from '@parley/protocol';
import type { SharedState } from '../cluster/SharedState.js';
import type { Logger } from '../log.js';
import { setTimeoutAt } from '../util/longTimeout.js';
import type { AppSpace } from './AppSpace.js';
import { quietly } from './clusterCalls.js';
import { type DetachCause, Session, type SessionTransport } from './Session.js';
import { SessionTurn, type TurnSettings } from './SessionTurn.js';

export interface SessionsOptions {
  /** The AppSpaces of the rooms layer (each indexes its live session of each userID). */
  spaces: ReadonlyMap<number, AppSpace>;
  state: SharedState;
  reconnectGraceMs: number;
  /** Unacknowledged events kept per session for a resume. */
  outboxCapacity: number;
  /** The TURN servers offered to every session (login and resume replies, renewed by events); null for none. */
  turn: TurnSettings | null;
  /** A session is ending: it leaves its rooms (its streams go with `reason`) and its players stop. */
  onEnd(session: Session, reason: StreamDeleteReasonCode): void;
  logger: Logger;
  now: () => number;
}

export class Sessions {
  private readonly byID = new Map<string, Session>();
  /**
   * Sessions kicked out while their socket was away, kept for the grace period: a client that comes back to
   * resume one is told it was kicked (with the kick's code), not merely that the session is gone.
   */
  private readonly kicked = new Map<string, { resumeKey: string; code: number; untilMs: number }>();

  constructor(private readonly o: SessionsOptions) {}

  get size(): number {
    return this.byID.size;
  }

  /** The live sessions. */
  all(): Session[] {
    return [...this.byID.values()];
  }

  /** Re-attaches a session to a new socket and replays the events the client has not handled. */
  resume(
    transport: SessionTransport,
    sessionID: string,
    resumeKey: string,
    lastSeq: number,
    reply: (data: ReplyData['resume']) => void,
  ): Session {
    const session = this.byID.get(sessionID);
    if (!session) {
      const kicked = this.kicked.get(sessionID);
      if (kicked && kicked.untilMs > this.o.now() && sameSecret(kicked.resumeKey, resumeKey)) {
        this.kicked.delete(sessionID);
        throw ParleyError.of(kicked.code);
      }
      throw ParleyError.of(ErrorCode.RECONNECT_FAILED);
    }
    if (!sameSecret(session.resumeKey, resumeKey)) throw ParleyError.of(ErrorCode.RECONNECT_FAILED);
    if (!session.outbox.canReplayAfter(lastSeq)) {
      this.end(session, StreamDeleteReason.Disconnected);
      throw ParleyError.of(ErrorCode.RECONNECT_FAILED, 'missed events are no longer available');
    }
    // A half-open old socket may still be attached: the newer one wins.
    session.transport?.close(CloseCode.Replaced, 'session resumed elsewhere');
    session.attach(transport);
    session.outbox.ack(lastSeq);
    this.o.logger.info('resume', {
      appID: session.appID,
      userID: session.user.userID,
      session: session.id,
      lastSeq,
    });
    reply({ roomIDs: [...session.memberships.keys()], ...turnOf(session) });
    for (const frame of session.outbox.after(lastSeq)) transport.send(frame);
    return session;
  }

  /** The socket of `session` went away: keep the session for the grace period, then end it. */
  detach(session: Session, cause: DetachCause): void {
    if (session.state !== 'attached') return;
    session.detach(cause);
    this.o.logger.info('session detached', { session: session.id, cause, graceMs: this.o.reconnectGraceMs });
    session.cancelGrace = setTimeoutAt(this.o.now() + this.o.reconnectGraceMs, () => {
      session.cancelGrace = null;
      const reason =
        session.detachCause === 'heartbeat'
          ? StreamDeleteReason.HeartbeatTimeout
          : StreamDeleteReason.Disconnected;
      this.o.logger.info('session expired', { session: session.id, cause: session.detachCause });
      this.end(session, reason);
    });
  }

  /**
   * Ends a session by force: the client is told (kickout, with the server API's `customReason` when it gave
   * one), its streams go with `reason`.
   */
  kick(session: Session, code: number, reason: StreamDeleteReasonCode, customReason?: string): void {
    const custom = customReason === undefined ? {} : { customReason };
    for (const roomID of session.memberships.keys()) {
      session.push(encodeEvent({ type: 'kickout', roomID, code, msg: kickMessage(code), ...custom }));
    }
    this.o.logger.info('session kicked', { session: session.id, userID: session.user.userID, code });
    if (session.state === 'detached') {
      const now = this.o.now();
      for (const [id, k] of this.kicked) if (k.untilMs <= now) this.kicked.delete(id);
      this.kicked.set(session.id, {
        resumeKey: session.resumeKey,
        code,
        untilMs: now + this.o.reconnectGraceMs,
      });
    }
    this.end(session, reason, { code: CloseCode.Kicked, reason: 'kicked out' });
  }

  /**
   * Kicks the local session `sessionID` of `appID`, if there is one: its user logged in on another node (1002050),
   * or the server API kicked it out (1002055, with its `customReason`). False if there is no such session here.
   */
  kickLocal(appID: number, sessionID: string, code: number, customReason?: string): boolean {
    const session = this.byID.get(sessionID);
    if (!session || session.appID !== appID) return false;
    const reason =
      code === ErrorCode.KICKED_REPEAT_LOGIN ? StreamDeleteReason.RepeatLogin : StreamDeleteReason.KickedOut;
    this.kick(session, code, reason, customReason);
    return true;
  }

  /** Removes a session from every room and forgets it; closes its socket if `close` is given. */
  end(session: Session, reason: StreamDeleteReasonCode, close?: { code: number; reason: string }): void {
    if (session.state === 'closed') return;
    this.o.onEnd(session, reason);
    const space = this.o.spaces.get(session.appID);
    if (space?.sessionsByUser.get(session.user.userID) === session)
      space.sessionsByUser.delete(session.user.userID);
    this.byID.delete(session.id);
    void quietly(this.o.logger, this.o.state.releaseUser(session.appID, session.user.userID, session.id));
    const transport = session.markClosed();
    if (close) transport?.close(close.code, close.reason);
  }

  /** Makes the session of a user's first login on this socket (with its TURN servers, if the server has any). */
  create(space: AppSpace, user: Session['user'], transport: SessionTransport): Session {
    const session = new Session(
      randomBytes(12).toString('base64url'),
      randomBytes(24).toString('base64url'),
      space.app.appID,
      user,
      transport,
      this.o.outboxCapacity,
    );
    const turn = this.o.turn;
    if (turn) {
      session.turn = new SessionTurn(
        turn,
        user.userID,
        (servers) => session.push(encodeEvent({ type: 'turnCredentials', turn: servers })),
        this.o.now,
      );
    }
    this.byID.set(session.id, session);
    return session;
  }

  /** Forgets a session created for a login that failed (nobody was told of it). */
  discard(space: AppSpace, session: Session): void {
    this.byID.delete(session.id);
    if (space.sessionsByUser.get(session.user.userID) === session)
      space.sessionsByUser.delete(session.user.userID);
    session.markClosed();
  }

  /**
   * Marks every session closed (their sockets are the signaling layer's to close, their token timers
   * RoomMembers') and forgets them.
   */
  close(): void {
    for (const session of this.byID.values()) session.markClosed();
    this.byID.clear();
    this.kicked.clear();
  }
}

function kickMessage(code: number): string {
  return code === ErrorCode.KICKED_REPEAT_LOGIN
    ? 'the same userID logged in elsewhere'
    : 'kicked out by the server';
}

/** The `turn` field of a login or resume reply: the session's newest TURN credentials, if it has TURN. */
export function turnOf(session: Session): { turn?: TurnServers } {
  return session.turn ? { turn: session.turn.servers } : {};
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
