/**
 * The rooms layer's entry point: sessions log in and out, resume after a dropped socket, publish streams and
 * exchange messages. It knows nothing of sockets: it talks to them through {@link SessionTransport}.
 * Every method throws a ParleyError with the Express code when it refuses.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import {
  CloseCode,
  ErrorCode,
  encodeEvent,
  Limits,
  type LoginRequest,
  type MediaTrackState,
  ParleyError,
  type PublishRequest,
  type ReplyData,
  StreamDeleteReason,
  type StreamDeleteReasonCode,
  type TurnServers,
} from '@parley/protocol';
import type { MemberEntry, RoomEvent, SharedState } from '../cluster/SharedState.js';
import type { Logger } from '../log.js';
import type { AppConfig } from '../options.js';
import type { SfuRouter } from '../sfu/index.js';
import { setTimeoutAt } from '../util/longTimeout.js';
import { TokenBucket } from '../util/TokenBucket.js';
import { AppSpace, spaceOf } from './AppSpace.js';
import { authorize, grantFromToken } from './Auth.js';
import { clusterError, inCluster, quietly } from './clusterCalls.js';
import { NodeMessaging } from './NodeMessaging.js';
import { NodeRestore } from './NodeRestore.js';
import type { Room } from './Room.js';
import { RoomReplicas } from './RoomReplicas.js';
import { RoomStreams } from './RoomStreams.js';
import { type DetachCause, type Membership, Session, type SessionTransport } from './Session.js';
import { SessionTurn, type TurnSettings } from './SessionTurn.js';

export interface RoomServiceOptions {
  apps: AppConfig[];
  reconnectGraceMs: number;
  onlineCountIntervalMs: number;
  roomMessagesPerSecond: number;
  userMessagesPerSecond: number;
  /** Unacknowledged events kept per session for a resume. */
  outboxCapacity: number;
  /** How long before a token expires `tokenWillExpire` is sent. */
  tokenWarningSeconds: number;
  /** Streams one session may publish at once. */
  maxStreamsPerSession: number;
  /** The media plane; the service uses it, never closes it. */
  sfu: SfuRouter;
  /** The cluster's shared state (in memory for a single node); the service uses it, never closes it. */
  state: SharedState;
  /** How long a media pipe from another node stays after its last player here stopped. */
  pipeLingerMs?: number;
  /** How long after its store came back a node waits for the others to restore theirs before it resyncs for good. */
  resyncSettleMs?: number;
  /** The TURN servers offered to every session (login and resume replies, renewed by events); null for none. */
  turn: TurnSettings | null;
  logger: Logger;
  now?: () => number;
}

/** Who is logging in, on which socket. */
export interface LoginContext {
  /** The session this socket already has, if it logged in to another room before. */
  session: Session | null;
  nonce: string;
  transport: SessionTransport;
}

export class RoomService {
  private readonly spaces = new Map<number, AppSpace>();
  private readonly sessions = new Map<string, Session>();
  /**
   * Sessions kicked out while their socket was away, kept for the grace period: a client that comes back to
   * resume one is told it was kicked (with the kick's code), not merely that the session is gone.
   */
  private readonly kicked = new Map<string, { resumeKey: string; code: number; untilMs: number }>();
  private readonly log: Logger;
  private readonly now: () => number;
  private readonly onlineTimer: NodeJS.Timeout;
  /** The cluster's shared state (for the messaging functions of RoomMessaging.ts). */
  readonly state: SharedState;
  private readonly replicas: RoomReplicas;
  private readonly restore: NodeRestore;
  private readonly messaging: NodeMessaging;
  private readonly streams: RoomStreams;
  private readonly unsubscribe: (() => void)[] = [];
  private closed = false;

