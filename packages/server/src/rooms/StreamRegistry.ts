/**
 * The streams of one AppID: streamIDs are unique in the AppID, each owned by one session and shown in one room.
 */
import { ErrorCode, ParleyError, type StreamDeleteReasonCode } from '@parley/protocol';
import type { Membership, Session } from './Session.js';
import { type StreamRecord, wireStream } from './StreamRecord.js';

export class StreamRegistry {
  private readonly byID = new Map<string, StreamRecord>();

  get size(): number {
    return this.byID.size;
  }

  get(streamID: string): StreamRecord | undefined {
    return this.byID.get(streamID);
  }

  /** Registers a stream for `membership`'s session in its room and announces it to the others. */
  publish(membership: Membership, streamID: string, extraInfo: string, nowSeconds: number): void {
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
      return; // Publishing again what this session already publishes changes nothing.
    }
    const record: StreamRecord = { streamID, room, session, extraInfo };
    this.byID.set(streamID, record);
    session.streams.set(streamID, record);
    room.streams.set(streamID, record);
    room.pushToOthers(session, {
      type: 'streamUpdate',
      roomID: room.roomID,
      updateType: 'ADD',
      streams: [wireStream(record)],
    });
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
    record.room.pushToOthers(session, {
      type: 'streamExtraInfoUpdate',
      roomID: record.room.roomID,
      streams: [wireStream(record)],
    });
  }

  /** Deletes streams (all of one room) and announces them in one DELETE with their reason. */
  remove(records: StreamRecord[], reason: StreamDeleteReasonCode): void {
    if (records.length === 0) return;
    const room = records[0]!.room;
    for (const r of records) {
      this.byID.delete(r.streamID);
      r.session.streams.delete(r.streamID);
      room.streams.delete(r.streamID);
    }
    room.pushToOthers(records[0]!.session, {
      type: 'streamUpdate',
      roomID: room.roomID,
      updateType: 'DELETE',
      streams: records.map(wireStream),
      reasons: records.map((r) => ({ stream_id: r.streamID, code: reason })),
    });
  }

  /** Deletes every stream `session` publishes in `roomID`. */
  removeSessionStreamsInRoom(session: Session, roomID: string, reason: StreamDeleteReasonCode): void {
    const records = [...session.streams.values()].filter((r) => r.room.roomID === roomID);
    this.remove(records, reason);
  }
}
