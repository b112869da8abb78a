/**
 * The {@link SharedState} of a cluster in Redis: every node with the same Redis (and prefix) is one Parley.
 *
 * Every operation that changes a room is one Lua script (lua/) that changes the keys and publishes the room's
 * event, numbered by the room's counter, on the room's channel — so the change and its event are one atomic step
 * and every node sees a room's events in the order of its changes. Each node indexes its entries under its nodeID
 * and beats in a sorted set (by Redis's own clock); any node removes the entries of a node silent for
 * `nodeTimeoutMs`, with their events. Keys and channels: keys.ts.
 *
 * While Redis cannot be reached, operations fail at once with {@link SharedStateUnavailable} and `disconnected` is
 * emitted once; when it is back the node subscribes again to every room it watches and emits `reconnected`
 * (`lost` when Redis no longer knows this node: its owner then calls {@link restore}).
 */
import { type StreamDeleteReasonCode, TypedEmitter, type WireRoomExtraInfo } from '@parley/protocol';
import { createLogger, type Logger } from '../../log.js';
import type {
  ClaimStreamResult,
  JoinResult,
  LeaveResult,
  MemberEntry,
  NodeHoldings,
  ReapedRoomEvent,
  RoomEventBody,
  RoomSnapshot,
  SharedState,
  SharedStateEvents,
  StreamEntry,
  UserHolder,
} from '../SharedState.js';
import { nodeIdProblem } from '../SharedState.js';
import { Heartbeat, type HeartbeatHost } from './Heartbeat.js';
import { decodeId, RedisKeys } from './keys.js';
import type { LuaScript } from './LuaScript.js';
import { RedisLink } from './RedisLink.js';
import { Subscriptions } from './Subscriptions.js';
import * as scripts from './scripts.js';
import {
  holdingsToWire,
  memberEntry,
  parseWire,
  readEntry,
  readSnapshot,
  roomEvent,
  type SnapshotReply,
  streamEntry,
  toWire,
  userHolder,
} from './wire.js';

export interface RedisStateOptions {
  /** `redis://host:port[/db]`, `rediss://…` or `unix:/path/to/redis.sock`. */
  url: string;
  /** This node's name, unique among the live nodes. */
  nodeID: string;
  /** Starts every key and channel name of this cluster, so several can share a database; default `parley:`. */
  prefix?: string;
  /** How often this node beats and reaps dead nodes. */
  heartbeatMs: number;
  /** A node silent this long is dead. */
  nodeTimeoutMs: number;
  /** How long a command may wait for Redis before it fails as unavailable; default 2000 ms. */
  commandTimeoutMs?: number;
  logger?: Logger;
}

export class RedisState extends TypedEmitter<SharedStateEvents> implements SharedState, HeartbeatHost {
  readonly nodeID: string;
  private readonly keys: RedisKeys;
  private readonly link: RedisLink;
  private readonly heartbeat: Heartbeat;
  private readonly log: Logger;
  private readonly nodeTimeoutMs: number;
  private readonly subscriptions: Subscriptions;
  private up = false;
  private started = false;
  /** close() or crash() was called: no more events. */
  private ended = false;
  private closing: Promise<void> | null = null;
  private resuming: Promise<void> | null = null;
  /** `reconnected(true)` was emitted and no restore has succeeded since. */
  private lostReported = false;

