/**
 * The in-memory {@link SharedState}: the embedded default of a single process, and (several nodes on one
 * {@link MemoryHub}) the reference the Redis implementation is tested against.
 */
import {
  StreamDeleteReason,
  type StreamDeleteReasonCode,
  TypedEmitter,
  type WireRoomExtraInfo,
} from '@parley/protocol';
import type {
  ClaimStreamResult,
  JoinResult,
  LeaveResult,
  MemberEntry,
  NodeHoldings,
  ReapedRoomEvent,
  RoomEvent,
  RoomEventBody,
  RoomSnapshot,
  SharedState,
  SharedStateEvents,
  StreamEntry,
  UserHolder,
} from '../SharedState.js';
import { nodeIdProblem, SERVER_NODE_ID } from '../SharedState.js';
import { type HubNode, key, MemoryHub, type MemoryRoom } from './MemoryHub.js';

export interface MemoryStateOptions {
  nodeID: string;
  /** Shared with the other nodes of this process; default a hub of this node's own. */
  hub?: MemoryHub;
  /** How often this node beats and reaps dead nodes. */
  heartbeatMs?: number;
  /** A node silent this long is dead. */
  nodeTimeoutMs?: number;
}

export class MemoryState extends TypedEmitter<SharedStateEvents> implements SharedState, HubNode {
  readonly nodeID: string;
  readonly hub: MemoryHub;
  readonly available = true;
  private readonly heartbeatMs: number;
  private readonly nodeTimeoutMs: number;
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;
  /** While this node reaps: the room events the reap publishes, for its `reaped` event. */
  private collected: ReapedRoomEvent[] | null = null;

  constructor(options: MemoryStateOptions) {
    super();
    const problem = nodeIdProblem(options.nodeID);
    if (problem !== '') throw new TypeError(problem);
    this.nodeID = options.nodeID;
    this.hub = options.hub ?? new MemoryHub();
    this.heartbeatMs = options.heartbeatMs ?? 1000;
    this.nodeTimeoutMs = options.nodeTimeoutMs ?? 5000;
  }

  async start(): Promise<void> {
    this.beat();
    this.timer = setInterval(() => {
      this.beat();
      void this.reapDeadNodes();
    }, this.heartbeatMs);
    this.timer.unref();
  }

  /** Test hook: stops this node's heartbeats without a clean exit, as `kill -9` would. */
  crash(): void {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.hub.unwatchAll(this);
  }

  async close(): Promise<void> {
    if (this.stopped && !this.hub.nodes.has(this.nodeID)) return;
    this.crash();
    this.removeNode(this.nodeID, StreamDeleteReason.StoppedPublishing);
  }

  async claimUser(appID: number, userID: string, holder: UserHolder): Promise<UserHolder | null> {
    const k = key(appID, userID);
    const previous = this.hub.users.get(k) ?? null;
    this.hub.users.set(k, { ...holder });
    return previous && previous.sessionID !== holder.sessionID ? previous : null;
  }

  async releaseUser(appID: number, userID: string, sessionID: string): Promise<void> {
    const k = key(appID, userID);
    if (this.hub.users.get(k)?.sessionID === sessionID) this.hub.users.delete(k);
  }

  async joinRoom(
    appID: number,
    roomID: string,
    member: MemberEntry,
    maxMemberCount: number,
  ): Promise<JoinResult> {
    const existing = this.hub.room(appID, roomID);
    if (existing) {
      const max = existing.maxMemberCount;
      if (max > 0 && existing.members.size >= max && !existing.members.has(member.userID)) {
        return { ok: false, reason: 'full' };
      }
    }
    const room = this.hub.roomOrCreate(appID, roomID, maxMemberCount);
    // The first member makes the room (one kept only by a stream has no limit of its own yet).
    const created = room.members.size === 0;
    if (created) room.maxMemberCount = maxMemberCount;
    const previous = room.members.get(member.userID) ?? null;
    const replaced = previous && previous.sessionID !== member.sessionID ? previous : null;
    room.members.set(member.userID, { ...member });
    this.hub.publish(appID, roomID, room, this.nodeID, { kind: 'join', member, replaced });
    return { ok: true, snapshot: snapshotOf(this.hub, appID, room), replaced, created };
  }

