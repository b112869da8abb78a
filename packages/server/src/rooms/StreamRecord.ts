import type { WireStream } from '@parley/protocol';
import type { Room } from './Room.js';
import type { Session } from './Session.js';

/** A stream registered by a publishing session, unique by streamID within its AppID. */
export interface StreamRecord {
  readonly streamID: string;
  readonly room: Room;
  readonly session: Session;
  extraInfo: string;
}

export function wireStream(s: StreamRecord): WireStream {
  return { streamID: s.streamID, user: s.session.user, extraInfo: s.extraInfo };
}
