import type { MediaTrackState, WireStream } from '@parley/protocol';
import type { StreamEntry } from '../cluster/SharedState.js';
import type { Room } from './Room.js';
import type { Session } from './Session.js';

/**
 * A stream registered by a publishing session, unique by streamID within its AppID.
 * - `media` 'none': signaling only (no media through this server); announced at once.
 * - `media` 'sfu': its media comes through the SFU; announced to the room when the first packet arrives.
 */
export interface StreamRecord {
  readonly streamID: string;
  readonly room: Room;
  readonly session: Session;
  extraInfo: string;
  readonly media: 'none' | 'sfu';
  /** The room has been told (ADD); only announced streams are ever DELETEd to the room. */
  announced: boolean;
  audio: MediaTrackState;
  video: MediaTrackState;
}

export function wireStream(s: StreamRecord): WireStream {
  return { streamID: s.streamID, user: s.session.user, extraInfo: s.extraInfo };
}

/** A stream as the cluster's shared state holds it. */
export function entryOf(record: StreamRecord, nodeID: string): StreamEntry {
  return {
    streamID: record.streamID,
    roomID: record.room.roomID,
    userID: record.session.user.userID,
    userName: record.session.user.userName,
    nodeID,
    sessionID: record.session.id,
    extraInfo: record.extraInfo,
    media: record.media,
    announced: record.announced,
    audio: record.audio,
    video: record.video,
  };
}
