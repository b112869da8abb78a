/**
 * A room of one AppID as this node sees it: its local members (sessions of this node), a replica of its members
 * and streams on other nodes, its extra info, and the fan-out of room events to the local members.
 * A node keeps a Room only while one of its sessions is in it; the cluster's shared state has the whole room.
 */
import {
  type EncodedEvent,
  encodeEvent,
  type ServerEvent,
  type WireRoomExtraInfo,
  type WireStream,
  type WireUser,
} from '@parley/protocol';
import type { MemberEntry, StreamEntry } from '../cluster/SharedState.js';
import { TokenBucket } from '../util/TokenBucket.js';
import type { Membership, Session } from './Session.js';
import { type StreamRecord, wireStream } from './StreamRecord.js';

export class Room {
  /** Members whose session is on this node, by userID. */
  readonly members = new Map<string, Membership>();
  /** Streams published by sessions of this node. */
  readonly streams = new Map<string, StreamRecord>();
  /** Members on other nodes, by userID (the replica). */
  readonly remoteMembers = new Map<string, MemberEntry>();
  /** Announced streams of other nodes, by streamID (the replica). */
  readonly remoteStreams = new Map<string, StreamEntry>();
  readonly extraInfo = new Map<string, WireRoomExtraInfo>();
  /** Limits broadcast messages, custom commands and extra info updates of the whole room on this node. */
  readonly messageBucket: TokenBucket;
  /** The room's member limit as the first local member gave it (written back if the shared state lost the room). */
  maxMemberCount = 0;
  /** The seq of the last room event applied to the replica (events at or below it are already in it). */
  seq = 0;

  constructor(
    readonly appID: number,
    readonly roomID: string,
    messagesPerSecond: number,
  ) {
    this.messageBucket = new TokenBucket(messagesPerSecond, messagesPerSecond);
  }

  get isEmpty(): boolean {
    return this.members.size === 0;
  }

  /** Members on every node. */
  get memberCount(): number {
    return this.members.size + this.remoteMembers.size;
  }

  /** Every user in the room but `except`. */
  usersBut(except: Session): WireUser[] {
    const users: WireUser[] = [];
    for (const m of this.members.values()) if (m.session !== except) users.push(m.session.user);
    for (const m of this.remoteMembers.values()) users.push({ userID: m.userID, userName: m.userName });
    return users;
  }

  /** Every announced stream of the room but those of `except`. */
  streamsBut(except: Session): WireStream[] {
    const streams: WireStream[] = [];
    for (const s of this.streams.values())
      if (s.session !== except && s.announced) streams.push(wireStream(s));
    for (const s of this.remoteStreams.values()) streams.push(wireOfEntry(s));
    return streams;
  }

  /** True if a member of `userID` (on any node) is in the room. */
  hasUser(userID: string): boolean {
    return this.members.has(userID) || this.remoteMembers.has(userID);
  }

  /**
   * Sends an event to every local member but `except`; `filter` narrows the recipients further.
   * The event is serialized once for all of them.
   */
  pushToOthers(except: Session | null, ev: ServerEvent, filter?: (m: Membership) => boolean): void {
    let json: EncodedEvent | undefined;
    for (const m of this.members.values()) {
      if (m.session === except || (filter && !filter(m))) continue;
      json ??= encodeEvent(ev);
      m.session.push(json);
    }
  }
}

/** A stream of the shared state as the protocol shows it. */
export function wireOfEntry(s: StreamEntry): WireStream {
  return { streamID: s.streamID, user: { userID: s.userID, userName: s.userName }, extraInfo: s.extraInfo };
}
