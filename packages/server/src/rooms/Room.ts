/**
 * A room of one AppID: its members, streams and extra info, and the fan-out of room events to members.
 */
import { type EncodedEvent, encodeEvent, type ServerEvent, type WireRoomExtraInfo } from '@parley/protocol';
import { TokenBucket } from '../util/TokenBucket.js';
import type { Membership, Session } from './Session.js';
import type { StreamRecord } from './StreamRecord.js';

export class Room {
  readonly members = new Map<string, Membership>();
  readonly streams = new Map<string, StreamRecord>();
  readonly extraInfo = new Map<string, WireRoomExtraInfo>();
  /** Limits broadcast messages, custom commands and extra info updates of the whole room. */
  readonly messageBucket: TokenBucket;
  private nextMessageID = 1;

  constructor(
    readonly appID: number,
    readonly roomID: string,
    /** 0 = unlimited. Set by the first user who logs in. */
    readonly maxMemberCount: number,
    messagesPerSecond: number,
  ) {
    this.messageBucket = new TokenBucket(messagesPerSecond, messagesPerSecond);
  }

  get isEmpty(): boolean {
    return this.members.size === 0;
  }

  isFullFor(userID: string): boolean {
    return this.maxMemberCount > 0 && this.members.size >= this.maxMemberCount && !this.members.has(userID);
  }

  takeMessageID(): number {
    return this.nextMessageID++;
  }

  /**
   * Sends an event to every member but `except`; `filter` narrows the recipients further.
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