  async leaveRoom(
    appID: number,
    roomID: string,
    userID: string,
    sessionID: string,
    reason: StreamDeleteReasonCode,
  ): Promise<LeaveResult | null> {
    return this.leave(appID, roomID, userID, sessionID, reason, this.nodeID);
  }

  async roomSnapshot(appID: number, roomID: string): Promise<RoomSnapshot> {
    const room = this.hub.room(appID, roomID);
    if (!room) return { seq: 0, members: [], streams: [], extraInfo: [] };
    return snapshotOf(this.hub, appID, room);
  }

  async claimStream(appID: number, stream: StreamEntry): Promise<ClaimStreamResult> {
    const k = key(appID, stream.streamID);
    const holder = this.hub.streams.get(k);
    // A stream of the server API (AddStream) is never taken over, and never takes another over or itself again.
    const serverSide = holder?.nodeID === SERVER_NODE_ID || stream.nodeID === SERVER_NODE_ID;
    if (
      holder &&
      (serverSide || (holder.sessionID !== stream.sessionID && holder.userID !== stream.userID))
    ) {
      return { ok: false, holder: { ...holder } };
    }
    if (stream.nodeID === SERVER_NODE_ID && (this.hub.room(appID, stream.roomID)?.members.size ?? 0) === 0) {
      return { ok: false, holder: null };
    }
    if (holder && holder.sessionID !== stream.sessionID) {
      // Taken over from the same user's previous session: that one is gone from the room's view.
      this.removeStreamEntries(appID, holder.roomID, [holder], StreamDeleteReason.RepeatLogin, this.nodeID);
    }
    const room = this.hub.roomOrCreate(appID, stream.roomID, 0);
    this.hub.streams.set(k, { ...stream });
    room.streamIDs.add(stream.streamID);
    if (stream.announced) {
      this.hub.publish(appID, stream.roomID, room, this.nodeID, { kind: 'streamAdd', streams: [stream] });
    }
    return { ok: true };
  }

  async updateStream(
    appID: number,
    streamID: string,
    sessionID: string,
    patch: Partial<Pick<StreamEntry, 'extraInfo' | 'announced' | 'audio' | 'video'>>,
  ): Promise<void> {
    const entry = this.hub.streams.get(key(appID, streamID));
    if (!entry || entry.sessionID !== sessionID) return;
    const becomesAnnounced = patch.announced === true && !entry.announced;
    const extraChanged = patch.extraInfo !== undefined && patch.extraInfo !== entry.extraInfo;
    // A field given as undefined is one the patch leaves alone, as JSON (and so Redis) would.
    for (const [k, v] of Object.entries(patch)) if (v !== undefined) Object.assign(entry, { [k]: v });
    const room = this.hub.room(appID, entry.roomID);
    if (!room) return;
    if (becomesAnnounced) {
      this.hub.publish(appID, entry.roomID, room, this.nodeID, { kind: 'streamAdd', streams: [entry] });
    } else if (extraChanged && entry.announced) {
      this.hub.publish(appID, entry.roomID, room, this.nodeID, { kind: 'streamUpdate', streams: [entry] });
    }
  }

  async removeStreams(
    appID: number,
    roomID: string,
    streamIDs: string[],
    sessionID: string,
    reason: StreamDeleteReasonCode,
  ): Promise<string[]> {
    const owned = streamIDs
      .map((id) => this.hub.streams.get(key(appID, id)))
      .filter((s): s is StreamEntry => s !== undefined && s.sessionID === sessionID && s.roomID === roomID);
    this.removeStreamEntries(appID, roomID, owned, reason, this.nodeID);
    return owned.map((s) => s.streamID);
  }

