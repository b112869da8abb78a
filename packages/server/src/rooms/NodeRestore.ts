/**
 * This node's part in the cluster's recovery: when the shared state is reachable again after an outage (Redis
 * restarted, or this node's entries were lost), the node writes back everything it holds (its holdings) and
 * brings its room replicas in line with what the other nodes wrote back.
 */
import type { NodeHoldings, SharedState } from '../cluster/SharedState.js';
import type { Logger } from '../log.js';
import type { AppSpace } from './AppSpace.js';
import type { RoomReplicas } from './RoomReplicas.js';
import { entryOf } from './StreamRecord.js';

export interface NodeRestoreOptions {
  /** The AppSpaces of the rooms layer: what this node holds. */
  spaces: ReadonlyMap<number, AppSpace>;
  state: SharedState;
  replicas: RoomReplicas;
  /** How long after its store came back a node waits for the others to restore theirs before it resyncs for good. */
  settleMs: number;
  logger: Logger;
}

export class NodeRestore {
  /** The final resyncs waiting for the other nodes to restore their entries. */
  private readonly settling = new Set<NodeJS.Timeout>();
  private readonly onReconnected = (): void => void this.rebuild();
  private closed = false;

  constructor(private readonly o: NodeRestoreOptions) {
    o.state.on('reconnected', this.onReconnected);
  }

  /** Stops listening and drops the final resyncs not yet run (a rebuild under way writes on, then stops). */
  close(): void {
    this.closed = true;
    this.o.state.off('reconnected', this.onReconnected);
    for (const timer of this.settling) clearTimeout(timer);
    this.settling.clear();
  }

  /**
   * The shared state is reachable again after an outage (or lost this node's entries): this node writes back
   * what it holds, then brings its room replicas in line, once at once and once more after the other nodes
   * have had time to restore theirs (entries of nodes still missing then are of dead nodes).
   */
  private async rebuild(): Promise<void> {
    try {
      await this.o.state.restore(this.holdings());
      await this.resyncReplicas(false);
    } catch (err) {
      this.o.logger.warn('cluster rebuild failed', { error: String(err) });
      return;
    }
    if (this.closed) return;
    const settle = setTimeout(() => {
      this.settling.delete(settle);
      void this.resyncReplicas(true).catch((err) =>
        this.o.logger.warn('cluster resync failed', { error: String(err) }),
      );
    }, this.o.settleMs);
    settle.unref();
    this.settling.add(settle);
  }

  private async resyncReplicas(final: boolean): Promise<void> {
    const live = new Set(await this.o.state.liveNodes());
    for (const space of this.o.spaces.values()) {
      for (const room of [...space.rooms.values()]) {
        const snapshot = await this.o.state.roomSnapshot(space.app.appID, room.roomID);
        if (space.rooms.get(room.roomID) === room) this.o.replicas.resync(room, snapshot, live, final);
      }
    }
  }

  /** Everything this node holds in the shared state. */
  private holdings(): NodeHoldings {
    const nodeID = this.o.state.nodeID;
    const holdings: NodeHoldings = { users: [], members: [], streams: [], extraInfo: [] };
    for (const space of this.o.spaces.values()) {
      const appID = space.app.appID;
      for (const [userID, session] of space.sessionsByUser) {
        holdings.users.push({ appID, userID, holder: { nodeID, sessionID: session.id } });
      }
      for (const room of space.rooms.values()) {
        for (const m of room.members.values()) {
          holdings.members.push({
            appID,
            roomID: room.roomID,
            maxMemberCount: room.maxMemberCount,
            member: {
              userID: m.session.user.userID,
              userName: m.session.user.userName,
              nodeID,
              sessionID: m.session.id,
            },
          });
        }
        for (const record of room.streams.values())
          holdings.streams.push({ appID, stream: entryOf(record, nodeID) });
        for (const info of room.extraInfo.values())
          holdings.extraInfo.push({ appID, roomID: room.roomID, info });
      }
    }
    return holdings;
  }
}