  constructor(private readonly options: RoomServiceOptions) {
    this.log = options.logger;
    this.now = options.now ?? Date.now;
    this.state = options.state;
    for (const app of options.apps) {
      this.spaces.set(app.appID, new AppSpace(app, options.roomMessagesPerSecond));
    }
    this.replicas = new RoomReplicas(
      this.state.nodeID,
      {
        kickLocal: (appID, sessionID, code) => this.kickLocal(appID, sessionID, code),
      },
      this.log,
    );
    const onRoomEvent = (appID: number, roomID: string, event: RoomEvent): void => {
      const space = this.spaces.get(appID);
      if (space) this.replicas.apply(space, roomID, event);
    };
    this.state.on('roomEvent', onRoomEvent);
    this.unsubscribe.push(() => {
      this.state.off('roomEvent', onRoomEvent);
    });
    this.restore = new NodeRestore({
      spaces: this.spaces,
      state: this.state,
      replicas: this.replicas,
      settleMs: options.resyncSettleMs ?? 6000,
      logger: this.log,
    });
    this.messaging = new NodeMessaging(
      this.state,
      {
        request: (from, body) => this.streams.handlePipeRequest(from, body),
        kick: (appID, sessionID, code) => this.kickLocal(appID, sessionID, code),
        streamMediaState: (appID, streamID, audio, video) =>
          this.streams.tellPlayers(appID, streamID, audio, video),
      },
      this.log,
    );
    this.streams = new RoomStreams({
      spaces: this.spaces,
      sfu: options.sfu,
      state: this.state,
      rpc: this.messaging.rpc,
      sender: this.messaging,
      maxStreamsPerSession: options.maxStreamsPerSession,
      pipeLingerMs: options.pipeLingerMs ?? 10_000,
      logger: this.log,
      now: this.now,
    });
    this.onlineTimer = setInterval(() => this.sendOnlineCounts(), options.onlineCountIntervalMs);
    this.onlineTimer.unref();
  }

