/**
 * The streams this engine publishes: registers them with the server, negotiates their media connection
 * (offer in `publish`, answer in its reply), and reports each one's publisher state — PUBLISH_REQUESTING,
 * PUBLISHING, back to PUBLISH_REQUESTING while a broken connection is retried, NO_PUBLISH with the error code.
 */
import { checkStreamExtraInfo, checkStreamId, ErrorCode, ParleyError } from '@parley/protocol';
import type { CallResult, PublisherHost } from './coreTypes.js';
import { guarded } from './guarded.js';
import type { EngineLogger } from './Logger.js';
import type { MediaBackend, PublishConnection, VideoCodecName } from './MediaBackend.js';
import { isRetryable, type MediaTiming, RetrySchedule, whenConnected } from './mediaRetry.js';

/** A stream of ours, from the publish request until it stops. */
interface LocalStream {
  readonly streamID: string;
  readonly roomID: string;
  extraInfo: string;
  readonly source: unknown;
  readonly videoCodec: VideoCodecName | undefined;
  state: 'requesting' | 'publishing';
  /** The server knows the stream (a publish request went out): stopping it must tell the server. */
  registered: boolean;
  conn: PublishConnection | null;
  retryTimer: ReturnType<typeof setTimeout> | null;
  readonly schedule: RetrySchedule;
  /** The code that made the stream retry (carried by PUBLISH_REQUESTING and the final NO_PUBLISH). */
  lastError: number;
  /** Counts the stream's restarts; an attempt of an earlier one gives up at its next step. */
  generation: number;
}

/** An attempt waiting for the server to see its media. */
interface FlowWaiter {
  resolve(): void;
  /** Drops the wait (the attempt was superseded or the stream stopped); the attempt's promise stays pending. */
  cancel(): void;
}

export interface PublishOptions {
  roomID?: string | undefined;
  extraInfo?: string | undefined;
  /** The face's media source (handed to the media backend; opaque here). */
  source?: unknown;
  /** The video codec to prefer; the backend's default (VP8) when absent. */
  videoCodec?: VideoCodecName | undefined;
}

/** The Express code carried by `err`, or 1100001 for an error without one. */
export function codeOf(err: unknown): number {
  if (err instanceof ParleyError) return err.code;
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'number' && code > 0 ? code : ErrorCode.INPUT_PARAMETER;
}

export class Publisher {
  private readonly streams = new Map<string, LocalStream>();
  /** Attempts waiting for the server to see their media, by streamID. */
  private readonly flowWaiters = new Map<string, FlowWaiter>();

  constructor(
    private readonly host: PublisherHost,
    private readonly media: MediaBackend | null,
    private readonly timing: MediaTiming,
    private readonly log: EngineLogger,
  ) {}

  /** The IDs of the streams being published (or requested). */
  get streamIDs(): string[] {
    return [...this.streams.keys()];
  }

  has(streamID: string): boolean {
    return this.streams.has(streamID);
  }

  /** The live media connection of each stream that has one (for quality reports). */
  connections(): [streamID: string, conn: PublishConnection][] {
    const out: [string, PublishConnection][] = [];
    for (const s of this.streams.values())
      if (s.state === 'publishing' && s.conn) out.push([s.streamID, s.conn]);
    return out;
  }

