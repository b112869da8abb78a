/** Chooses the shared state from the `cluster` settings: Redis when a URL is given, else this process's own. */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Logger } from '../log.js';
import { MemoryState } from './memory/MemoryState.js';
import { RedisState } from './redis/RedisState.js';
import type { SharedState } from './SharedState.js';

export interface ClusterSettings {
  redis?: string | undefined;
  nodeID?: string | undefined;
  heartbeatMs: number;
  nodeTimeoutMs: number;
}

/** A node name unique among the live nodes: the host, the process and a random part (a respawn gets a new one). */
export function defaultNodeID(): string {
  return `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
}

/** Creates and starts the shared state; the caller closes it after the rooms layer. */
export async function createSharedState(
  settings: ClusterSettings,
  logger: Logger,
  given?: SharedState,
): Promise<SharedState> {
  if (given) {
    await given.start();
    return given;
  }
  const nodeID = settings.nodeID ?? defaultNodeID();
  const liveness = { nodeID, heartbeatMs: settings.heartbeatMs, nodeTimeoutMs: settings.nodeTimeoutMs };
  const state: SharedState =
    settings.redis === undefined
      ? new MemoryState(liveness)
      : new RedisState({ ...liveness, url: settings.redis, logger });
  await state.start();
  return state;
}
