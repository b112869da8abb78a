/**
 * Sessions in rooms: a login joins a room (its capacity and the userID claimed in the cluster's shared state, a
 * session of the same userID replaced), the new member is welcomed with the room as it is, a logout leaves it,
 * and a member's token is renewed and warned about before it expires. Every room gets its online count.
 */
import {
  ErrorCode,
  encodeEvent,
  Limits,
  type LoginRequest,
  ParleyError,
  type ReplyData,
  StreamDeleteReason,
  type StreamDeleteReasonCode,
} from '@parley/protocol';
import type { RoomCallbacks } from '../callbacks/RoomCallbacks.js';
import type { MemberEntry, SharedState } from '../cluster/SharedState.js';
import type { Logger } from '../log.js';
import { setTimeoutAt } from '../util/longTimeout.js';
import { TokenBucket } from '../util/TokenBucket.js';
import { type AppSpace, spaceOf } from './AppSpace.js';
import { authorize, grantFromToken } from './Auth.js';
import { clusterError, quietly } from './clusterCalls.js';
import type { NodeSender } from './NodeMessages.js';
import type { Room } from './Room.js';
import type { RoomReplicas } from './RoomReplicas.js';
import type { Membership, Session, SessionTransport } from './Session.js';
import { type Sessions, turnOf } from './Sessions.js';

export interface RoomMembersOptions {
  /** The AppSpaces of the rooms layer (their rooms, and each one's live session of each userID). */
  spaces: ReadonlyMap<number, AppSpace>;
  state: SharedState;
  replicas: RoomReplicas;
  sessions: Sessions;
  /** Messages to other nodes (a kick to the node of a session replaced by a login here). */
  sender: NodeSender;
  userMessagesPerSecond: number;
  /** How long before a token expires `tokenWillExpire` is sent. */
  tokenWarningSeconds: number;
  onlineCountIntervalMs: number;
  /** The server callbacks (room_create, room_login, room_logout, room_close made here); null when none are sent. */
  callbacks: RoomCallbacks | null;
  logger: Logger;
  now: () => number;
}

/** Who is logging in, on which socket. */
export interface LoginContext {
  /** The session this socket already has, if it logged in to another room before. */
  session: Session | null;
  nonce: string;
  transport: SessionTransport;
}

export class RoomMembers {
  private readonly onlineTimer: NodeJS.Timeout;

  constructor(private readonly o: RoomMembersOptions) {
    this.onlineTimer = setInterval(() => this.sendOnlineCounts(), o.onlineCountIntervalMs);
    this.onlineTimer.unref();
  }

