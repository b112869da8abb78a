/**
 * The streams this engine plays: asks the server for each one's offer, answers it through the media backend,
 * and reports player states — PLAY_REQUESTING, PLAYING, back to PLAY_REQUESTING while a broken connection (or a
 * stream that is not published yet) is retried, NO_PLAY with the error code — plus first frames, media breaks
 * and the publisher's mute states.
 */
import { checkStreamId, ErrorCode, ParleyError } from '@parley/protocol';
import type { PlayerHost } from './coreTypes.js';
import { guarded } from './guarded.js';
import type { EngineLogger } from './Logger.js';
import type { MediaBackend, MediaKind, PlayConnection } from './MediaBackend.js';
import { isRetryable, type MediaTiming, RetrySchedule, whenConnected } from './mediaRetry.js';
import { codeOf } from './Publisher.js';

export interface PlayOptions {
  roomID?: string | undefined;
  /** Receive audio (default true). */
  audio?: boolean | undefined;
  /** Receive video (default true). */
  video?: boolean | undefined;
}

interface LocalPlay {
  readonly streamID: string;
  readonly roomID: string;
  readonly output: unknown;
  readonly audio: boolean;
  readonly video: boolean;
  state: 'requesting' | 'playing';
  /** The server may hold a player transport for us: stopping must tell it. */
  registered: boolean;
  conn: PlayConnection | null;
  retryTimer: ReturnType<typeof setTimeout> | null;
  readonly schedule: RetrySchedule;
  /** Every failure so far was "stream not found" (the give-up code is then 1104039, not 1104031). */
  onlyNotFound: boolean;
  firstVideoFrame: boolean;
  /** The publisher's mute states as last reported. */
  remote: { audio: 'OPEN' | 'MUTE' | null; video: 'OPEN' | 'MUTE' | null };
  /** Callers waiting for PLAYING (the web face's promise). */
  waiters: { resolve: () => void; reject: (err: ParleyError) => void }[];
  /** Counts the play's restarts; an attempt of an earlier one gives up at its next step. */
  generation: number;
  /** The stream was announced while an attempt was under way: if that attempt fails, retry at once. */
  announcedMeanwhile: boolean;
}

/** What `play` gives back. */
export interface PlayStart<Output = unknown> {
  /** 0, or the code of the local check that failed (also reported as NO_PLAY). */
  code: number;
  /** The backend's output for the stream (a MediaStream, a frame sink); null when `code` is not 0. */
  output: Output | null;
  /** Resolves when PLAYING, rejects with the NO_PLAY error. */
  playing: Promise<void>;
}

export class Player {
  private readonly plays = new Map<string, LocalPlay>();

  constructor(
    private readonly host: PlayerHost,
    private readonly media: MediaBackend | null,
    private readonly timing: MediaTiming,
    private readonly log: EngineLogger,
  ) {}

  get streamIDs(): string[] {
    return [...this.plays.keys()];
  }

  /** The live media connection of each playing stream (for quality reports). */
  connections(): [streamID: string, conn: PlayConnection][] {
    const out: [string, PlayConnection][] = [];
    for (const p of this.plays.values()) if (p.state === 'playing' && p.conn) out.push([p.streamID, p.conn]);
    return out;
  }

  /** Starts playing `streamID` (again: returns the running play's output). */
  play(streamID: string, options: PlayOptions = {}): PlayStart {
    const existing = this.plays.get(streamID);
    if (existing) return { code: 0, output: existing.output, playing: this.waitPlaying(existing) };
    let code = checkStreamId(streamID);
    if (code === 0 && !this.media) code = ErrorCode.INPUT_PARAMETER;
    const target = code === 0 ? this.host.roomFor(options.roomID) : code;
    if (typeof target === 'number') {
      this.host.playerState(String(streamID), 'NO_PLAY', target, '');
      const playing = Promise.reject(
        ParleyError.of(target, this.media ? '' : 'this engine has no media backend'),
      );
      playing.catch(() => {});
      return { code: target, output: null, playing };
    }
    const media = this.media!;
    const local: LocalPlay = {
      streamID,
      roomID: target.roomID,
      output: media.createOutput(streamID),
      audio: options.audio !== false,
      video: options.video !== false,
      state: 'requesting',
      registered: false,
      conn: null,
      retryTimer: null,
      schedule: new RetrySchedule(this.timing.retryPolicy, this.log),
      onlyNotFound: true,
      firstVideoFrame: false,
      remote: { audio: null, video: null },
      waiters: [],
      generation: 0,
      announcedMeanwhile: false,
    };
    this.plays.set(streamID, local);
    const playing = this.waitPlaying(local);
    this.host.playerState(streamID, 'PLAY_REQUESTING', 0, '');
    this.launch(local);
    return { code: 0, output: local.output, playing };
  }

