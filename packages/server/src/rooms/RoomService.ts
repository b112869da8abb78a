/**
 * The rooms layer's entry point: sessions log in and out, resume after a dropped socket, publish streams and
 * exchange messages. It knows nothing of sockets: it talks to them through {@link SessionTransport}.
 * Every method throws a ParleyError with the Express code when it refuses.
 *
 * The service is the face of the layer and wires its parts: {@link Sessions} (session lifecycle),
 * {@link RoomMembers} (login, logout, tokens), {@link RoomStreams} (publish and play, media pipes),
 * {@link NodeMessaging} (the other nodes' messages and requests), {@link RoomReplicas} (the other nodes' room
 * events) and {@link NodeRestore} (the rebuild after a store outage). The parts get the narrow views they need
 * of each other, never the service.
 */
import {
  type LoginRequest,
  type MediaTrackState,
  type PublishRequest,
  type ReplyData,
  StreamDeleteReason,
  type StreamDeleteReasonCode,
} from '@parley/protocol';
import type { RoomCallbacks } from '../callbacks/RoomCallbacks.js';
import type { ReapedRoomEvent, RoomEvent, SharedState } from '../cluster/SharedState.js';
import type { Logger } from '../log.js';
import type { AppConfig } from '../options.js';
import type { SfuRouter } from '../sfu/index.js';
import { AppSpace } from './AppSpace.js';
import { inCluster } from './clusterCalls.js';
import { NodeMessaging } from './NodeMessaging.js';
import { NodeRestore } from './NodeRestore.js';
import { RoomAdmin } from './RoomAdmin.js';
import { type LoginContext, RoomMembers } from './RoomMembers.js';
import { RoomReplicas } from './RoomReplicas.js';
import { RoomStreams } from './RoomStreams.js';
import type { DetachCause, Membership, Session, SessionTransport } from './Session.js';
import { Sessions } from './Sessions.js';
import type { TurnSettings } from './SessionTurn.js';

export type { LoginContext } from './RoomMembers.js';

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
  /** The server callbacks; none are sent without it. The service uses it, never closes it. */
  callbacks?: RoomCallbacks;
  /** The TURN servers offered to every session (login and resume replies, renewed by events); null for none. */
  turn: TurnSettings | null;
  logger: Logger;
  now?: () => number;
}

export class RoomService {
  private readonly spaces = new Map<number, AppSpace>();
  /** The cluster's shared state (for the messaging functions of RoomMessaging.ts). */
  readonly state: SharedState;
  private readonly sessions: Sessions;
  private readonly members: RoomMembers;
  private readonly streams: RoomStreams;
  private readonly messaging: NodeMessaging;
  private readonly replicas: RoomReplicas;
  private readonly restore: NodeRestore;
  /** What the server API does to rooms (kicks, closing a room, messages from the server). */
  readonly admin: RoomAdmin;
  private readonly unsubscribe: (() => void)[] = [];
  private closed = false;
  private readonly callbacks: RoomCallbacks | null;