  /**
   * Logs a user in to a room. `reply` is called with the reply data before the room's current users, streams
   * and extra info are pushed to the new member, so the client sees LOGINED first. The room's capacity and the
   * userID are claimed in the cluster's shared state, so both hold across nodes.
   */
  async login(
    ctx: LoginContext,
    req: LoginRequest,
    reply: (data: ReplyData['login']) => void,
  ): Promise<Session> {
    const space = this.o.spaces.get(req.appID);
    if (!space) throw ParleyError.of(ErrorCode.APP_ID_INVALID, String(req.appID));
    const { roomID, user } = req;
    const appID = req.appID;
    const existing = ctx.session;
    if (existing) {
      if (existing.appID !== appID || existing.user.userID !== user.userID) {
        throw ParleyError.of(ErrorCode.INPUT_PARAMETER, 'one connection logs in one user of one AppID');
      }
      if (existing.memberships.has(roomID)) {
        throw ParleyError.of(ErrorCode.INPUT_PARAMETER, `already logged in to room ${roomID}`);
      }
      if (existing.memberships.size >= Limits.roomsPerSession)
        throw ParleyError.of(ErrorCode.ROOM_COUNT_EXCEEDED);
    }
    const grant = authorize(
      { app: space.app, roomID, userID: user.userID, nonce: ctx.nonce, proof: req.auth },
      this.nowSeconds(),
    );
    if (!this.o.state.available) throw ParleyError.of(ErrorCode.CLUSTER_UNAVAILABLE);

    const session = existing ?? this.o.sessions.create(space, user, ctx.transport);
    const entry: MemberEntry = {
      userID: user.userID,
      userName: user.userName,
      nodeID: this.o.state.nodeID,
      sessionID: session.id,
    };
    let joined: Awaited<ReturnType<SharedState['joinRoom']>> | null = null;
    let previous: Awaited<ReturnType<SharedState['claimUser']>> = null;
    this.o.replicas.beginJoin(appID, roomID);
    try {
      if (!space.rooms.has(roomID)) await this.o.state.watchRoom(appID, roomID);
      joined = await this.o.state.joinRoom(appID, roomID, entry, req.config.maxMemberCount);
      if (!joined.ok) throw ParleyError.of(ErrorCode.ROOM_MEMBER_LIMIT);
      previous = await this.o.state.claimUser(appID, user.userID, {
        nodeID: entry.nodeID,
        sessionID: session.id,
      });
      if (session.isClosed)
        throw ParleyError.of(ErrorCode.NOT_LOGGED_IN, 'the session ended while logging in');
    } catch (err) {
      const room = this.o.replicas.endJoin(space, roomID, null);
      if (!room) void quietly(this.o.logger, this.o.state.unwatchRoom(appID, roomID));
      if (joined?.ok) {
        const join = { created: joined.created, seq: joined.snapshot.seq };
        void quietly(
          this.o.logger,
          this.o.state
            .leaveRoom(appID, roomID, user.userID, session.id, StreamDeleteReason.StoppedPublishing)
            .then((left) => this.o.callbacks?.joinUndone(appID, roomID, user, join, left)),
        );
      }
      if (!existing) this.o.sessions.discard(space, session);
      throw clusterError(err);
    }
    const room = this.o.replicas.endJoin(space, roomID, joined.snapshot) ?? space.roomFor(roomID);
    if (room.members.size === 0) room.maxMemberCount = req.config.maxMemberCount;

    // Everything is checked and claimed: a session of the same userID elsewhere is replaced (kicked) now.
    const local = space.sessionsByUser.get(user.userID);
    if (local && local !== session)
      this.o.sessions.kick(local, ErrorCode.KICKED_REPEAT_LOGIN, StreamDeleteReason.RepeatLogin);
    if (previous && previous.nodeID !== this.o.state.nodeID) {
      void quietly(
        this.o.logger,
        this.o.sender.send(previous.nodeID, {
          kind: 'kick',
          appID,
          sessionID: previous.sessionID,
          code: ErrorCode.KICKED_REPEAT_LOGIN,
        }),
      );
    }
    space.sessionsByUser.set(user.userID, session);
    const membership: Membership = {
      room,
      session,
      userUpdate: req.config.userUpdate,
      grant,
      messageBucket: new TokenBucket(this.o.userMessagesPerSecond, this.o.userMessagesPerSecond),
      cancelTokenTimer: null,
    };
    // A member of the same userID on another node was replaced: the others here see it leave, then come back.
    const replacedRemote = room.remoteMembers.get(user.userID);
    if (replacedRemote) {
      room.remoteMembers.delete(user.userID);
      room.pushToOthers(
        session,
        { type: 'userUpdate', roomID, updateType: 'DELETE', users: [user] },
        (m) => m.userUpdate,
      );
    }
    room.pushToOthers(
      session,
      { type: 'userUpdate', roomID, updateType: 'ADD', users: [user] },
      (m) => m.userUpdate,
    );
    room.members.set(user.userID, membership);
    session.memberships.set(roomID, membership);
    this.armTokenTimer(membership);
    this.o.logger.info('login', { appID, roomID, userID: user.userID, session: session.id });
    this.o.callbacks?.joined(appID, roomID, user, session.id, {
      created: joined.created,
      seq: joined.snapshot.seq,
    });

    reply({
      sessionID: session.id,
      resumeKey: session.resumeKey,
      tokenExpire: grant.expire,
      ...turnOf(session),
    });
    this.welcome(membership);
    return session;
  }

