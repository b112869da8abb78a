/**
 * The streams of this node's sessions and what they play: a publish registers the stream, claims its streamID in
 * the cluster and has the SFU answer its offer; a play gets the SFU's offer for a stream published here or, for
 * one published on another node, piped here from its origin first; mutes reach the players here and on the nodes
 * the stream is piped to.
 */
import {
  ErrorCode,
  encodeEvent,
  type MediaTrackState,
  ParleyError,
  type PublishRequest,
  type ReplyData,
  StreamDeleteReason,
  type StreamDeleteReasonCode,
} from '@parley/protocol';
import type { CallbackStream, RoomCallbacks } from '../callbacks/RoomCallbacks.js';
import { NodeRequestError, type NodeRpc } from '../cluster/NodeRpc.js';
import type { SharedState } from '../cluster/SharedState.js';
import type { Logger } from '../log.js';
import type { SfuRouter } from '../sfu/index.js';
import { type AppSpace, spaceOf } from './AppSpace.js';
import { clusterError, inCluster, quietly } from './clusterCalls.js';
import type { NodeSender } from './NodeMessages.js';
import type { Session } from './Session.js';
import { StreamMedia, splitStreamKey, streamKeyOf } from './StreamMedia.js';
import { StreamPipes } from './StreamPipes.js';
import { entryOf, type StreamRecord } from './StreamRecord.js';

export interface RoomStreamsOptions {
  /** The AppSpaces of the rooms layer, all of them made already (the streams live in their registries). */
  spaces: ReadonlyMap<number, AppSpace>;
  /** The media plane; used, never closed. */
  sfu: SfuRouter;
  state: SharedState;
  /** Requests to other nodes (for media pipes). */
  rpc: NodeRpc;
  /** Messages to other nodes (mutes to the nodes a stream is piped to). */
  sender: NodeSender;
  /** Streams one session may publish at once. */
  maxStreamsPerSession: number;
  /** How long a media pipe from another node stays after its last player here stopped. */
  pipeLingerMs: number;
  /** The server callbacks (stream_create, stream_close of this node's streams); null when none are sent. */
  callbacks: RoomCallbacks | null;
  logger: Logger;
  now: () => number;
}

export class RoomStreams {
  private readonly media: StreamMedia;
  private readonly pipes: StreamPipes;

  constructor(private readonly o: RoomStreamsOptions) {
    this.media = new StreamMedia(o.sfu, o.logger);
    for (const space of o.spaces.values())
      space.streams.onRemove = (records, reason) => this.removed(records, reason);
    this.pipes = new StreamPipes({
      sfu: o.sfu,
      rpc: o.rpc,
      nodeID: o.state.nodeID,
      lingerMs: o.pipeLingerMs,
      requestTimeoutMs: 5000,
      hasPlayers: (key) => this.media.hasAudience(key),
      locate: async (key) => {
        const { appID, streamID } = splitStreamKey(key);
        const entry = await o.state.findStream(appID, streamID);
        return entry && entry.media === 'sfu' && entry.nodeID !== o.state.nodeID ? entry.nodeID : null;
      },
      logger: o.logger.child('pipes'),
    });
  }