  constructor(options: RoomServiceOptions) {
    const log = options.logger;
    const now = options.now ?? Date.now;
    this.state = options.state;
    for (const app of options.apps) {
      this.spaces.set(app.appID, new AppSpace(app, options.roomMessagesPerSecond));
    }
    // The parts call each other through these arrows, so they may be made in any order.
    this.sessions = new Sessions({
      spaces: this.spaces,
      state: this.state,
      reconnectGraceMs: options.reconnectGraceMs,
      outboxCapacity: options.outboxCapacity,
      turn: options.turn,
      onEnd: (session, reason) => {
        this.members.leaveAll(session, reason);
        this.streams.endSession(session);
      },
      logger: log,
      now,
    });
    this.replicas = new RoomReplicas(
      this.state.nodeID,
      {
        kickLocal: (appID, sessionID, code) => {
          this.sessions.kickLocal(appID, sessionID, code);
        },
      },
      log,
    );
    const onRoomEvent = (appID: number, roomID: string, event: RoomEvent): void => {
      const space = this.spaces.get(appID);
      if (space) this.replicas.apply(space, roomID, event);
    };
    this.state.on('roomEvent', onRoomEvent);
    this.unsubscribe.push(() => {
      this.state.off('roomEvent', onRoomEvent);
    });
    const callbacks = options.callbacks ?? null;
    this.callbacks = callbacks;
    if (callbacks) {
      // Only the node that reaped a dead node is told what the reap removed, so it alone reports it.
      const onReaped = (events: ReapedRoomEvent[]): void => callbacks.reaped(events);
      this.state.on('reaped', onReaped);
      this.unsubscribe.push(() => {
        this.state.off('reaped', onReaped);
      });
    }
    this.restore = new NodeRestore({
      spaces: this.spaces,
      state: this.state,
      replicas: this.replicas,
      settleMs: options.resyncSettleMs ?? 6000,
      logger: log,
    });
    this.messaging = new NodeMessaging(
      this.state,
      {
        request: (from, body) => this.streams.handlePipeRequest(from, body),
        kick: (appID, sessionID, code, customReason) => {
          this.sessions.kickLocal(appID, sessionID, code, customReason);
        },
        streamMediaState: (appID, streamID, audio, video) =>
          this.streams.tellPlayers(appID, streamID, audio, video),
        streamForbidden: (appID, streamID) => this.streams.stopForbidden(appID, streamID),
      },
      log,
    );
    this.streams = new RoomStreams({
      spaces: this.spaces,
      sfu: options.sfu,
      state: this.state,
      rpc: this.messaging.rpc,
      sender: this.messaging,
      maxStreamsPerSession: options.maxStreamsPerSession,
      pipeLingerMs: options.pipeLingerMs ?? 10_000,
      callbacks,
      logger: log,
      now,
    });
    this.admin = new RoomAdmin({
      spaces: this.spaces,
      state: this.state,
      sender: this.messaging,
      kickLocal: (appID, sessionID, code, customReason) =>
        this.sessions.kickLocal(appID, sessionID, code, customReason),
      stopForbidden: (appID, streamID) => this.streams.stopForbidden(appID, streamID),
      callbacks,
      now,
    });
    this.members = new RoomMembers({
      spaces: this.spaces,
      state: this.state,
      replicas: this.replicas,
      sessions: this.sessions,
      sender: this.messaging,
      userMessagesPerSecond: options.userMessagesPerSecond,
      tokenWarningSeconds: options.tokenWarningSeconds,
      onlineCountIntervalMs: options.onlineCountIntervalMs,
      callbacks,
      logger: log,
      now,
    });
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

  /** Logs a user in to a room: see {@link RoomMembers.login}. */
  login(ctx: LoginContext, req: LoginRequest, reply: (data: ReplyData['login']) => void): Promise<Session> {
    return this.members.login(ctx, req, reply);
  }

  /** Re-attaches a session to a new socket and replays the events the client has not handled. */
  resume(
    transport: SessionTransport,
    sessionID: string,
    resumeKey: string,
    lastSeq: number,
    reply: (data: ReplyData['resume']) => void,
  ): Session {
    return this.sessions.resume(transport, sessionID, resumeKey, lastSeq, reply);
  }

  /** The socket of `session` went away: keep the session for the grace period, then end it. */
  detach(session: Session, cause: DetachCause): void {
    this.sessions.detach(session, cause);
  }

  ack(session: Session, seq: number): void {
    session.outbox.ack(seq);
  }

  logout(session: Session, roomID: string): void {
    this.members.logout(session, roomID);
  }

  renewToken(session: Session, roomID: string, token: string): ReplyData['renewToken'] {
    return this.members.renewToken(session, roomID, token);
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
    this.sessions.kick(session, code, reason);
  }

  /** Removes a session from every room and forgets it; closes its socket if `close` is given. */
  endSession(
    session: Session,
    reason: StreamDeleteReasonCode,
    close?: { code: number; reason: string },
  ): void {
    this.sessions.end(session, reason, close);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    // The sessions still here leave their rooms first when their app has callbacks: the shared state's own
    // removal of this node's entries at its close tells no one, so their logouts and stream closes would be lost.
    for (const session of this.sessions.all()) {
      if (this.callbacks?.wants(session.appID))
        this.members.leaveAll(session, StreamDeleteReason.StoppedPublishing);
    }
    this.members.close();
    for (const off of this.unsubscribe) off();
    this.restore.close();
    this.streams.close();
    this.messaging.close();
    for (const session of this.sessions.all()) this.streams.endSession(session);
    this.sessions.close();
    this.spaces.clear();
  }
}
