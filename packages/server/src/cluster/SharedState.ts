/**
 * The state the nodes of a cluster share, and the bus between them: which session holds each userID, who is in
 * each room, which stream is whose, each room's extra info and message counter, which streamIDs the server API
 * forbade, and which nodes are alive.
 *
 * Two implementations keep one contract (test/cluster/sharedStateContract.ts runs against both):
 * - {@link MemoryState} (memory/MemoryState.ts): one process, the embedded default; several "nodes" can share
 *   one MemoryHub, which is how the contract suite runs two nodes without Redis.
 * - RedisState (redis/RedisState.ts): every node with the same Redis is one Parley.
 *
 * Rules every implementation keeps:
 * - Every operation that changes a room publishes its {@link RoomEvent} on the room's channel atomically with the
 *   change (Redis: in the same script), so every node sees a room's events in the order the changes happened.
 *   An operation that changes nothing (a conditional removal whose owner moved on) publishes nothing.
 * - Removals are conditional on the owner (`sessionID`), so a late removal by a replaced session never removes its
 *   successor's entry.
 * - Each node's entries are indexed by its nodeID, so a dead node's entries can be removed with their events
 *   ({@link SharedState.reapDeadNodes}) and a node can restore its own entries after Redis lost them.
 * - Operations reject with {@link SharedStateUnavailable} while the store cannot be reached.
 */
import type {
  MediaTrackState,
  StreamDeleteReasonCode,
  TypedEmitter,
  WireRoomExtraInfo,
} from '@parley/protocol';

/** A user in a room, as every node sees it. */
export interface MemberEntry {
  userID: string;
  userName: string;
  nodeID: string;
  sessionID: string;
}

/**
 * The nodeID of the streams the server API added (AddStream): no node can have it (node IDs may not start with
 * '@'), so no node's exit, reaping or restore touches them; they go with their room or by DeleteStream.
 */
export const SERVER_NODE_ID = '@server';

/** The sessionID that owns a stream the server API added: the owner DeleteStream removes it as. */
export function serverStreamSession(streamID: string): string {
  return `server:${streamID}`;
}

/** Why `nodeID` cannot name a node ('' when it can): the '@' prefix is reserved for {@link SERVER_NODE_ID}. */
export function nodeIdProblem(nodeID: unknown): string {
  if (typeof nodeID !== 'string' || nodeID === '') return 'nodeID must be a non-empty string';
  if (nodeID.startsWith('@')) return `nodeID must not start with '@' (reserved for the server API's streams)`;
  return '';
}

/** A stream of an AppID, as every node sees it. */
export interface StreamEntry {
  streamID: string;
  roomID: string;
  userID: string;
  userName: string;
  nodeID: string;
  sessionID: string;
  extraInfo: string;
  /** 'none': signaling only; 'sfu': its media comes through the SFU of `nodeID` (the origin). */
  media: 'none' | 'sfu';
  /** The room has been told (its first packet arrived, or at once for 'none'); only announced streams are shown. */
  announced: boolean;
  audio: MediaTrackState;
  video: MediaTrackState;
}

/** A room as it is now: what a new member (or a node's replica) starts from. */
export interface RoomSnapshot {
  /** Increases with every change of the room; events carry the value their change produced. */
  seq: number;
  members: MemberEntry[];
  /** Announced and unannounced streams; only announced ones are shown to users. */
  streams: StreamEntry[];
  extraInfo: WireRoomExtraInfo[];
}

/** What a node publishes on a room's channel; `origin` is the nodeID whose operation produced it. */
export type RoomEvent = { origin: string; seq: number } & (
  | { kind: 'join'; member: MemberEntry; replaced: MemberEntry | null }
  | { kind: 'leave'; member: MemberEntry; reason: StreamDeleteReasonCode }
  | { kind: 'streamAdd'; streams: StreamEntry[] }
  | { kind: 'streamUpdate'; streams: StreamEntry[] }
  | { kind: 'streamDelete'; streams: StreamEntry[]; reason: StreamDeleteReasonCode }
  | { kind: 'extraInfo'; info: WireRoomExtraInfo }
  | {
      kind: 'broadcast';
      fromUser: { userID: string; userName: string };
      message: string;
      sendTime: number;
      messageID: number;
    }
  | { kind: 'command'; fromUser: { userID: string; userName: string }; command: string; toUserIDs: string[] }
  | {
      /** A barrage message (server API SendBarrageMessage); its messageID is made by the sending node. */
      kind: 'barrage';
      fromUser: { userID: string; userName: string };
      message: string;
      sendTime: number;
      messageID: string;
    }
);