  stats(): { apps: number; sessions: number; rooms: number; streams: number } {
    let rooms = 0;
    let streams = 0;
    for (const s of this.spaces.values()) {
      rooms += s.rooms.size;
      streams += s.streams.size;
    }
    return { apps: this.spaces.size, sessions: this.sessions.size, rooms, streams };
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
    const space = this.spaces.get(req.appID);
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
    if (!this.state.available) throw ParleyError.of(ErrorCode.CLUSTER_UNAVAILABLE);

    const session = existing ?? this.createSession(space, user, ctx.transport);
    const entry: MemberEntry = {
      userID: user.userID,
      userName: user.userName,
      nodeID: this.state.nodeID,
      sessionID: session.id,
    };
    let joined: Awaited<ReturnType<SharedState['joinRoom']>> | null = null;
    let previous: Awaited<ReturnType<SharedState['claimUser']>> = null;
    this.replicas.beginJoin(appID, roomID);
    try {
      if (!space.rooms.has(roomID)) await this.state.watchRoom(appID, roomID);
      joined = await this.state.joinRoom(appID, roomID, entry, req.config.maxMemberCount);
      if (!joined.ok) throw ParleyError.of(ErrorCode.ROOM_MEMBER_LIMIT);
      previous = await this.state.claimUser(appID, user.userID, {
        nodeID: entry.nodeID,
        sessionID: session.id,
      });
      if (session.isClosed)
        throw ParleyError.of(ErrorCode.NOT_LOGGED_IN, 'the session ended while logging in');
    } catch (err) {
      const room = this.replicas.endJoin(space, roomID, null);
      if (!room) void quietly(this.log, this.state.unwatchRoom(appID, roomID));
      if (joined?.ok) {
        void quietly(
          this.log,
          this.state.leaveRoom(appID, roomID, user.userID, session.id, StreamDeleteReason.StoppedPublishing),
        );
      }
      if (!existing) this.discardSession(space, session);
      throw clusterError(err);
    }
    const room = this.replicas.endJoin(space, roomID, joined.snapshot) ?? space.roomFor(roomID);
    if (room.members.size === 0) room.maxMemberCount = req.config.maxMemberCount;

    // Everything is checked and claimed: a session of the same userID elsewhere is replaced (kicked) now.
    const local = space.sessionsByUser.get(user.userID);
    if (local && local !== session)
      this.kick(local, ErrorCode.KICKED_REPEAT_LOGIN, StreamDeleteReason.RepeatLogin);
    if (previous && previous.nodeID !== this.state.nodeID) {
      void quietly(
        this.log,
        this.messaging.send(previous.nodeID, {
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
      messageBucket: new TokenBucket(this.options.userMessagesPerSecond, this.options.userMessagesPerSecond),
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
    this.log.info('login', { appID, roomID, userID: user.userID, session: session.id });

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

  /** Re-attaches a session to a new socket and replays the events the client has not handled. */
  resume(
    transport: SessionTransport,
    sessionID: string,
    resumeKey: string,
    lastSeq: number,
    reply: (data: ReplyData['resume']) => void,
  ): Session {
    const session = this.sessions.get(sessionID);
    if (!session) {
      const kicked = this.kicked.get(sessionID);
      if (kicked && kicked.untilMs > this.now() && sameSecret(kicked.resumeKey, resumeKey)) {
        this.kicked.delete(sessionID);
        throw ParleyError.of(kicked.code);
      }
      throw ParleyError.of(ErrorCode.RECONNECT_FAILED);
    }
    if (!sameSecret(session.resumeKey, resumeKey)) throw ParleyError.of(ErrorCode.RECONNECT_FAILED);
    if (!session.outbox.canReplayAfter(lastSeq)) {
      this.endSession(session, StreamDeleteReason.Disconnected);
      throw ParleyError.of(ErrorCode.RECONNECT_FAILED, 'missed events are no longer available');
    }
    // A half-open old socket may still be attached: the newer one wins.
    session.transport?.close(CloseCode.Replaced, 'session resumed elsewhere');
    session.attach(transport);
    session.outbox.ack(lastSeq);
    this.log.info('resume', {
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
    this.log.info('session detached', { session: session.id, cause, graceMs: this.options.reconnectGraceMs });
    session.cancelGrace = setTimeoutAt(this.now() + this.options.reconnectGraceMs, () => {
      session.cancelGrace = null;
      const reason =
        session.detachCause === 'heartbeat'
          ? StreamDeleteReason.HeartbeatTimeout
          : StreamDeleteReason.Disconnected;
      this.log.info('session expired', { session: session.id, cause: session.detachCause });
      this.endSession(session, reason);
    });
  }

  ack(session: Session, seq: number): void {
    session.outbox.ack(seq);
  }

  logout(session: Session, roomID: string): void {
    const m = this.membership(session, roomID);
    this.leave(m, StreamDeleteReason.StoppedPublishing);
    if (session.memberships.size === 0) this.endSession(session, StreamDeleteReason.StoppedPublishing);
  }

  renewToken(session: Session, roomID: string, token: string): ReplyData['renewToken'] {
    const m = this.membership(session, roomID);
    const space = spaceOf(this.spaces, session);
    m.grant = grantFromToken(space.app, roomID, session.user.userID, token, this.nowSeconds());
    this.armTokenTimer(m);
    return { tokenExpire: m.grant.expire };
  }

  /** Publishes a stream: see {@link RoomStreams.publish}. */
  publish(session: Session, req: PublishRequest): Promise<ReplyData['publish']> {
    return this.streams.publish(session, req);
  }

  /** Starts (or restarts) playing a stream: see {@link RoomStreams.play}. */
  play(session: Session, streamID: string): Promise<ReplyData['play']> {
    return this.streams.play(session, streamID);
  }

  playAnswer(session: Session, streamID: string, sdp: string): Promise<void> {
    return this.streams.playAnswer(session, streamID, sdp);
  }

  stopPlay(session: Session, streamID: string): void {
    this.streams.stopPlay(session, streamID);
  }

  /** The publisher muted or unmuted a track: its players are told. */
  setStreamMediaState(
    session: Session,
    streamID: string,
    audio: MediaTrackState | undefined,
    video: MediaTrackState | undefined,
  ): void {
    this.streams.setMediaState(session, streamID, audio, video);
  }

  unpublish(session: Session, streamID: string): void {
    this.streams.unpublish(session, streamID);
  }

  setStreamExtraInfo(session: Session, streamID: string, extraInfo: string): Promise<void> {
    return this.streams.setExtraInfo(session, streamID, extraInfo);
  }

  /** Awaits a shared-state operation, its unavailability as 1002099. */
  inCluster<T>(work: Promise<T>): Promise<T> {
    return inCluster(work);
  }

  /** The session's membership of `roomID`, or 1002002. */
  membership(session: Session, roomID: string): Membership {
    return session.membership(roomID);
  }

  /** Ends a session by force: the client is told (kickout), its streams go with `reason`. */
  kick(session: Session, code: number, reason: StreamDeleteReasonCode): void {
    for (const roomID of session.memberships.keys()) {
      session.push(encodeEvent({ type: 'kickout', roomID, code, msg: kickMessage(code) }));
    }
    this.log.info('session kicked', { session: session.id, userID: session.user.userID, code });
    if (session.state === 'detached') {
      const now = this.now();
      for (const [id, k] of this.kicked) if (k.untilMs <= now) this.kicked.delete(id);
      this.kicked.set(session.id, {
        resumeKey: session.resumeKey,
        code,
        untilMs: now + this.options.reconnectGraceMs,
      });
    }
    this.endSession(session, reason, { code: CloseCode.Kicked, reason: 'kicked out' });
  }

  /** Kicks the local session `sessionID` of `appID`, if there is one: its user logged in on another node. */
  private kickLocal(appID: number, sessionID: string, code: number): void {
    const session = this.sessions.get(sessionID);
    if (session && session.appID === appID) this.kick(session, code, StreamDeleteReason.RepeatLogin);
  }

  /** Removes a session from every room and forgets it; closes its socket if `close` is given. */
  endSession(
    session: Session,
    reason: StreamDeleteReasonCode,
    close?: { code: number; reason: string },
  ): void {
    if (session.state === 'closed') return;
    for (const m of [...session.memberships.values()]) this.leave(m, reason);
    this.streams.endSession(session);
    const space = this.spaces.get(session.appID);
    if (space?.sessionsByUser.get(session.user.userID) === session)
      space.sessionsByUser.delete(session.user.userID);
    this.sessions.delete(session.id);
    void quietly(this.log, this.state.releaseUser(session.appID, session.user.userID, session.id));
    const transport = session.markClosed();
    if (close) transport?.close(close.code, close.reason);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.onlineTimer);
    for (const off of this.unsubscribe) off();
    this.restore.close();
    this.streams.close();
    this.messaging.close();
    for (const session of [...this.sessions.values()]) {
      this.streams.endSession(session);
      session.markClosed();
      for (const m of session.memberships.values()) m.cancelTokenTimer?.();
    }
    this.sessions.clear();
    this.kicked.clear();
    this.spaces.clear();
  }

  private leave(m: Membership, reason: StreamDeleteReasonCode): void {
    const { room, session } = m;
    const space = spaceOf(this.spaces, session);
    m.cancelTokenTimer?.();
    space.streams.removeSessionStreamsInRoom(session, room.roomID, reason);
    room.members.delete(session.user.userID);
    session.memberships.delete(room.roomID);
    void quietly(
      this.log,
      this.state.leaveRoom(session.appID, room.roomID, session.user.userID, session.id, reason),
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
    void quietly(this.log, this.state.unwatchRoom(space.app.appID, room.roomID));
    this.log.debug('room removed', { appID: space.app.appID, roomID: room.roomID });
  }

  private createSession(space: AppSpace, user: Session['user'], transport: SessionTransport): Session {
    const session = new Session(
      randomBytes(12).toString('base64url'),
      randomBytes(24).toString('base64url'),
      space.app.appID,
      user,
      transport,
      this.options.outboxCapacity,
    );
    const turn = this.options.turn;
    if (turn) {
      session.turn = new SessionTurn(
        turn,
        user.userID,
        (servers) => session.push(encodeEvent({ type: 'turnCredentials', turn: servers })),
        this.now,
      );
    }
    this.sessions.set(session.id, session);
    return session;
  }

  /** Forgets a session created for a login that failed (nobody was told of it). */
  private discardSession(space: AppSpace, session: Session): void {
    this.sessions.delete(session.id);
    if (space.sessionsByUser.get(session.user.userID) === session)
      space.sessionsByUser.delete(session.user.userID);
    session.markClosed();
  }

  /** Schedules `tokenWillExpire` for a membership's token, replacing any earlier schedule. */
  private armTokenTimer(m: Membership): void {
    m.cancelTokenTimer?.();
    m.cancelTokenTimer = null;
    const expire = m.grant.expire;
    if (expire === null) return;
    const warnAtMs = (expire - this.options.tokenWarningSeconds) * 1000;
    m.cancelTokenTimer = setTimeoutAt(
      warnAtMs,
      () => {
        m.cancelTokenTimer = null;
        const remainSeconds = Math.max(0, Math.round(expire - this.now() / 1000));
        m.session.push(encodeEvent({ type: 'tokenWillExpire', roomID: m.room.roomID, remainSeconds }));
      },
      this.now,
    );
  }

  private sendOnlineCounts(): void {
    for (const space of this.spaces.values()) {
      for (const room of space.rooms.values()) {
        room.pushToOthers(null, { type: 'onlineCount', roomID: room.roomID, count: room.memberCount });
      }
    }
  }

  private nowSeconds(): number {
    return Math.floor(this.now() / 1000);
  }
}

function kickMessage(code: number): string {
  return code === ErrorCode.KICKED_REPEAT_LOGIN
    ? 'the same userID logged in elsewhere'
    : 'kicked out by the server';
}

/** The `turn` field of a login or resume reply: the session's newest TURN credentials, if it has TURN. */
function turnOf(session: Session): { turn?: TurnServers } {
  return session.turn ? { turn: session.turn.servers } : {};
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