  /**
   * Starts publishing. Returns 0 if the request is on its way (the outcome comes as publisher states), else
   * the code of the local check that failed — reported as NO_PUBLISH too.
   */
  publish(streamID: string, options: PublishOptions): number {
    const extraInfo = options.extraInfo ?? '';
    let code = checkStreamId(streamID);
    if (code === 0) code = checkStreamExtraInfo(extraInfo);
    const codec = options.videoCodec;
    if (code === 0 && codec !== undefined && codec !== 'VP8' && codec !== 'H264')
      code = ErrorCode.INPUT_PARAMETER;
    if (code === 0 && this.media) code = this.media.checkSource(options.source);
    const target = code === 0 ? this.host.roomFor(options.roomID) : code;
    if (typeof target === 'number') {
      this.host.publisherState(
        typeof streamID === 'string' ? streamID : String(streamID),
        'NO_PUBLISH',
        target,
        '',
      );
      return target;
    }
    const existing = this.streams.get(streamID);
    if (existing) {
      // Publishing again what is already published changes nothing (the server agrees); another room is a clash.
      return existing.roomID === target.roomID ? 0 : ErrorCode.STREAM_ID_DUPLICATE;
    }
    const local: LocalStream = {
      streamID,
      roomID: target.roomID,
      extraInfo,
      source: options.source,
      videoCodec: options.videoCodec,
      state: 'requesting',
      registered: false,
      conn: null,
      retryTimer: null,
      schedule: new RetrySchedule(this.timing.retryPolicy, this.log),
      lastError: 0,
      generation: 0,
    };
    this.streams.set(streamID, local);
    this.host.publisherState(streamID, 'PUBLISH_REQUESTING', 0, '');
    this.launch(local);
    return 0;
  }

  /** Stops a stream; returns 0, or 1004002 if this engine does not publish it. */
  unpublish(streamID: string): number {
    const local = this.streams.get(streamID);
    if (!local) return ErrorCode.STREAM_NOT_FOUND;
    const registered = local.registered;
    this.stop(local, 0);
    if (!registered) return 0;
    this.host.send('unpublish', { streamID }).catch((err: unknown) => {
      const code = codeOf(err);
      // A stream stopped before the server took it may be unknown there: nothing to undo then.
      if (code === ErrorCode.STREAM_NOT_FOUND) return;
      this.host.debugError(code, 'stopPublishingStream', String(err));
    });
    return 0;
  }

  /** Changes the extra info of one of our streams. Resolves with the error code, never rejects. */
  async setExtraInfo(streamID: string, extraInfo: string): Promise<CallResult> {
    let code = checkStreamId(streamID);
    if (code === 0) code = checkStreamExtraInfo(extraInfo);
    if (code === 0 && !this.streams.has(streamID)) code = ErrorCode.STREAM_NOT_FOUND;
    if (code !== 0) return { errorCode: code, extendedData: '' };
    try {
      await this.host.send('setStreamExtraInfo', { streamID, extraInfo });
      const local = this.streams.get(streamID);
      if (local) local.extraInfo = extraInfo;
      return { errorCode: 0, extendedData: '' };
    } catch (err) {
      return { errorCode: codeOf(err), extendedData: '' };
    }
  }

  /** The tracks of `source` were muted or unmuted: tells the players of every stream it feeds. */
  sourceStateChanged(source: unknown): void {
    if (!this.media) return;
    const { audio, video } = this.media.trackStates(source);
    for (const local of this.streams.values()) {
      if (local.source !== source || !local.registered) continue;
      this.host
        .send('streamMediaState', {
          streamID: local.streamID,
          audio: audio ? 'OPEN' : 'MUTE',
          video: video ? 'OPEN' : 'MUTE',
        })
        .catch((err: unknown) => this.host.debugError(codeOf(err), 'mutePublishStream', String(err)));
    }
  }

  /** The server received the first media of a stream of ours (on its current connection). */
  mediaFlowing(streamID: string): void {
    const waiter = this.flowWaiters.get(streamID);
    this.flowWaiters.delete(streamID);
    waiter?.resolve();
  }

  /** Resolves when the server reports media of `streamID` flowing; rejects (retryable) after `timeoutMs`. */
  private whenFlowing(streamID: string, timeoutMs: number): Promise<void> {
    this.dropFlowWaiter(streamID);
    return new Promise((resolve, reject) => {
      const noMedia = ParleyError.of(ErrorCode.PUBLISH_NEGOTIATION_TIMEOUT, 'the server received no media');
      const timer = setTimeout(
        guarded(
          this.log,
          `the media wait of ${streamID}`,
          () => {
            if (this.flowWaiters.get(streamID) === waiter) this.flowWaiters.delete(streamID);
            reject(noMedia);
          },
          () => reject(noMedia),
        ),
        timeoutMs,
      );
      const waiter: FlowWaiter = {
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
        cancel: () => clearTimeout(timer),
      };
      this.flowWaiters.set(streamID, waiter);
    });
  }