/** A room event before the store numbers it. */
export type RoomEventBody = RoomEvent extends infer E
  ? E extends RoomEvent
    ? Omit<E, 'origin' | 'seq'>
    : never
  : never;

/** What one node sends to another (a JSON value; the receiver validates what it reads). */
export interface NodeMessage {
  from: string;
  body: unknown;
}

/** Who holds a userID of an AppID. */
export interface UserHolder {
  nodeID: string;
  sessionID: string;
}

export type JoinResult =
  /** `created`: the room had no members before this join (the join made it). */
  | { ok: true; snapshot: RoomSnapshot; replaced: MemberEntry | null; created: boolean }
  | { ok: false; reason: 'full' };

/** What a leave did: the seq of its `leave` event, and whether the room was forgotten (its last member left). */
export interface LeaveResult {
  seq: number;
  roomClosed: boolean;
}

/** A refused claim names the stream holding the streamID; `holder` null: a server stream's room has no members. */
export type ClaimStreamResult = { ok: true } | { ok: false; holder: StreamEntry | null };

/** Everything a node holds, for {@link SharedState.restore}. */
export interface NodeHoldings {
  users: { appID: number; userID: string; holder: UserHolder }[];
  members: { appID: number; roomID: string; maxMemberCount: number; member: MemberEntry }[];
  streams: { appID: number; stream: StreamEntry }[];
  extraInfo: { appID: number; roomID: string; info: WireRoomExtraInfo }[];
}

/** A room event that a reap by this node published for a dead node (see {@link SharedStateEvents.reaped}). */
export interface ReapedRoomEvent {
  appID: number;
  roomID: string;
  event: RoomEvent;
  /** A `leave` that emptied the room (which is then forgotten). */
  roomClosed: boolean;
}

export interface SharedStateEvents {
  /** An event of a room this node watches, in the room's order; includes this node's own events. */
  roomEvent: [appID: number, roomID: string, event: RoomEvent];
  /** A message sent to this node. */
  nodeMessage: [message: NodeMessage];
  /** The store is reachable again after an outage; `lost` when it lost this node's entries (restart, expiry). */
  reconnected: [lost: boolean];
  /** The store became unreachable. */
  disconnected: [];
  /**
   * This node reaped a dead node: the `leave` and `streamDelete` events the reap published, in order. Emitted on
   * the reaping node only, so what a dead node's users did can be reported once in the cluster.
   */
  reaped: [events: ReapedRoomEvent[]];
}

export interface SharedState extends TypedEmitter<SharedStateEvents> {
  readonly nodeID: string;
  /** Connects and registers this node as alive; heartbeats run until {@link close}. */
  start(): Promise<void>;
  /** Removes this node's entries (with their events), stops heartbeats and disconnects. */
  close(): Promise<void>;
  /** True while the store can be reached. */
  readonly available: boolean;

  /** Makes `holder` the session of `userID`; returns the holder it replaced (to be kicked), if any. */
  claimUser(appID: number, userID: string, holder: UserHolder): Promise<UserHolder | null>;
  /** Frees `userID` if `sessionID` still holds it. */
  releaseUser(appID: number, userID: string, sessionID: string): Promise<void>;

  /**
   * Adds `member` to the room unless it is full (`maxMemberCount` > 0 members, not counting a member of the same
   * userID, which this one replaces). The first member creates the room with its `maxMemberCount`.
   * Publishes `join`. The snapshot is the room after the join.
   */
  joinRoom(appID: number, roomID: string, member: MemberEntry, maxMemberCount: number): Promise<JoinResult>;
  /**
   * Removes the member if `sessionID` is still its session; publishes `leave`; an empty room is forgotten.
   * Resolves null when it removed nothing (the member was gone or of another session).
   */
  leaveRoom(
    appID: number,
    roomID: string,
    userID: string,
    sessionID: string,
    reason: StreamDeleteReasonCode,
  ): Promise<LeaveResult | null>;
  roomSnapshot(appID: number, roomID: string): Promise<RoomSnapshot>;

