/**
 * The streams this engine publishes: registers them with the server, hands them to the media backend, and
 * reports each one's publisher state (PUBLISH_REQUESTING → PUBLISHING, or NO_PUBLISH with the error code).
 */
import { checkStreamExtraInfo, checkStreamId, ErrorCode, ParleyError } from '@parley/protocol';
import type { CallResult, PublisherHost } from './coreTypes.js';
import type { MediaBackend } from './MediaBackend.js';

/** A stream of ours, from the publish request until it stops. */
interface LocalStream {
  readonly streamID: string;
  readonly roomID: string;
  extraInfo: string;
  readonly source: unknown;
  state: 'requesting' | 'publishing';
  mediaStarted: boolean;
}

export interface PublishOptions {
  roomID?: string | undefined;
  extraInfo?: string | undefined;
  /** The face's media source (kept for the media backend; opaque here). */
  source?: unknown;
}

/** The Express code carried by `err`, or 1100001 for an error without one. */
export function codeOf(err: unknown): number {
  if (err instanceof ParleyError) return err.code;
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'number' && code > 0 ? code : ErrorCode.INPUT_PARAMETER;
}

export class Publisher {
  private readonly streams = new Map<string, LocalStream>();

  constructor(
    private readonly host: PublisherHost,
    private readonly media: MediaBackend | null,
  ) {}

  /** The IDs of the streams being published (or requested). */
  get streamIDs(): string[] {
    return [...this.streams.keys()];
  }

  has(streamID: string): boolean {
    return this.streams.has(streamID);
  }

  /**
   * Starts publishing. Returns 0 if the request is on its way (the outcome comes as publisher states), else
   * the code of the local check that failed — reported as NO_PUBLISH too.
   */
  publish(streamID: string, options: PublishOptions): number {
    const extraInfo = options.extraInfo ?? '';
    let code = checkStreamId(streamID);
    if (code === 0) code = checkStreamExtraInfo(extraInfo);
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
      state: 'requesting',
      mediaStarted: false,
    };
    this.streams.set(streamID, local);
    this.host.publisherState(streamID, 'PUBLISH_REQUESTING', 0, '');
    void this.run(local);
    return 0;
  }

  /** Stops a stream; returns 0, or 1004002 if this engine does not publish it. */
  unpublish(streamID: string): number {
    const local = this.streams.get(streamID);
    if (!local) return ErrorCode.STREAM_NOT_FOUND;
    const wasRequesting = local.state === 'requesting';
    this.stop(local, 0);
    this.host.send('unpublish', { streamID }).catch((err: unknown) => {
      const code = codeOf(err);
      // A stream stopped before the server took it may be unknown there: nothing to undo then.
      if (wasRequesting && code === ErrorCode.STREAM_NOT_FOUND) return;
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

  /** Stops every stream of `roomID` (the room ended locally: logout, kickout, failed reconnect). */
  stopRoom(roomID: string, errorCode: number): void {
    for (const local of [...this.streams.values()]) if (local.roomID === roomID) this.stop(local, errorCode);
  }

  /** Stops every stream without telling the server (the engine is going away). */
  stopAll(errorCode: number): void {
    for (const local of [...this.streams.values()]) this.stop(local, errorCode);
  }

  private async run(local: LocalStream): Promise<void> {
    const current = (): boolean => this.streams.get(local.streamID) === local;
    try {
      await this.host.send('publish', {
        roomID: local.roomID,
        streamID: local.streamID,
        extraInfo: local.extraInfo,
      });
      if (!current()) return;
      if (this.media) {
        local.mediaStarted = true;
        await this.media.startPublishing({
          streamID: local.streamID,
          roomID: local.roomID,
          source: local.source,
        });
        if (!current()) return;
      }
      local.state = 'publishing';
      this.host.publisherState(local.streamID, 'PUBLISHING', 0, '');
    } catch (err) {
      if (!current()) return;
      const registered = local.mediaStarted;
      this.stop(local, codeOf(err));
      // The server took the stream but media failed: take it back, so others do not see a dead stream.
      if (registered) this.host.send('unpublish', { streamID: local.streamID }).catch(() => {});
    }
  }

  private stop(local: LocalStream, errorCode: number): void {
    this.streams.delete(local.streamID);
    if (local.mediaStarted) this.media?.stopPublishing(local.streamID);
    this.host.publisherState(local.streamID, 'NO_PUBLISH', errorCode, '');
  }
}