  /** Stops playing; returns 0, or 1104039 if this engine does not play `streamID`. */
  stopPlay(streamID: string): number {
    const local = this.plays.get(streamID);
    if (!local) return ErrorCode.PLAY_STREAM_NOT_FOUND;
    this.stop(local, 0, true);
    return 0;
  }

  /** The publisher of a stream we play muted or unmuted a track. */
  remoteMediaState(streamID: string, audio: 'OPEN' | 'MUTE', video: 'OPEN' | 'MUTE'): void {
    const local = this.plays.get(streamID);
    if (local) this.updateRemote(local, audio, video);
  }

  /**
   * The server lost the session of `roomID` (it restarted, or kept the session past its grace period): every
   * play of the room starts again from scratch, on a new media connection. A play that was PLAYING goes back to
   * PLAY_REQUESTING with `code`; the new attempts wait for the room's new login.
   */
  restartRoom(roomID: string, code: number): void {
    for (const local of this.plays.values()) {
      if (local.roomID !== roomID) continue;
      local.generation++;
      if (local.retryTimer) clearTimeout(local.retryTimer);
      local.retryTimer = null;
      this.closeConnection(local);
      // The new server holds no player transport for us until the next play request.
      local.registered = false;
      local.schedule.reset();
      local.onlyNotFound = true;
      // The first frame of the new connection is news again.
      local.firstVideoFrame = false;
      if (local.state === 'playing') {
        local.state = 'requesting';
        this.host.playerState(local.streamID, 'PLAY_REQUESTING', code, '');
      }
      this.launch(local);
    }
  }

  /**
   * A stream was announced in a room: a play of it that waits to retry (the stream was not there yet, or was
   * being published again) tries at once instead of at the end of its back-off.
   */
  streamAdded(streamID: string): void {
    const local = this.plays.get(streamID);
    if (!local || local.state === 'playing') return;
    if (!local.retryTimer) {
      local.announcedMeanwhile = true;
      return;
    }
    clearTimeout(local.retryTimer);
    local.retryTimer = null;
    this.launch(local);
  }

  /** The server stopped one of our plays (its stream was forbidden): NO_PLAY with `code`; nothing to tell it. */
  stoppedByServer(streamID: string, code: number): void {
    const local = this.plays.get(streamID);
    if (local) this.stop(local, code, false);
  }

  /** Stops every play of `roomID` (the room ended locally). */
  stopRoom(roomID: string, errorCode: number): void {
    for (const local of [...this.plays.values()])
      if (local.roomID === roomID) this.stop(local, errorCode, true);
  }

  /** Stops every play without telling the server (the engine is going away). */
  stopAll(errorCode: number): void {
    for (const local of [...this.plays.values()]) this.stop(local, errorCode, false);
  }

  private waitPlaying(local: LocalPlay): Promise<void> {
    if (local.state === 'playing') return Promise.resolve();
    return new Promise((resolve, reject) => local.waiters.push({ resolve, reject }));
  }

  private current(local: LocalPlay, conn?: PlayConnection | null): boolean {
    return this.plays.get(local.streamID) === local && (conn === undefined || local.conn === conn);
  }

  /**
   * Starts an attempt, from a call or a timer. The attempt handles its own failures (retry, or NO_PLAY with
   * their code); what still escapes it — a backend or policy that throws where nothing expects it — is logged
   * and ends the play with NO_PLAY and the error's code (1100001 for an error without one), instead of becoming
   * an unhandled rejection.
   */
  private launch(local: LocalPlay): void {
    const generation = local.generation;
    guarded(
      this.log,
      `a play attempt of ${local.streamID}`,
      () => this.attempt(local),
      (error) => this.attemptThrew(local, generation, error),
    )();
  }

  private attemptThrew(local: LocalPlay, generation: number, error: Error): void {
    if (this.current(local) && local.generation === generation) this.stop(local, codeOf(error), true);
  }

  /** Closes the play's media connection; a backend whose close() throws is logged, the play goes on. */
  private closeConnection(local: LocalPlay): void {
    const conn = local.conn;
    local.conn = null;
    if (conn) guarded(this.log, `closing the media connection of ${local.streamID}`, () => conn.close())();
  }