  async findStream(appID: number, streamID: string): Promise<StreamEntry | null> {
    const entry = this.hub.streams.get(key(appID, streamID));
    return entry ? { ...entry } : null;
  }

  async setRoomExtraInfo(
    appID: number,
    roomID: string,
    info: WireRoomExtraInfo,
    maxKeys: number,
  ): Promise<boolean> {
    const room = this.hub.room(appID, roomID);
    if (!room) return false;
    if (!room.extraInfo.has(info.key) && room.extraInfo.size >= maxKeys) return false;
    room.extraInfo.set(info.key, { ...info });
    this.hub.publish(appID, roomID, room, this.nodeID, { kind: 'extraInfo', info });
    return true;
  }

  async broadcast(
    appID: number,
    roomID: string,
    message: Omit<Extract<RoomEventBody, { kind: 'broadcast' }>, 'kind' | 'messageID'>,
  ): Promise<number> {
    const room = this.hub.roomOrCreate(appID, roomID, 0);
    const messageID = room.nextMessageID++;
    this.hub.publish(appID, roomID, room, this.nodeID, { kind: 'broadcast', ...message, messageID });
    // A message to a room nobody is in reaches its watchers, but keeps no room alive.
    this.hub.dropIfEmpty(appID, roomID);
    return messageID;
  }

  async publishRoom(
    appID: number,
    roomID: string,
    event: Extract<RoomEventBody, { kind: 'command' | 'barrage' }>,
  ): Promise<void> {
    const room = this.hub.room(appID, roomID);
    if (room) this.hub.publish(appID, roomID, room, this.nodeID, event);
  }

  async watchRoom(appID: number, roomID: string): Promise<void> {
    this.hub.watch(appID, roomID, this);
  }

  async unwatchRoom(appID: number, roomID: string): Promise<void> {
    this.hub.unwatch(appID, roomID, this);
  }

  async sendToNode(nodeID: string, body: unknown): Promise<void> {
    this.hub.send(this.nodeID, nodeID, body);
  }

  async liveNodes(): Promise<string[]> {
    return [...this.hub.nodes.keys()];
  }

  async claimOnce(key: string, ttlMs: number): Promise<boolean> {
    return this.hub.claimOnce(key, ttlMs);
  }

  async takeFromWindow(key: string, limit: number, windowMs: number): Promise<boolean> {
    return this.hub.takeFromWindow(key, limit, windowMs);
  }

  async forbidStream(appID: number, streamID: string): Promise<void> {
    this.hub.forbiddenStreams.add(`${appID}:${streamID}`);
  }

  async resumeStream(appID: number, streamID: string): Promise<boolean> {
    return this.hub.forbiddenStreams.delete(`${appID}:${streamID}`);
  }

  async isStreamForbidden(appID: number, streamID: string): Promise<boolean> {
    return this.hub.forbiddenStreams.has(`${appID}:${streamID}`);
  }

  async reapDeadNodes(): Promise<string[]> {
    const deadline = this.hub.now() - this.nodeTimeoutMs;
    const dead = [...this.hub.nodes].filter(([, n]) => n.lastBeatMs < deadline).map(([id]) => id);
    for (const nodeID of dead) {
      // What the reap publishes is collected for this node (the reaper) alone: see SharedStateEvents.reaped.
      const events: ReapedRoomEvent[] = [];
      this.collected = events;
      try {
        this.removeNode(nodeID, StreamDeleteReason.HeartbeatTimeout);
      } finally {
        this.collected = null;
      }
      if (events.length > 0) this.emit('reaped', events);
    }
    return dead;
  }

  async restore(holdings: NodeHoldings): Promise<void> {
    // The hub lives as long as the process: it never loses a live node's entries, so there is nothing to write back.
    void holdings;
  }

  deliverRoomEvent(appID: number, roomID: string, event: RoomEvent): void {
    this.emit('roomEvent', appID, roomID, event);
  }

  deliverNodeMessage(from: string, body: unknown): void {
    this.emit('nodeMessage', { from, body });
  }