  private dropFlowWaiter(streamID: string): void {
    this.flowWaiters.get(streamID)?.cancel();
    this.flowWaiters.delete(streamID);
  }

  /**
   * The server lost the session of `roomID` (it restarted, or kept the session past its grace period): every
   * stream of the room is published again from scratch, on a new media connection. A stream that was
   * PUBLISHING goes back to PUBLISH_REQUESTING with `code`; the new attempts wait for the room's new login.
   */
  restartRoom(roomID: string, code: number): void {
    for (const local of this.streams.values()) {
      if (local.roomID !== roomID) continue;
      local.generation++;
      if (local.retryTimer) clearTimeout(local.retryTimer);
      local.retryTimer = null;
      this.closeConnection(local);
      this.dropFlowWaiter(local.streamID);
      // The new server knows nothing of the stream until the next publish request.
      local.registered = false;
      local.schedule.reset();
      local.lastError = code;
      if (local.state === 'publishing') {
        local.state = 'requesting';
        this.host.publisherState(local.streamID, 'PUBLISH_REQUESTING', code, '');
      }
      this.launch(local);
    }
  }

  /** The server stopped one of our streams (it was forbidden): NO_PUBLISH with `code`; nothing to tell it. */
  stoppedByServer(streamID: string, code: number): void {
    const local = this.streams.get(streamID);
    if (local) this.stop(local, code);
  }

  /** Stops every stream of `roomID` (the room ended locally: logout, kickout, failed reconnect). */
  stopRoom(roomID: string, errorCode: number): void {
    for (const local of [...this.streams.values()]) if (local.roomID === roomID) this.stop(local, errorCode);
  }

  /** Stops every stream without telling the server (the engine is going away). */
  stopAll(errorCode: number): void {
    for (const local of [...this.streams.values()]) this.stop(local, errorCode);
  }

  private current(local: LocalStream): boolean {
    return this.streams.get(local.streamID) === local;
  }

  /**
   * Starts an attempt, from a call or a timer. The attempt handles its own failures (retry, or NO_PUBLISH with
   * their code); what still escapes it — a backend or policy that throws where nothing expects it — is logged
   * and ends the stream with NO_PUBLISH and the error's code (1100001 for an error without one), instead of
   * becoming an unhandled rejection.
   */
  private launch(local: LocalStream): void {
    const generation = local.generation;
    guarded(
      this.log,
      `a publish attempt of ${local.streamID}`,
      () => this.attempt(local),
      (error) => this.attemptThrew(local, generation, error),
    )();
  }

  private attemptThrew(local: LocalStream, generation: number, error: Error): void {
    if (!this.current(local) || local.generation !== generation) return;
    const registered = local.registered;
    this.stop(local, codeOf(error));
    if (registered) this.host.send('unpublish', { streamID: local.streamID }).catch(() => {});
  }

  /** Closes the stream's media connection; a backend whose close() throws is logged, the stream goes on. */
  private closeConnection(local: LocalStream): void {
    const conn = local.conn;
    local.conn = null;
    if (conn) guarded(this.log, `closing the media connection of ${local.streamID}`, () => conn.close())();
  }

