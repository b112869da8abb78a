/**
 * The shared store of {@link MemoryState} nodes in one process: the in-memory counterpart of a Redis database.
 * One process with one node uses a hub of its own; the contract tests put two nodes on one hub.
 * Everything here is synchronous, so each operation is atomic as a Redis script is.
 */
import type { WireRoomExtraInfo } from '@parley/protocol';
import type { MemberEntry, RoomEvent, StreamEntry, UserHolder } from '../SharedState.js';

export interface MemoryRoom {
  seq: number;
  maxMemberCount: number;
  members: Map<string, MemberEntry>;
  extraInfo: Map<string, WireRoomExtraInfo>;
  streamIDs: Set<string>;
  nextMessageID: number;
}

/** A node on the hub: what the hub delivers to it. */
export interface HubNode {
  readonly nodeID: string;
  deliverRoomEvent(appID: number, roomID: string, event: RoomEvent): void;
  deliverNodeMessage(from: string, body: unknown): void;
}

export class MemoryHub {
  readonly users = new Map<string, UserHolder>();
  readonly rooms = new Map<string, MemoryRoom>();
  readonly streams = new Map<string, StreamEntry>();
  /** Keys claimed once (SharedState.claimOnce) → when their claim ends (ms of `now`). */
  readonly onceKeys = new Map<string, number>();
  /** Fixed-window counters (SharedState.takeFromWindow) → their count and when their window ends (ms of `now`). */
  readonly windows = new Map<string, { count: number; until: number }>();
  /** Forbidden streams (SharedState.forbidStream), as `appID:streamID`. */
  readonly forbiddenStreams = new Set<string>();
  /** Live nodes and their last heartbeat (ms). */
  readonly nodes = new Map<string, { node: HubNode; lastBeatMs: number }>();
  private readonly watchers = new Map<string, Set<HubNode>>();

  constructor(readonly now: () => number = Date.now) {}

  room(appID: number, roomID: string): MemoryRoom | undefined {
    return this.rooms.get(key(appID, roomID));
  }

  roomOrCreate(appID: number, roomID: string, maxMemberCount: number): MemoryRoom {
    const k = key(appID, roomID);
    let room = this.rooms.get(k);
    if (!room) {
      room = {
        seq: 0,
        maxMemberCount,
        members: new Map(),
        extraInfo: new Map(),
        streamIDs: new Set(),
        nextMessageID: 1,
      };
      this.rooms.set(k, room);
    }
    return room;
  }

  /** Forgets a room once nobody is in it and it has no streams. */
  dropIfEmpty(appID: number, roomID: string): void {
    const room = this.room(appID, roomID);
    if (room && room.members.size === 0 && room.streamIDs.size === 0) this.rooms.delete(key(appID, roomID));
  }

  /** Numbers an event with the room's next seq and delivers it to the room's watchers, in order. */
  publish(appID: number, roomID: string, room: MemoryRoom, origin: string, body: object): RoomEvent {
    room.seq += 1;
    const event = { origin, seq: room.seq, ...body } as RoomEvent;
    // A copy per delivery, as a bus would: no node can change what another receives.
    const json = JSON.stringify(event);
    for (const node of this.watchers.get(key(appID, roomID)) ?? []) {
      queueMicrotask(() => node.deliverRoomEvent(appID, roomID, JSON.parse(json) as RoomEvent));
    }
    return event;
  }

  watch(appID: number, roomID: string, node: HubNode): void {
    const k = key(appID, roomID);
    let set = this.watchers.get(k);
    if (!set) {
      set = new Set();
      this.watchers.set(k, set);
    }
    set.add(node);
  }

  unwatch(appID: number, roomID: string, node: HubNode): void {
    const k = key(appID, roomID);
    const set = this.watchers.get(k);
    set?.delete(node);
    if (set?.size === 0) this.watchers.delete(k);
  }

  unwatchAll(node: HubNode): void {
    for (const [k, set] of this.watchers) {
      set.delete(node);
      if (set.size === 0) this.watchers.delete(k);
    }
  }

  /** Claims `key` until `ttlMs` from now unless a claim of it lives. */
  claimOnce(key: string, ttlMs: number): boolean {
    const now = this.now();
    // Claims are kept in the order they were made, which is their expiry order when their TTLs are alike (the
    // API's nonces): dropping the expired ones from the front costs nothing per claim, however many there are.
    for (const [k, until] of this.onceKeys) {
      if (until > now) break;
      this.onceKeys.delete(k);
    }
    const until = this.onceKeys.get(key);
    if (until !== undefined && until > now) return false;
    this.onceKeys.delete(key);
    this.onceKeys.set(key, now + ttlMs);
    return true;
  }

  /** Counts one call in `key`'s window (opening a window of `windowMs` if none lives); true while within `limit`. */
  takeFromWindow(key: string, limit: number, windowMs: number): boolean {
    const now = this.now();
    // Windows are kept in the order they were opened. Dropping the ended ones from the front until one that lives
    // keeps the map from growing with keys nobody calls again; an ended window behind a longer one that lives is
    // dropped a little later, or replaced when its key is called again.
    for (const [k, w] of this.windows) {
      if (w.until > now) break;
      this.windows.delete(k);
    }
    let window = this.windows.get(key);
    if (!window || window.until <= now) {
      this.windows.delete(key);
      window = { count: 0, until: now + windowMs };
      this.windows.set(key, window);
    }
    window.count += 1;
    return window.count <= limit;
  }

  send(from: string, to: string, body: unknown): void {
    const target = this.nodes.get(to)?.node;
    if (!target) return;
    const json = JSON.stringify(body);
    // JSON.stringify(undefined) is undefined, which JSON.parse would throw on, out of any caller's reach.
    queueMicrotask(() => target.deliverNodeMessage(from, json === undefined ? undefined : JSON.parse(json)));
  }
}

export function key(appID: number, id: string): string {
  return `${appID}\u0000${id}`;
}