  /** Pushes the room as it is now to a member who just joined. */
  private welcome(m: Membership): void {
    const { room, session } = m;
    const roomID = room.roomID;
    const users = room.usersBut(session);
    if (m.userUpdate && users.length > 0) {
      session.push(encodeEvent({ type: 'userUpdate', roomID, updateType: 'ADD', users }));
    }
    const streams = room.streamsBut(session);
    if (streams.length > 0)
      session.push(encodeEvent({ type: 'streamUpdate', roomID, updateType: 'ADD', streams }));
    if (room.extraInfo.size > 0) {
      session.push(encodeEvent({ type: 'roomExtraInfoUpdate', roomID, infos: [...room.extraInfo.values()] }));
    }
  }

  logout(session: Session, roomID: string): void {
    const m = session.membership(roomID);
    this.leave(m, StreamDeleteReason.StoppedPublishing);
    if (session.memberships.size === 0) this.o.sessions.end(session, StreamDeleteReason.StoppedPublishing);
  }

  renewToken(session: Session, roomID: string, token: string): ReplyData['renewToken'] {
    const m = session.membership(roomID);
    const space = spaceOf(this.o.spaces, session);
    m.grant = grantFromToken(space.app, roomID, session.user.userID, token, this.nowSeconds());
    this.armTokenTimer(m);
    return { tokenExpire: m.grant.expire };
  }

  /** A session is ending: it leaves every room it is in, its streams going with `reason`. */
  leaveAll(session: Session, reason: StreamDeleteReasonCode): void {
    for (const m of [...session.memberships.values()]) this.leave(m, reason);
  }

  /** Stops the online counts and every member's token timer (before the sessions close). */
  close(): void {
    clearInterval(this.onlineTimer);
    for (const session of this.o.sessions.all()) {
      for (const m of session.memberships.values()) m.cancelTokenTimer?.();
    }
  }

  private leave(m: Membership, reason: StreamDeleteReasonCode): void {
    const { room, session } = m;
    const space = spaceOf(this.o.spaces, session);
    m.cancelTokenTimer?.();
    space.streams.removeSessionStreamsInRoom(session, room.roomID, reason);
    room.members.delete(session.user.userID);
    session.memberships.delete(room.roomID);
    const { appID, user } = session;
    const roomID = room.roomID;
    const seenSeq = room.seq;
    void quietly(
      this.o.logger,
      this.o.state.leaveRoom(appID, roomID, user.userID, session.id, reason).then((left) => {
        if (left) this.o.callbacks?.left(appID, roomID, user, session.id, reason, left);
        // A login of the same userID replaced this member in the shared state (its join did), so this leave
        // found nothing to remove. Only this node knows the replaced session ended: it tells the logout, once.
        else if (reason === StreamDeleteReason.RepeatLogin)
          this.o.callbacks?.replaced(appID, roomID, user, session.id, seenSeq);
      }),
    );
    room.pushToOthers(
      session,
      { type: 'userUpdate', roomID: room.roomID, updateType: 'DELETE', users: [session.user] },
      (o) => o.userUpdate,
    );
    if (room.isEmpty) this.dropRoom(space, room);
  }

  private dropRoom(space: AppSpace, room: Room): void {
    space.rooms.delete(room.roomID);
    void quietly(this.o.logger, this.o.state.unwatchRoom(space.app.appID, room.roomID));
    this.o.logger.debug('room removed', { appID: space.app.appID, roomID: room.roomID });
  }

  /** Schedules `tokenWillExpire` for a membership's token, replacing any earlier schedule. */
  private armTokenTimer(m: Membership): void {
    m.cancelTokenTimer?.();
    m.cancelTokenTimer = null;
    const expire = m.grant.expire;
    if (expire === null) return;
    const warnAtMs = (expire - this.o.tokenWarningSeconds) * 1000;
    m.cancelTokenTimer = setTimeoutAt(
      warnAtMs,
      () => {
        m.cancelTokenTimer = null;
        const remainSeconds = Math.max(0, Math.round(expire - this.o.now() / 1000));
        m.session.push(encodeEvent({ type: 'tokenWillExpire', roomID: m.room.roomID, remainSeconds }));
      },
      this.o.now,
    );
  }

  private sendOnlineCounts(): void {
    for (const space of this.o.spaces.values()) {
      for (const room of space.rooms.values()) {
        room.pushToOthers(null, { type: 'onlineCount', roomID: room.roomID, count: room.memberCount });
      }
    }
  }

  private nowSeconds(): number {
    return Math.floor(this.o.now() / 1000);
  }
}
