/**
 * The streams of one AppID: streamIDs are unique in the AppID, each owned by one session and shown in one room.
 */
import { ErrorCode, type MediaTrackState, ParleyError, type StreamDeleteReasonCode } from '@parley/protocol';
import type { Membership, Session } from './Session.js';
import { type StreamRecord, wireStream } from './StreamRecord.js';

/** How a stream is registered (see {@link StreamRecord}). */
export interface StreamMediaOptions {
  media: 'none' | 'sfu';
  audio: MediaTrackState;
  video: MediaTrackState;
  /** Streams one session may publish at once. */
  maxPerSession: number;
}

export class StreamRegistry {
  private readonly byID = new Map<string, StreamRecord>();
  /** Called with the streams (of one room) that left the registry, to release their media and shared entries. */
  onRemove: (records: StreamRecord[], reason: StreamDeleteReasonCode) => void = () => {};

  get size(): number {
    return this.byID.size;
  }

  get(streamID: string): StreamRecord | undefined {
    return this.byID.get(streamID);
  }

  /**
   * Registers a stream for `membership`'s session in its room, or returns the one it already publishes there.
   * Nobody is told yet: the caller claims the streamID in the cluster first, then {@link announce}s it.
   */
  publish(
    membership: Membership,
    streamID: string,
    extraInfo: string,
    nowSeconds: number,
    options: StreamMediaOptions,
  ): StreamRecord {
    const { session, room, grant } = membership;
    if (!grant.canPublish) throw ParleyError.of(ErrorCode.TOKEN_NO_PUBLISH_PRIVILEGE);
    if (grant.streamIdList !== null && !grant.streamIdList.includes(streamID)) {
      throw ParleyError.of(ErrorCode.PUBLISH_AUTH_FAILED, `the token does not list stream ${streamID}`);
    }
    if (grant.expire !== null && grant.expire <= nowSeconds) throw ParleyError.of(ErrorCode.TOKEN_EXPIRED);
    const existing = this.byID.get(streamID);
    if (existing) {
      if (existing.session !== session) throw ParleyError.of(ErrorCode.STREAM_ID_DUPLICATE);
      if (existing.room !== room) {
        throw ParleyError.of(
          ErrorCode.STREAM_ID_DUPLICATE,
          `already published in room ${existing.room.roomID}`,
        );
      }
      if (existing.media !== options.media) {
        throw ParleyError.of(ErrorCode.INPUT_PARAMETER, 'a stream cannot change between media and none');
      }
      return existing; // Publishing again what this session already publishes: a media restart at most.
    }
    if (session.streams.size >= options.maxPerSession) throw ParleyError.of(ErrorCode.PUBLISH_STREAM_LIMIT);
    const record: StreamRecord = {
      streamID,
      room,
      session,
      extraInfo,
      media: options.media,
      announced: false,
      audio: options.audio,
      video: options.video,
    };
    this.byID.set(streamID, record);
    session.streams.set(streamID, record);
    room.streams.set(streamID, record);
    return record;
  }

  /** Tells the room about a registered stream (once; no-op for a stream no longer registered). */
  announce(record: StreamRecord): void {
    if (record.announced || this.byID.get(record.streamID) !== record) return;
    record.announced = true;
    record.room.pushToOthers(record.session, {
      type: 'streamUpdate',
      roomID: record.room.roomID,
      updateType: 'ADD',
      streams: [wireStream(record)],
    });
  }

  /** Forgets a stream nobody was told of (its claim in the cluster failed). */
  forget(record: StreamRecord): void {
    if (!this.isCurrent(record) || record.announced) return;
    this.byID.delete(record.streamID);
    record.session.streams.delete(record.streamID);
    record.room.streams.delete(record.streamID);
  }

  /** True while `record` is the registered stream of its streamID. */
  isCurrent(record: StreamRecord): boolean {
    return this.byID.get(record.streamID) === record;
  }

  /** The session's own stream, or 1004002. */
  owned(session: Session, streamID: string): StreamRecord {
    const record = session.streams.get(streamID);
    if (!record) throw ParleyError.of(ErrorCode.STREAM_NOT_FOUND, streamID);
    return record;
  }

  setExtraInfo(session: Session, streamID: string, extraInfo: string): void {
    const record = this.owned(session, streamID);
    record.extraInfo = extraInfo;
    if (!record.announced) return;
    record.room.pushToOthers(session, {
      type: 'streamExtraInfoUpdate',
      roomID: record.room.roomID,
      streams: [wireStream(record)],
    });
  }

  /** Deletes streams (all of one room) and announces the announced ones in one DELETE with their reason. */
  remove(records: StreamRecord[], reason: StreamDeleteReasonCode): void {
    if (records.length === 0) return;
    const room = records[0]!.room;
    for (const r of records) {
      this.byID.delete(r.streamID);
      r.session.streams.delete(r.streamID);
      room.streams.delete(r.streamID);
    }
    this.onRemove(records, reason);
    const announced = records.filter((r) => r.announced);
    if (announced.length === 0) return;
    room.pushToOthers(records[0]!.session, {
      type: 'streamUpdate',
      roomID: room.roomID,
      updateType: 'DELETE',
      streams: announced.map(wireStream),
      reasons: announced.map((r) => ({ stream_id: r.streamID, code: reason })),
    });
  }

  /** Deletes every stream `session` publishes in `roomID`. */
  removeSessionStreamsInRoom(session: Session, roomID: string, reason: StreamDeleteReasonCode): void {
    const records = [...session.streams.values()].filter((r) => r.room.roomID === roomID);
    this.remove(records, reason);
  }
}