  /** One try at getting the stream's media up (or, without a backend, at registering it). */
  private async attempt(local: LocalStream): Promise<void> {
    local.retryTimer = null;
    const media = this.media;
    const generation = local.generation;
    // False once the stream stopped or restarted: this attempt is then no longer the stream's.
    const live = (): boolean => this.current(local) && local.generation === generation;
    let conn: PublishConnection | null = null;
    try {
      if (!media) {
        local.registered = true;
        await this.host.send('publish', {
          roomID: local.roomID,
          streamID: local.streamID,
          extraInfo: local.extraInfo,
        });
        if (live()) this.becomePublishing(local);
        return;
      }
      const context = await this.host.mediaContext();
      if (!live()) return;
      conn = media.createPublishConnection({
        streamID: local.streamID,
        source: local.source,
        videoCodec: local.videoCodec,
        ...context,
      });
      local.conn = conn;
      this.host.connectionMade(conn, context);
      const offer = await conn.createOffer();
      if (!live() || local.conn !== conn) return;
      const tracks = media.trackStates(local.source);
      local.registered = true;
      const reply = await this.host.send('publish', {
        roomID: local.roomID,
        streamID: local.streamID,
        extraInfo: local.extraInfo,
        sdp: offer,
        audio: tracks.audio ? 'OPEN' : 'MUTE',
        video: tracks.video ? 'OPEN' : 'MUTE',
      });
      if (!live() || local.conn !== conn) return;
      if (!reply.sdp)
        throw ParleyError.of(ErrorCode.PUBLISH_NEGOTIATION_TIMEOUT, 'the server sent no answer');
      const connected = whenConnected(
        conn,
        this.timing.connectTimeoutMs,
        ErrorCode.PUBLISH_NEGOTIATION_TIMEOUT,
        this.log,
      );
      // PUBLISHING means the others can see the stream: the server announces it when its media arrives.
      const flowing = this.whenFlowing(local.streamID, this.timing.connectTimeoutMs);
      // Both awaited below; if setAnswer throws first, their rejections are not lost. A connection that never
      // connected tells the path ladder, which may send the retry through TURN.
      const attempted = conn;
      connected.catch(
        guarded(this.log, 'the path ladder', () => {
          if (live() && local.conn === attempted) this.host.connectFailed(context, local.streamID);
        }),
      );
      flowing.catch(() => {});
      await conn.setAnswer(reply.sdp);
      await connected;
      await flowing;
      if (!live() || local.conn !== conn) return;
      const up = conn;
      up.once(
        'failed',
        guarded(
          this.log,
          `the failure handler of ${local.streamID}`,
          (reason: string) => {
            if (live() && local.conn === up) this.retry(local, ErrorCode.PUBLISH_NEGOTIATION_TIMEOUT, reason);
          },
          (error) => this.attemptThrew(local, generation, error),
        ),
      );
      this.host.connectionLive(up);
      this.becomePublishing(local);
    } catch (err) {
      if (!live() || (conn && local.conn !== conn)) return;
      const code = codeOf(err);
      if (media && isRetryable(code)) {
        this.retry(local, code, String(err));
        return;
      }
      const registered = local.registered;
      this.stop(local, code);
      // The server took the stream but it cannot be published: take it back, so others see no dead stream.
      if (registered) this.host.send('unpublish', { streamID: local.streamID }).catch(() => {});
    }
  }

  private becomePublishing(local: LocalStream): void {
    local.state = 'publishing';
    local.schedule.reset();
    local.lastError = 0;
    this.host.publisherState(local.streamID, 'PUBLISHING', 0, '');
  }

  /** The connection failed: back to PUBLISH_REQUESTING and a new attempt later, or NO_PUBLISH 1103051. */
  private retry(local: LocalStream, code: number, why: string): void {
    this.closeConnection(local);
    local.lastError = code;
    const delay = local.schedule.nextDelay();
    if (delay === null) {
      this.stop(local, ErrorCode.PUBLISH_RETRY_TIMEOUT);
      this.host.send('unpublish', { streamID: local.streamID }).catch(() => {});
      return;
    }
    if (local.state === 'publishing') {
      local.state = 'requesting';
      this.host.publisherState(local.streamID, 'PUBLISH_REQUESTING', code, '');
    }
    this.host.debugError(code, 'startPublishingStream', `retrying in ${delay} ms: ${why}`);
    local.retryTimer = setTimeout(() => this.launch(local), delay);
  }

  private stop(local: LocalStream, errorCode: number): void {
    this.streams.delete(local.streamID);
    this.dropFlowWaiter(local.streamID);
    if (local.retryTimer) clearTimeout(local.retryTimer);
    local.retryTimer = null;
    this.closeConnection(local);
    this.host.publisherState(local.streamID, 'NO_PUBLISH', errorCode, '');
  }
}
