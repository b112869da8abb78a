/** What the contract tests share: the cluster a test runs on, entries to write, and a recorder of events. */
import type { MediaTrackState, WireRoomExtraInfo } from '@parley/protocol';
import type {
  MemberEntry,
  NodeMessage,
  RoomEvent,
  SharedState,
  StreamEntry,
} from '../../../src/cluster/SharedState.js';

/** How a test's nodes keep time. The defaults (a minute and more) keep heartbeats out of a test's way. */
export interface ClusterOptions {
  /** How many nodes share the store; default 2. */
  nodes?: number;
  heartbeatMs?: number;
  /** One for every node, or one each. */
  nodeTimeoutMs?: number | readonly number[];
}

/** The timeout of node `i` under `options`, and the defaults that keep heartbeats out of a test's way. */
export function timing(options: ClusterOptions, i: number): { heartbeatMs: number; nodeTimeoutMs: number } {
  const timeout = options.nodeTimeoutMs ?? 120_000;
  return {
    heartbeatMs: options.heartbeatMs ?? 60_000,
    nodeTimeoutMs: typeof timeout === 'number' ? timeout : timeout[i]!,
  };
}

/** Nodes sharing one store, started, and what a test needs to look behind them. */
export interface TestCluster {
  readonly nodes: SharedState[];
  /** Stops a node as `kill -9` would: no more heartbeats, nothing removed. */
  crash(node: SharedState): Promise<void>;
  /** Makes a crashed node's last heartbeat older than any timeout, so that the next reap takes it. */
  expire(node: SharedState): Promise<void>;
  /** What the store still holds that belongs to `nodeID` (its users, members, streams, index, liveness). */
  leftovers(nodeID: string): Promise<string[]>;
  /** Every user, room and stream entry the store holds (the list of live nodes aside). */
  contents(): Promise<string[]>;
  /** Closes every node that is still open, then the store. */
  close(): Promise<void>;
}

export type MakeCluster = (options?: ClusterOptions) => Promise<TestCluster>;

export const APP = 1_000_001;
/** How long a test waits for an event that must come. */
export const EVENT_TIMEOUT_MS = 10_000;

export function member(
  userID: string,
  node: SharedState,
  sessionID = `${userID}@${node.nodeID}`,
): MemberEntry {
  return { userID, userName: `name of ${userID}`, nodeID: node.nodeID, sessionID };
}

export function stream(
  streamID: string,
  roomID: string,
  owner: MemberEntry,
  extra: Partial<Pick<StreamEntry, 'announced' | 'extraInfo' | 'media'>> = {},
): StreamEntry {
  const audio: MediaTrackState = 'OPEN';
  const video: MediaTrackState = 'OPEN';
  return {
    streamID,
    roomID,
    userID: owner.userID,
    userName: owner.userName,
    nodeID: owner.nodeID,
    sessionID: owner.sessionID,
    extraInfo: extra.extraInfo ?? '',
    media: extra.media ?? 'sfu',
    announced: extra.announced ?? true,
    audio,
    video,
  };
}

export function roomInfo(
  key: string,
  value: string,
  by: { userID: string; userName: string },
): WireRoomExtraInfo {
  return {
    key,
    value,
    updateUser: { userID: by.userID, userName: by.userName },
    updateTime: 1_700_000_000_123,
  };
}

/** Sorts entries by a key, so that snapshots compare whatever order the store keeps. */
export function sortBy<T>(list: T[], key: (item: T) => string): T[] {
  return [...list].sort((a, b) => key(a).localeCompare(key(b)));
}

type Waiter = { ready: () => boolean; resolve: () => void };

/** Every room event and node message one node receives, in order, with waits for those still to come. */
export class Recorder {
  readonly rooms: { appID: number; roomID: string; event: RoomEvent }[] = [];
  readonly messages: NodeMessage[] = [];
  private readonly waiters = new Set<Waiter>();

  constructor(readonly node: SharedState) {
    node.on('roomEvent', (appID, roomID, event) => {
      this.rooms.push({ appID, roomID, event });
      this.wake();
    });
    node.on('nodeMessage', (message) => {
      this.messages.push(message);
      this.wake();
    });
  }

  /** The events of one room received so far. */
  of(roomID: string, appID = APP): RoomEvent[] {
    return this.rooms.filter((r) => r.appID === appID && r.roomID === roomID).map((r) => r.event);
  }

  /** Resolves with the room's first `count` events once they are here; fails, listing them, after a timeout. */
  async events(roomID: string, count: number, appID = APP): Promise<RoomEvent[]> {
    await this.until(
      () => this.of(roomID, appID).length >= count,
      () =>
        `${count} events of room ${roomID} on ${this.node.nodeID}; got ${JSON.stringify(this.of(roomID, appID))}`,
    );
    return this.of(roomID, appID).slice(0, count);
  }

  /** Resolves with the first room event (of any room) that satisfies `match`. */
  async event(match: (event: RoomEvent, roomID: string) => boolean, what: string): Promise<RoomEvent> {
    const find = () => this.rooms.find((r) => match(r.event, r.roomID))?.event;
    await this.until(
      () => find() !== undefined,
      () => `${what} on ${this.node.nodeID}`,
    );
    return find()!;
  }

  /** Resolves with the node messages once `count` are here. */
  async nodeMessages(count: number): Promise<NodeMessage[]> {
    await this.until(
      () => this.messages.length >= count,
      () => `${count} node messages on ${this.node.nodeID}; got ${JSON.stringify(this.messages)}`,
    );
    return this.messages.slice(0, count);
  }

  private until(ready: () => boolean, what: () => string): Promise<void> {
    if (ready()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        ready,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      };
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        reject(new Error(`timed out after ${EVENT_TIMEOUT_MS} ms waiting for ${what()}`));
      }, EVENT_TIMEOUT_MS);
      this.waiters.add(waiter);
    });
  }

  private wake(): void {
    for (const waiter of [...this.waiters]) {
      if (!waiter.ready()) continue;
      this.waiters.delete(waiter);
      waiter.resolve();
    }
  }
}

/** Resolves with the arguments of the node's next `event`; fails after a timeout. */
export function next<K extends 'reconnected' | 'disconnected'>(
  node: SharedState,
  event: K,
): Promise<K extends 'reconnected' ? [lost: boolean] : []> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`timed out waiting for ${event} on ${node.nodeID}`)),
      EVENT_TIMEOUT_MS,
    );
    node.once(event, ((...args: unknown[]) => {
      clearTimeout(timer);
      resolve(args as never);
    }) as never);
  });
}
