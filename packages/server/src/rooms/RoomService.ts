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
import type { Logger } from '../log.js';
import type { AppConfig } from '../options.js';
import type { SfuRouter } from '../sfu/index.js';
import { setTimeoutAt } from '../util/longTimeout.js';
import { TokenBucket } from '../util/TokenBucket.js';
import { AppSpace } from './AppSpace.js';
import { authorize, grantFromToken } from './Auth.js';
import type { Room } from './Room.js';
import { type DetachCause, type Membership, Session, type SessionTransport } from './Session.js';
import { SessionTurn, type TurnSettings } from './SessionTurn.js';
import { StreamMedia } from './StreamMedia.js';
import { wireStream } from './StreamRecord.js';

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
  private readonly media: StreamMedia;
  private closed = false;

  constructor(private readonly options: RoomServiceOptions) {
    this.media = new StreamMedia(options.sfu, options.logger);
    for (const app of options.apps) {
      const space = new AppSpace(app, options.roomMessagesPerSecond);
      space.streams.onRemove = (record) => this.media.unpublish(record);
      this.spaces.set(app.appID, space);
    }
    this.log = options.logger;
    this.now = options.now ?? Date.now;
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
   * and extra info are pushed to the new member, so the client sees LOGINED first.
   */
  login(ctx: LoginContext, req: LoginRequest, reply: (data: ReplyData['login']) => void): Session {
    const space = this.spaces.get(req.appID);
    if (!space) throw ParleyError.of(ErrorCode.APP_ID_INVALID, String(req.appID));
    const { roomID, user } = req;
    const existing = ctx.session;
    if (existing) {
      if (existing.appID !== req.appID || existing.user.userID !== user.userID) {
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
    if (space.rooms.get(roomID)?.isFullFor(user.userID)) throw ParleyError.of(ErrorCode.ROOM_MEMBER_LIMIT);

    // Everything is checked: a second login of the same userID now replaces the first.
    const previous = space.sessionsByUser.get(user.userID);
    if (previous && previous !== existing) {
      this.kick(previous, ErrorCode.KICKED_REPEAT_LOGIN, StreamDeleteReason.RepeatLogin);
    }
    const session = existing ?? this.createSession(space, user, ctx.transport);
    const room = space.roomFor(roomID, req.config.maxMemberCount);
    const membership: Membership = {
      room,
      session,
      userUpdate: req.config.userUpdate,
      grant,
      messageBucket: new TokenBucket(this.options.userMessagesPerSecond, this.options.userMessagesPerSecond),
      cancelTokenTimer: null,
    };
    room.pushToOthers(
      session,
      { type: 'userUpdate', roomID, updateType: 'ADD', users: [user] },
      (m) => m.userUpdate,
    );
    room.members.set(user.userID, membership);
    session.memberships.set(roomID, membership);
    this.armTokenTimer(membership);
    this.log.info('login', { appID: req.appID, roomID, userID: user.userID, session: session.id });

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
    if (m.userUpdate && room.members.size > 1) {
      const users = [...room.members.values()]
        .filter((o) => o.session !== session)
        .map((o) => o.session.user);
      session.push(encodeEvent({ type: 'userUpdate', roomID, updateType: 'ADD', users }));
    }
    const streams = [...room.streams.values()]
      .filter((s) => s.session !== session && s.announced)
      .map(wireStream);
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
    const space = this.space(session);
    m.grant = grantFromToken(space.app, roomID, session.user.userID, token, this.nowSeconds());
    this.armTokenTimer(m);
    return { tokenExpire: m.grant.expire };
  }

  /**
   * Publishes a stream. With an SDP offer, the SFU answers it and the room hears of the stream when its first
   * packet arrives; a new offer for a stream already published restarts its media.
   */
  async publish(session: Session, req: PublishRequest): Promise<ReplyData['publish']> {
    const streams = this.space(session).streams;
    const record = streams.publish(
      this.membership(session, req.roomID),
      req.streamID,
      req.extraInfo,
      this.nowSeconds(),
      {
        media: req.sdp === undefined ? 'none' : 'sfu',
        audio: req.audio ?? 'OPEN',
        video: req.video ?? 'OPEN',
        maxPerSession: this.options.maxStreamsPerSession,
      },
    );
    if (req.sdp === undefined) return {};
    let negotiated: Awaited<ReturnType<StreamMedia['publish']>>;
    try {
      negotiated = await this.media.publish(record, req.sdp, () => {
        if (!streams.isCurrent(record)) return;
        streams.announce(record);
        session.push(encodeEvent({ type: 'publishMediaFlowing', streamID: record.streamID }));
      });
    } catch (err) {
      // A stream that never carried media is forgotten; a restart that failed keeps the stream.
      if (!record.announced && streams.isCurrent(record))
        streams.remove([record], StreamDeleteReason.StoppedPublishing);
      throw err;
    }
    if (!streams.isCurrent(record)) {
      // Stopped (or the session ended) while negotiating.
      negotiated.release();
      throw ParleyError.of(ErrorCode.STREAM_NOT_FOUND, `${req.streamID} was stopped`);
    }
    return { sdp: negotiated.answerSdp };
  }

  /** Starts (or restarts) playing a stream of the session's AppID: returns the SFU's offer. */
  async play(session: Session, streamID: string): Promise<ReplyData['play']> {
    if (session.memberships.size === 0) throw ParleyError.of(ErrorCode.NOT_LOGGED_IN);
    const record = this.space(session).streams.get(streamID);
    if (!record) throw ParleyError.of(ErrorCode.PLAY_STREAM_NOT_FOUND, streamID);
    const sdp = await this.media.play(session, record);
    return { sdp, audio: record.audio, video: record.video };
  }

  async playAnswer(session: Session, streamID: string, sdp: string): Promise<void> {
    await this.media.answer(session, streamID, sdp);
  }

  stopPlay(session: Session, streamID: string): void {
    this.media.stopPlay(session, streamID);
  }

  /** The publisher muted or unmuted a track: its players are told. */
  setStreamMediaState(
    session: Session,
    streamID: string,
    audio: MediaTrackState | undefined,
    video: MediaTrackState | undefined,
  ): void {
    const record = this.space(session).streams.owned(session, streamID);
    record.audio = audio ?? record.audio;
    record.video = video ?? record.video;
    const json = encodeEvent({
      type: 'streamMediaState',
      streamID,
      audio: record.audio,
      video: record.video,
    });
    for (const player of this.media.sessionsPlaying(session.appID, streamID)) player.push(json);
  }

  unpublish(session: Session, streamID: string): void {
    const streams = this.space(session).streams;
    streams.remove([streams.owned(session, streamID)], StreamDeleteReason.StoppedPublishing);
  }

  setStreamExtraInfo(session: Session, streamID: string, extraInfo: string): void {
    this.space(session).streams.setExtraInfo(session, streamID, extraInfo);
  }

  /** The session's membership of `roomID`, or 1002002. */
  membership(session: Session, roomID: string): Membership {
    const m = session.memberships.get(roomID);
    if (!m) throw ParleyError.of(ErrorCode.NOT_IN_ROOM, roomID);
    return m;
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

  /** Removes a session from every room and forgets it; closes its socket if `close` is given. */
  endSession(
    session: Session,
    reason: StreamDeleteReasonCode,
    close?: { code: number; reason: string },
  ): void {
    if (session.state === 'closed') return;
    for (const m of [...session.memberships.values()]) this.leave(m, reason);
    this.media.endSession(session);
    const space = this.spaces.get(session.appID);
    if (space?.sessionsByUser.get(session.user.userID) === session)
      space.sessionsByUser.delete(session.user.userID);
    this.sessions.delete(session.id);
    const transport = session.markClosed();
    if (close) transport?.close(close.code, close.reason);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.onlineTimer);
    for (const session of [...this.sessions.values()]) {
      this.media.endSession(session);
      session.markClosed();
      for (const m of session.memberships.values()) m.cancelTokenTimer?.();
    }
    this.sessions.clear();
    this.kicked.clear();
    this.spaces.clear();
  }

  private leave(m: Membership, reason: StreamDeleteReasonCode): void {
    const { room, session } = m;
    const space = this.space(session);
    m.cancelTokenTimer?.();
    space.streams.removeSessionStreamsInRoom(session, room.roomID, reason);
    room.members.delete(session.user.userID);
    session.memberships.delete(room.roomID);
    room.pushToOthers(
      session,
      { type: 'userUpdate', roomID: room.roomID, updateType: 'DELETE', users: [session.user] },
      (o) => o.userUpdate,
    );
    if (room.isEmpty) this.dropRoom(space, room);
  }

  private dropRoom(space: AppSpace, room: Room): void {
    space.rooms.delete(room.roomID);
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
    space.sessionsByUser.set(user.userID, session);
    return session;
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
        room.pushToOthers(null, { type: 'onlineCount', roomID: room.roomID, count: room.members.size });
      }
    }
  }

  private space(session: Session): AppSpace {
    const space = this.spaces.get(session.appID);
    if (!space) throw ParleyError.of(ErrorCode.APP_ID_INVALID);
    return space;
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