  /**
   * Registers a stream unless another session's stream has its streamID (that one is returned). A stream of the
   * same userID from another session is taken over (the user logged in again; its old session is being kicked).
   * A stream of {@link SERVER_NODE_ID} is never taken over and takes nothing over: while one holds the streamID,
   * every claim is refused, and a server stream is refused while anything holds it, or (holder null) when its
   * room has no members: the server API adds streams to existing rooms only. Publishes `streamAdd` when
   * `stream.announced`.
   */
  claimStream(appID: number, stream: StreamEntry): Promise<ClaimStreamResult>;
  /**
   * Changes a stream of `sessionID`. Publishes `streamAdd` when it becomes announced, `streamUpdate` when an
   * announced stream's extra info changes; nothing for media states.
   */
  updateStream(
    appID: number,
    streamID: string,
    sessionID: string,
    patch: Partial<Pick<StreamEntry, 'extraInfo' | 'announced' | 'audio' | 'video'>>,
  ): Promise<void>;
  /**
   * Removes those of the streams (all of one room) that `sessionID` still owns; publishes one `streamDelete` of
   * the announced ones. Resolves with the streamIDs it removed.
   */
  removeStreams(
    appID: number,
    roomID: string,
    streamIDs: string[],
    sessionID: string,
    reason: StreamDeleteReasonCode,
  ): Promise<string[]>;
  findStream(appID: number, streamID: string): Promise<StreamEntry | null>;

  /** Sets one key of the room's extra info unless the room has `maxKeys` other keys; publishes `extraInfo`. */
  setRoomExtraInfo(appID: number, roomID: string, info: WireRoomExtraInfo, maxKeys: number): Promise<boolean>;
  /**
   * Publishes a broadcast message with the room's next messageID (unique in the room while it exists). A room
   * nobody is in gets the message (its watchers see it) but is not kept for it.
   */
  broadcast(
    appID: number,
    roomID: string,
    message: Omit<Extract<RoomEventBody, { kind: 'broadcast' }>, 'kind' | 'messageID'>,
  ): Promise<number>;
  /** Publishes a room event that changes no state (custom commands, barrage messages) if the room exists. */
  publishRoom(
    appID: number,
    roomID: string,
    event: Extract<RoomEventBody, { kind: 'command' | 'barrage' }>,
  ): Promise<void>;

  /** Starts delivering the room's events to this node (resolves once no later event can be missed). */
  watchRoom(appID: number, roomID: string): Promise<void>;
  unwatchRoom(appID: number, roomID: string): Promise<void>;
  /** Sends a message to a node (dropped if it is not alive). */
  sendToNode(nodeID: string, body: unknown): Promise<void>;
  /** The nodes alive now. */
  liveNodes(): Promise<string[]>;

  /**
   * Claims `key` for `ttlMs` milliseconds, cluster-wide: true for the first claim, false while an earlier claim
   * of the same key lives. What the server API uses to refuse a reused SignatureNonce on every node.
   */
  claimOnce(key: string, ttlMs: number): Promise<boolean>;
  /**
   * Counts one call against `key`'s fixed window, cluster-wide: the first call of a key opens a window of
   * `windowMs` milliseconds, and the calls of that window are counted on every node. Resolves true while the
   * count (this call included) is at most `limit`; refused calls count too, so a caller that keeps trying stays
   * refused until the window ends. What the server API's rate limits use.
   */
  takeFromWindow(key: string, limit: number, windowMs: number): Promise<boolean>;

  /**
   * Forbids publishing `streamID` of `appID` on every node until {@link resumeStream} (server API
   * ForbidRTCStream). A streamID nobody publishes may be forbidden too. The mark is the AppID's, not a stream
   * entry's: no node's restore or reaping removes it.
   */
  forbidStream(appID: number, streamID: string): Promise<void>;
  /** Lifts a {@link forbidStream}; resolves to whether the streamID was forbidden. */
  resumeStream(appID: number, streamID: string): Promise<boolean>;
  isStreamForbidden(appID: number, streamID: string): Promise<boolean>;

  /**
   * Removes every entry of nodes that missed their heartbeats for longer than the timeout, publishing the
   * `leave` and `streamDelete` events (reason HeartbeatTimeout) a clean exit would have. Any node may call it;
   * each dead node is reaped once. Returns the reaped nodeIDs.
   */
  reapDeadNodes(): Promise<string[]>;
  /**
   * Writes back this node's entries after the store lost them (or part of them), publishing `join`/`streamAdd`
   * for what was missing and removing entries of this node that `holdings` no longer has (with their events,
   * reason StoppedPublishing: their sessions ended while the store was away). What another node holds now (a
   * userID, membership or streamID claimed meanwhile) is left to it. A node that the store had lost is alive
   * again (in {@link liveNodes}) once its restore is done.
   */
  restore(holdings: NodeHoldings): Promise<void>;
}

/** The store cannot be reached; the operation did nothing. */
export class SharedStateUnavailable extends Error {
  constructor(message = 'the cluster state is unreachable') {
    super(message);
    this.name = 'SharedStateUnavailable';
  }
}