  /**
   * Publishes a stream. With an SDP offer, the SFU answers it and the room hears of the stream when its first
   * packet arrives; a new offer for a stream already published restarts its media.
   */
  async publish(session: Session, req: PublishRequest): Promise<ReplyData['publish']> {
    const streams = spaceOf(this.o.spaces, session).streams;
    const before = streams.get(req.streamID);
    const record = streams.publish(
      session.membership(req.roomID),
      req.streamID,
      req.extraInfo,
      Math.floor(this.o.now() / 1000),
      {
        media: req.sdp === undefined ? 'none' : 'sfu',
        audio: req.audio ?? 'OPEN',
        video: req.video ?? 'OPEN',
        maxPerSession: this.o.maxStreamsPerSession,
      },
    );
    if (record !== before) await this.claimStream(record);
    if (req.sdp === undefined) return {};
    let negotiated: Awaited<ReturnType<StreamMedia['publish']>>;
    try {
      negotiated = await this.media.publish(record, req.sdp, () => {
        if (!streams.isCurrent(record)) return;
        this.announce(record);
        void quietly(
          this.o.logger,
          this.o.state.updateStream(session.appID, record.streamID, session.id, { announced: true }),
        );
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

  /**
   * Claims a newly registered stream's ID in the cluster (unique per AppID on every node); a signaling-only
   * stream is announced with it. If another user's stream has the ID, the registration is undone (1003028).
   */
  private async claimStream(record: StreamRecord): Promise<void> {
    const { session } = record;
    const streams = spaceOf(this.o.spaces, session).streams;
    const announce = record.media === 'none';
    let claimed: Awaited<ReturnType<SharedState['claimStream']>> | null = null;
    try {
      if (!(await this.o.state.isStreamForbidden(session.appID, record.streamID))) {
        claimed = await this.o.state.claimStream(session.appID, {
          ...entryOf(record, this.o.state.nodeID),
          announced: announce,
        });
      }
    } catch (err) {
      streams.forget(record);
      throw clusterError(err);
    }
    if (!claimed) {
      streams.forget(record);
      throw ParleyError.of(ErrorCode.PUBLISH_FORBIDDEN, record.streamID);
    }
    if (!claimed.ok) {
      streams.forget(record);
      throw ParleyError.of(ErrorCode.STREAM_ID_DUPLICATE);
    }
    // A forbid between the check above and the claim told every node before this stream was there to stop:
    // the mark is in the shared state already, so this second look finds it.
    let forbidden: boolean;
    try {
      forbidden = await this.o.state.isStreamForbidden(session.appID, record.streamID);
    } catch (err) {
      // Unknown whether it may be published: undone as a failed claim would be (the store is told when back).
      if (streams.isCurrent(record)) streams.remove([record], StreamDeleteReason.StoppedPublishing);
      throw clusterError(err);
    }
    if (forbidden) {
      if (streams.isCurrent(record)) streams.remove([record], StreamDeleteReason.RemovedByServer);
      throw ParleyError.of(ErrorCode.PUBLISH_FORBIDDEN, record.streamID);
    }
    if (!streams.isCurrent(record))
      throw ParleyError.of(ErrorCode.STREAM_NOT_FOUND, `${record.streamID} was stopped`);
    if (announce) this.announce(record);
  }

  /**
   * The server API forbade a stream: if it is published here, its publisher is told (1003025) and it is removed
   * (the room gets its DELETE, reason RemovedByServer); this node's players of it are told (1004025) and stopped.
   */
  stopForbidden(appID: number, streamID: string): void {
    const stopped = encodeEvent({ type: 'playStopped', streamID, code: ErrorCode.PLAY_FORBIDDEN });
    for (const player of this.media.sessionsPlaying(appID, streamID)) {
      player.push(stopped);
      this.media.stopPlay(player, streamID);
    }
    const streams = this.o.spaces.get(appID)?.streams;
    const record = streams?.get(streamID);
    if (!streams || !record) return;
    record.session.push(encodeEvent({ type: 'publishStopped', streamID, code: ErrorCode.PUBLISH_FORBIDDEN }));
    streams.remove([record], StreamDeleteReason.RemovedByServer);
  }

  /** Tells the room about a stream of this node (once), and the app's callback receiver with it. */
  private announce(record: StreamRecord): void {
    if (record.announced) return;
    const { session } = record;
    spaceOf(this.o.spaces, session).streams.announce(record);
    if (record.announced) this.o.callbacks?.streamCreated(session.appID, callbackStreamOf(record));
  }

  /**
   * Starts (or restarts) playing a stream of the session's AppID: returns the SFU's offer. A stream published on
   * another node is piped here from its origin first (one pipe per stream and node, shared by its players here).
   */
  async play(session: Session, streamID: string): Promise<ReplyData['play']> {
    if (session.memberships.size === 0) throw ParleyError.of(ErrorCode.NOT_LOGGED_IN);
    const record = spaceOf(this.o.spaces, session).streams.get(streamID);
    if (record) {
      const sdp = await this.media.play(session, record);
      return { sdp, audio: record.audio, video: record.video };
    }
    const entry = await inCluster(this.o.state.findStream(session.appID, streamID));
    if (!entry || entry.nodeID === this.o.state.nodeID)
      throw ParleyError.of(ErrorCode.PLAY_STREAM_NOT_FOUND, streamID);
    if (entry.media !== 'sfu') {
      // A signaling-only stream of another node, or one the server API added (AddStream): nothing to pipe here.
      throw ParleyError.of(
        ErrorCode.PLAY_STREAM_NOT_FOUND,
        `stream ${streamID} is signaling only: it carries no media here`,
      );
    }
    const key = streamKeyOf(session.appID, streamID);
    try {
      await this.pipes.ensure(key, entry.nodeID);
    } catch (err) {
      if (err instanceof NodeRequestError) throw ParleyError.of(err.code, err.message);
      throw clusterError(err);
    }
    const sdp = await this.media.playKey(session, streamID, key);
    return { sdp, audio: entry.audio, video: entry.video };
  }

  async playAnswer(session: Session, streamID: string, sdp: string): Promise<void> {
    await this.media.answer(session, streamID, sdp);
  }

  stopPlay(session: Session, streamID: string): void {
    this.media.stopPlay(session, streamID);
  }

  /** The publisher muted or unmuted a track: its players are told. */
  setMediaState(
    session: Session,
    streamID: string,
    audio: MediaTrackState | undefined,
    video: MediaTrackState | undefined,
  ): void {
    const record = spaceOf(this.o.spaces, session).streams.owned(session, streamID);
    record.audio = audio ?? record.audio;
    record.video = video ?? record.video;
    void quietly(
      this.o.logger,
      this.o.state.updateStream(session.appID, streamID, session.id, {
        audio: record.audio,
        video: record.video,
      }),
    );
    this.tellPlayers(session.appID, streamID, record.audio, record.video);
    // The nodes this stream is piped to tell their own players.
    for (const nodeID of this.pipes.nodesPiping(streamKeyOf(session.appID, streamID))) {
      void quietly(
        this.o.logger,
        this.o.sender.send(nodeID, {
          kind: 'streamMediaState',
          appID: session.appID,
          streamID,
          audio: record.audio,
          video: record.video,
        }),
      );
    }
  }

  unpublish(session: Session, streamID: string): void {
    const streams = spaceOf(this.o.spaces, session).streams;
    streams.remove([streams.owned(session, streamID)], StreamDeleteReason.StoppedPublishing);
  }

  async setExtraInfo(session: Session, streamID: string, extraInfo: string): Promise<void> {
    spaceOf(this.o.spaces, session).streams.setExtraInfo(session, streamID, extraInfo);
    await inCluster(this.o.state.updateStream(session.appID, streamID, session.id, { extraInfo }));
  }

  /** Answers another node's request for a media pipe of a stream published here. */
  handlePipeRequest(from: string, body: unknown): Promise<unknown> {
    return this.pipes.handleOpen(from, body);
  }

  /** A stream's publisher (here or on the node it is piped from) muted or unmuted a track: its players here are told. */
  tellPlayers(appID: number, streamID: string, audio: MediaTrackState, video: MediaTrackState): void {
    const json = encodeEvent({ type: 'streamMediaState', streamID, audio, video });
    for (const player of this.media.sessionsPlaying(appID, streamID)) player.push(json);
  }

  /** Closes every player transport of a session that ended. */
  endSession(session: Session): void {
    this.media.endSession(session);
  }

  /** Closes the pipes from other nodes and stops reopening them. */
  close(): void {
    this.pipes.close();
  }

  /** Streams left the registry: their media is released and their shared entries removed (with the room told). */
  private removed(records: StreamRecord[], reason: StreamDeleteReasonCode): void {
    for (const r of records) this.media.unpublish(r);
    const first = records[0];
    if (!first) return;
    const { session } = first;
    // Only announced streams were ever created for the callbacks' receiver, so only they are closed; and only
    // those this removal took from the shared state, so a stream a reaper removed already is not closed twice.
    const announced = records.filter((r) => r.announced).map(callbackStreamOf);
    void quietly(
      this.o.logger,
      this.o.state
        .removeStreams(
          session.appID,
          first.room.roomID,
          records.map((r) => r.streamID),
          session.id,
          reason,
        )
        .then((removed) => {
          // A stream this removal did not find was taken over by a new session of the same user (claimStream
          // removes the old entry without telling anyone's callbacks) or, only if this node was reaped, removed
          // by its reaper. A removal because of a repeat login is the first case: this node, whose stream it
          // was, closes it.
          const takenOver = reason === StreamDeleteReason.RepeatLogin;
          const closed = announced.filter((s) => takenOver || removed.includes(s.streamID));
          if (closed.length > 0) this.o.callbacks?.streamsClosed(session.appID, closed, reason);
        }),
    );
  }
}

function callbackStreamOf(record: StreamRecord): CallbackStream {
  return {
    streamID: record.streamID,
    roomID: record.room.roomID,
    userID: record.session.user.userID,
    userName: record.session.user.userName,
    extraInfo: record.extraInfo,
  };
}