  private beat(): void {
    if (this.stopped) return;
    this.hub.nodes.set(this.nodeID, { node: this, lastBeatMs: this.hub.now() });
  }

  /** Removes every entry of `nodeID` (its streams first, then its members and users), with their events. */
  private removeNode(nodeID: string, reason: StreamDeleteReasonCode): void {
    this.hub.nodes.delete(nodeID);
    const byRoom = new Map<string, { appID: number; roomID: string; streams: StreamEntry[] }>();
    for (const [k, s] of this.hub.streams) {
      if (s.nodeID !== nodeID) continue;
      const appID = Number(k.slice(0, k.indexOf('\u0000')));
      const rk = key(appID, s.roomID);
      const group = byRoom.get(rk) ?? { appID, roomID: s.roomID, streams: [] };
      group.streams.push(s);
      byRoom.set(rk, group);
    }
    for (const g of byRoom.values()) this.removeStreamEntries(g.appID, g.roomID, g.streams, reason, nodeID);
    for (const [rk, room] of [...this.hub.rooms]) {
      const appID = Number(rk.slice(0, rk.indexOf('\u0000')));
      const roomID = rk.slice(rk.indexOf('\u0000') + 1);
      for (const m of [...room.members.values()]) {
        if (m.nodeID === nodeID) this.leave(appID, roomID, m.userID, m.sessionID, reason, nodeID);
      }
    }
    for (const [k, holder] of [...this.hub.users]) if (holder.nodeID === nodeID) this.hub.users.delete(k);
  }

  private leave(
    appID: number,
    roomID: string,
    userID: string,
    sessionID: string,
    reason: StreamDeleteReasonCode,
    origin: string,
  ): LeaveResult | null {
    const room = this.hub.room(appID, roomID);
    const member = room?.members.get(userID);
    if (!room || !member || member.sessionID !== sessionID) return null;
    room.members.delete(userID);
    const event = this.hub.publish(appID, roomID, room, origin, { kind: 'leave', member, reason });
    const seq = room.seq;
    const roomClosed = room.members.size === 0;
    if (roomClosed) this.forgetRoom(appID, roomID, room);
    this.collected?.push({ appID, roomID, event: structuredClone(event), roomClosed });
    return { seq, roomClosed };
  }

  private removeStreamEntries(
    appID: number,
    roomID: string,
    streams: StreamEntry[],
    reason: StreamDeleteReasonCode,
    origin: string,
  ): void {
    if (streams.length === 0) return;
    const room = this.hub.room(appID, roomID);
    for (const s of streams) {
      this.hub.streams.delete(key(appID, s.streamID));
      room?.streamIDs.delete(s.streamID);
    }
    const announced = streams.filter((s) => s.announced);
    if (room && announced.length > 0) {
      const event = this.hub.publish(appID, roomID, room, origin, {
        kind: 'streamDelete',
        streams: announced,
        reason,
      });
      this.collected?.push({ appID, roomID, event: structuredClone(event), roomClosed: false });
    }
    if (room && room.members.size === 0) this.forgetRoom(appID, roomID, room);
  }

  /** An empty room is forgotten with whatever it still had (extra info, a stream left by a dead session). */
  private forgetRoom(appID: number, roomID: string, room: MemoryRoom): void {
    for (const id of room.streamIDs) this.hub.streams.delete(key(appID, id));
    room.streamIDs.clear();
    this.hub.dropIfEmpty(appID, roomID);
  }
}

function snapshotOf(hub: MemoryHub, appID: number, room: MemoryRoom): RoomSnapshot {
  const streams: StreamEntry[] = [];
  for (const id of room.streamIDs) {
    const s = hub.streams.get(key(appID, id));
    if (s) streams.push({ ...s });
  }
  return {
    seq: room.seq,
    members: [...room.members.values()].map((m) => ({ ...m })),
    streams,
    extraInfo: [...room.extraInfo.values()].map((i) => ({ ...i })),
  };
}