  constructor(options: RedisStateOptions) {
    super();
    const problem = nodeIdProblem(options.nodeID);
    if (problem !== '') throw new TypeError(problem);
    for (const key of ['heartbeatMs', 'nodeTimeoutMs', 'commandTimeoutMs'] as const) {
      const value = options[key];
      if (value !== undefined && !(Number.isFinite(value) && value > 0)) {
        throw new TypeError(`${key} must be a positive number of milliseconds (got ${value})`);
      }
    }
    this.nodeID = options.nodeID;
    this.keys = new RedisKeys(options.prefix ?? 'parley:');
    this.log = (options.logger ?? createLogger({ level: 'silent' })).child('cluster', {
      nodeID: this.nodeID,
    });
    this.nodeTimeoutMs = options.nodeTimeoutMs;
    this.link = new RedisLink({
      url: options.url,
      name: `${this.keys.prefix}${this.nodeID}`,
      commandTimeoutMs: options.commandTimeoutMs ?? 2000,
      logger: this.log,
    });
    this.subscriptions = new Subscriptions(
      this.link,
      this.keys,
      this.nodeID,
      {
        roomEvent: (appID, roomID, event) => this.emit('roomEvent', appID, roomID, event),
        nodeMessage: (message) => this.emit('nodeMessage', message),
      },
      this.log,
    );
    this.link.on('down', () => this.onDown());
    this.link.on('up', () => void this.resume());
    this.heartbeat = new Heartbeat(this, options.heartbeatMs, this.log);
  }

  get available(): boolean {
    return this.up;
  }