  private async attempt(local: LocalPlay): Promise<void> {
    local.retryTimer = null;
    local.announcedMeanwhile = false;
    const media = this.media!;
    const generation = local.generation;
    // False once the play stopped or restarted (or, given `conn`, moved to another connection).
    const live = (conn?: PlayConnection | null): boolean =>
      this.current(local, conn) && local.generation === generation;
    let conn: PlayConnection | null = null;
    try {
      const context = await this.host.mediaContext();
      if (!live()) return;
      local.registered = true;
      const offer = await this.host.send('play', { streamID: local.streamID });
      if (!live()) return;
      this.updateRemote(local, offer.audio, offer.video);
      conn = media.createPlayConnection({
        streamID: local.streamID,
        output: local.output,
        audio: local.audio,
        video: local.video,
        ...context,
      });
      local.conn = conn;
      this.host.connectionMade(conn, context);
      const connected = whenConnected(
        conn,
        this.timing.connectTimeoutMs,
        ErrorCode.PLAY_NEGOTIATION_FAILED,
        this.log,
      );
      // Awaited below. A connection that never connected tells the path ladder, which may send the retry
      // through TURN.
      const attempted = conn;
      connected.catch(
        guarded(this.log, 'the path ladder', () => {
          if (live(attempted)) this.host.connectFailed(context, local.streamID);
        }),
      );
      const answer = await conn.acceptOffer(offer.sdp);
      if (!live(conn)) return;
      await this.host.send('playAnswer', { streamID: local.streamID, sdp: answer });
      await connected;
      if (!live(conn)) return;
      this.watch(local, conn, generation);
      this.host.connectionLive(conn);
      local.state = 'playing';
      local.schedule.reset();
      local.onlyNotFound = false;
      this.host.playerState(local.streamID, 'PLAYING', 0, '');
      for (const w of local.waiters.splice(0)) w.resolve();
    } catch (err) {
      if (!live(conn ?? local.conn)) return;
      const code = codeOf(err);
      if (isRetryable(code)) {
        this.retry(local, code, err instanceof Error ? err.message : String(err));
        return;
      }
      this.stop(local, code, true);
    }
  }

  private watch(local: LocalPlay, conn: PlayConnection, generation: number): void {
    conn.on('firstFrame', (kind) => {
      if (kind !== 'video' || local.firstVideoFrame || !this.current(local, conn)) return;
      local.firstVideoFrame = true;
      this.host.playerFirstVideoFrame(local.streamID);
    });
    conn.on('mediaBreak', (kind: MediaKind, broken: boolean) => {
      if (this.current(local, conn)) this.host.playerMediaBreak(local.streamID, kind, broken);
    });
    conn.once(
      'failed',
      guarded(
        this.log,
        `the failure handler of ${local.streamID}`,
        (reason: string) => {
          if (this.current(local, conn)) this.retry(local, ErrorCode.PLAY_NEGOTIATION_FAILED, reason);
        },
        (error) => this.attemptThrew(local, generation, error),
      ),
    );
  }

  private updateRemote(local: LocalPlay, audio: 'OPEN' | 'MUTE', video: 'OPEN' | 'MUTE'): void {
    if (local.audio && local.remote.audio !== audio) {
      local.remote.audio = audio;
      this.host.remoteTrackState(local.streamID, 'audio', audio);
    }
    if (local.video && local.remote.video !== video) {
      local.remote.video = video;
      this.host.remoteTrackState(local.streamID, 'video', video);
    }
  }

  /** Back to PLAY_REQUESTING and a new attempt later, or NO_PLAY when the retry budget is spent. */
  private retry(local: LocalPlay, code: number, why: string): void {
    this.closeConnection(local);
    if (code !== ErrorCode.PLAY_STREAM_NOT_FOUND) local.onlyNotFound = false;
    let delay = local.schedule.nextDelay();
    // The stream was announced after this attempt asked for it: it is there now.
    if (delay !== null && local.announcedMeanwhile) delay = 0;
    if (delay === null) {
      this.stop(
        local,
        local.onlyNotFound ? ErrorCode.PLAY_STREAM_NOT_FOUND : ErrorCode.PLAY_RETRY_TIMEOUT,
        true,
      );
      return;
    }
    if (local.state === 'playing') {
      local.state = 'requesting';
      this.host.playerState(local.streamID, 'PLAY_REQUESTING', code, '');
    }
    this.host.debugError(code, 'startPlayingStream', `retrying in ${delay} ms: ${why}`);
    local.retryTimer = setTimeout(() => this.launch(local), delay);
  }

  private stop(local: LocalPlay, errorCode: number, tellServer: boolean): void {
    this.plays.delete(local.streamID);
    if (local.retryTimer) clearTimeout(local.retryTimer);
    local.retryTimer = null;
    this.closeConnection(local);
    const media = this.media;
    if (media)
      guarded(this.log, `closing the output of ${local.streamID}`, () => media.closeOutput(local.output))();
    if (tellServer && local.registered) {
      this.host.send('stopPlay', { streamID: local.streamID }).catch(() => {
        // Already gone on the server (never created, or the session ended): nothing to undo.
      });
    }
    this.host.playerState(local.streamID, 'NO_PLAY', errorCode, '');
    const error = ParleyError.of(
      errorCode === 0 ? ErrorCode.PLAY_STREAM_NOT_FOUND : errorCode,
      'play stopped',
    );
    for (const w of local.waiters.splice(0)) w.reject(error);
  }
}