  async start(): Promise<void> {
    if (this.started) throw new Error('RedisState already started');
    this.started = true;
    await this.link.start();
    try {
      await this.subscriptions.resubscribe();
      const removed = (await this.run(scripts.REGISTER, [])) as number;
      if (removed > 0) this.log.warn('removed the entries an earlier run of this node left', { removed });
    } catch (error) {
      await this.link.close();
      throw error;
    }
    this.up = true;
    this.heartbeat.start();
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      this.heartbeat.stop();
      const clean = this.started && !this.ended && this.up;
      this.ended = true;
      this.subscriptions.stop();
      this.up = false;
      if (clean) {
        try {
          await this.run(scripts.UNREGISTER, []);
        } catch (error) {
          this.log.warn('could not remove this node from Redis; the other nodes will reap it', {
            error: String(error),
          });
        }
      }
      await this.link.close();
    })();
    return this.closing;
  }

  /**
   * Test hook: stops this node as `kill -9` would — no more heartbeats, both connections dropped, nothing removed
   * (the other nodes reap it). Await {@link close} afterwards to release the connections.
   */
  crash(): void {
    this.heartbeat.stop();
    this.ended = true;
    this.subscriptions.stop();
    this.up = false;
    this.link.drop();
  }

  /** Test hook: one heartbeat (and reap) now, as the timer runs it; a test that stretched heartbeatMs calls it. */
  heartbeatNow(): Promise<void> {
    return this.heartbeat.tick();
  }

  async claimUser(appID: number, userID: string, holder: UserHolder): Promise<UserHolder | null> {
    const holderJson = toWire({ nodeID: holder.nodeID, sessionID: holder.sessionID });
    const previous = (await this.run(scripts.CLAIM_USER, [appID, userID, holderJson])) as string;
    return previous === '' ? null : readEntry(userHolder, previous, this.log);
  }

  async releaseUser(appID: number, userID: string, sessionID: string): Promise<void> {
    await this.run(scripts.RELEASE_USER, [appID, userID, sessionID]);
  }

  async joinRoom(
    appID: number,
    roomID: string,
    member: MemberEntry,
    maxMemberCount: number,
  ): Promise<JoinResult> {
    const args = [appID, roomID, toWire(member), maxMemberCount];
    const reply = (await this.run(scripts.JOIN, args)) as [number, string?, SnapshotReply?, number?];
    if (reply[0] === 0) return { ok: false, reason: 'full' };
    const replaced = reply[1] ? readEntry(memberEntry, reply[1], this.log) : null;
    return { ok: true, snapshot: readSnapshot(reply[2]!, this.log), replaced, created: reply[3] === 1 };
  }

  async leaveRoom(
    appID: number,
    roomID: string,
    userID: string,
    sessionID: string,
    reason: StreamDeleteReasonCode,
  ): Promise<LeaveResult | null> {
    const reply = (await this.run(scripts.LEAVE, [appID, roomID, userID, sessionID, reason])) as number[];
    if (reply[0] !== 1) return null;
    return { seq: Number(reply[1]), roomClosed: reply[2] === 1 };
  }

  async roomSnapshot(appID: number, roomID: string): Promise<RoomSnapshot> {
    return readSnapshot((await this.run(scripts.SNAPSHOT, [appID, roomID])) as SnapshotReply, this.log);
  }

  async claimStream(appID: number, stream: StreamEntry): Promise<ClaimStreamResult> {
    const reply = (await this.run(scripts.CLAIM_STREAM, [appID, toWire(stream)])) as [number, string?];
    if (reply[0] === 1) return { ok: true };
    if (reply[0] === 2) return { ok: false, holder: null };
    const holder = readEntry(streamEntry, reply[1]!, this.log);
    if (!holder) throw new Error(`the holder of stream ${stream.streamID} is unreadable`);
    return { ok: false, holder };
  }

  async updateStream(
    appID: number,
    streamID: string,
    sessionID: string,
    patch: Partial<Pick<StreamEntry, 'extraInfo' | 'announced' | 'audio' | 'video'>>,
  ): Promise<void> {
    // Only the fields a patch may change, and only those given.
    const { extraInfo, announced, audio, video } = patch;
    const wire = toWire({ extraInfo, announced, audio, video });
    await this.run(scripts.UPDATE_STREAM, [appID, streamID, sessionID, wire]);
  }

  async removeStreams(
    appID: number,
    roomID: string,
    streamIDs: string[],
    sessionID: string,
    reason: StreamDeleteReasonCode,
  ): Promise<string[]> {
    if (streamIDs.length === 0) return [];
    return (await this.run(scripts.REMOVE_STREAMS, [
      appID,
      roomID,
      sessionID,
      reason,
      ...streamIDs,
    ])) as string[];
  }

  async findStream(appID: number, streamID: string): Promise<StreamEntry | null> {
    const json = await this.link.call((redis) => redis.get(this.keys.stream(appID, streamID)));
    return json === null ? null : readEntry(streamEntry, json, this.log);
  }

  async setRoomExtraInfo(
    appID: number,
    roomID: string,
    info: WireRoomExtraInfo,
    maxKeys: number,
  ): Promise<boolean> {
    const args = [appID, roomID, info.key, toWire(info), maxKeys];
    return (await this.run(scripts.SET_EXTRA_INFO, args)) === 1;
  }

  async broadcast(
    appID: number,
    roomID: string,
    message: Omit<Extract<RoomEventBody, { kind: 'broadcast' }>, 'kind' | 'messageID'>,
  ): Promise<number> {
    const body = toWire({ kind: 'broadcast', ...message });
    return (await this.run(scripts.BROADCAST, [appID, roomID, body])) as number;
  }

  async publishRoom(
    appID: number,
    roomID: string,
    event: Extract<RoomEventBody, { kind: 'command' | 'barrage' }>,
  ): Promise<void> {
    await this.run(scripts.PUBLISH_ROOM, [appID, roomID, toWire(event)]);
  }

  watchRoom(appID: number, roomID: string): Promise<void> {
    return this.subscriptions.watch(appID, roomID);
  }

  unwatchRoom(appID: number, roomID: string): Promise<void> {
    return this.subscriptions.unwatch(appID, roomID);
  }

  async sendToNode(nodeID: string, body: unknown): Promise<void> {
    const text = toWire({ from: this.nodeID, body });
    await this.link.call((redis) => redis.publish(this.keys.nodeChannel(nodeID), text));
  }

  async liveNodes(): Promise<string[]> {
    return await this.link.call((redis) => redis.zrange(this.keys.nodes, 0, -1));
  }

  async claimOnce(key: string, ttlMs: number): Promise<boolean> {
    // SET NX PX is atomic on its own: of two nodes claiming at once, exactly one gets OK.
    const name = this.keys.once(key);
    const ok = await this.link.call((redis) =>
      redis.set(name, '1', 'PX', Math.max(1, Math.ceil(ttlMs)), 'NX'),
    );
    return ok === 'OK';
  }

  async takeFromWindow(key: string, limit: number, windowMs: number): Promise<boolean> {
    // INCR and the PEXPIRE of the window's first call run in one script: a window can never be left without an
    // expiry (which would refuse its key forever) by a node that dies between the two.
    const ms = Math.max(1, Math.ceil(windowMs));
    const count = (await this.run(scripts.TAKE_FROM_WINDOW, [this.keys.window(key), ms])) as number;
    return count <= limit;
  }

  async forbidStream(appID: number, streamID: string): Promise<void> {
    await this.link.call((redis) => redis.set(this.keys.forbidden(appID, streamID), '1'));
  }

  async resumeStream(appID: number, streamID: string): Promise<boolean> {
    const removed = await this.link.call((redis) => redis.del(this.keys.forbidden(appID, streamID)));
    return removed > 0;
  }

  async isStreamForbidden(appID: number, streamID: string): Promise<boolean> {
    const exists = await this.link.call((redis) => redis.exists(this.keys.forbidden(appID, streamID)));
    return exists > 0;
  }

  async reapDeadNodes(): Promise<string[]> {
    const dead = (await this.run(scripts.DEAD_NODES, [this.nodeTimeoutMs])) as string[];
    const reaped: string[] = [];
    for (const nodeID of dead) {
      const reply = (await this.run(scripts.REAP, [nodeID, this.nodeTimeoutMs])) as (number | string)[];
      if (reply[0] !== 1) continue;
      reaped.push(nodeID);
      this.log.info('reaped a dead node', { deadNode: nodeID });
      const events: ReapedRoomEvent[] = [];
      for (let i = 1; i + 3 < reply.length; i += 4) {
        const parsed = parseWire(roomEvent, String(reply[i + 2]));
        if (!('value' in parsed)) {
          this.log.warn('dropped a malformed reaped event', { error: parsed.error });
          continue;
        }
        events.push({
          appID: Number(reply[i]),
          roomID: decodeId(String(reply[i + 1])),
          event: parsed.value,
          roomClosed: Number(reply[i + 3]) === 1,
        });
      }
      if (events.length > 0) this.emit('reaped', events);
    }
    return reaped;
  }

  async restore(holdings: NodeHoldings): Promise<void> {
    try {
      const [written, removed] = (await this.run(scripts.RESTORE, [holdingsToWire(holdings)])) as [
        number,
        number,
      ];
      this.lostReported = false;
      this.log.info('restored this node in Redis', { written, removed });
    } catch (error) {
      // The next beat that finds this node unregistered reports it again, so the owner tries again.
      this.lostReported = false;
      throw error;
    }
  }

  /** {@link HeartbeatHost}: refreshes this node's beat; false if Redis does not know this node. */
  async beat(): Promise<boolean> {
    return (await this.run(scripts.HEARTBEAT, [])) === 1;
  }

  /** {@link HeartbeatHost}: Redis does not know this node (any more). */
  unregistered(): void {
    if (this.lostReported || this.ended) return;
    this.lostReported = true;
    this.log.warn('Redis lost this node; restoring its entries');
    this.emit('reconnected', true);
  }

  /**
   * {@link HeartbeatHost}: both connections are back: subscribe again to this node's channel and every watched
   * room, then tell the owner, with whether Redis still knows this node.
   */
  resume(): Promise<void> {
    if (this.up || this.ended || !this.link.ready) return Promise.resolve();
    this.resuming ??= (async () => {
      try {
        await this.subscriptions.resubscribe();
        const registered = await this.beat();
        if (this.ended) return;
        this.up = true;
        if (!registered) this.lostReported = true;
        this.emit('reconnected', !registered);
      } catch (error) {
        this.log.debug('could not resume yet', { error: String(error) });
      }
    })().finally(() => {
      this.resuming = null;
    });
    return this.resuming;
  }

  private onDown(): void {
    if (!this.up || this.ended) return;
    this.up = false;
    this.emit('disconnected');
  }

  private run(script: LuaScript, args: readonly (string | number)[]): Promise<unknown> {
    return this.link.call((redis) => script.run(redis, [this.keys.prefix, this.nodeID, ...args]));
  }
}
