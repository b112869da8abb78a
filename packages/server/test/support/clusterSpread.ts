/**
 * Runs a server test file with its users spread over three nodes of one cluster: set `PARLEY_TEST_SPREAD`
 * (`memory`: three nodes of this process on one MemoryHub; `redis`: three nodes on a redis-server of their own)
 * and the harness starts three nodes instead of one and connects its clients to them in turn.
 * The wrapper files under test/cluster/spread/ set it and import a file of test/; whatever passes on one node
 * must pass spread over three.
 */
import { MemoryHub } from '../../src/cluster/memory/MemoryHub.js';
import { MemoryState } from '../../src/cluster/memory/MemoryState.js';
import { RedisState } from '../../src/cluster/redis/RedisState.js';
import type { SharedState } from '../../src/cluster/SharedState.js';
import { RedisProcess } from './redis/RedisProcess.js';

export type SpreadMode = 'memory' | 'redis';

export const NODES = 3;

/** The spread the running file asked for, or null for one node. */
export function spreadMode(): SpreadMode | null {
  const mode = process.env.PARLEY_TEST_SPREAD;
  if (mode === undefined || mode === '') return null;
  if (mode !== 'memory' && mode !== 'redis')
    throw new Error(`PARLEY_TEST_SPREAD must be memory or redis, not ${mode}`);
  return mode;
}

/** A node's shared state as the spread tests use it: the test hook that stops it as `kill -9` would. */
export type TestState = SharedState & { crash(): void };

/** Heartbeats of the tests' nodes: a crashed node is reaped within about a second. */
export const TEST_LIVENESS = { heartbeatMs: 200, nodeTimeoutMs: 1000 };

/** The shared states of the cluster's nodes (each given to one node's server, which starts and closes it). */
export async function nodeStates(mode: SpreadMode): Promise<TestState[]> {
  if (mode === 'memory') {
    const hub = new MemoryHub();
    return Array.from(
      { length: NODES },
      (_, i) => new MemoryState({ nodeID: `node-${i}`, hub, ...TEST_LIVENESS }),
    );
  }
  const url = await sharedRedis();
  // Each harness its own key prefix, so the clusters of one file never see each other in the one Redis.
  const prefix = `t${++clusters}:`;
  return Array.from(
    { length: NODES },
    (_, i) => new RedisState({ url, nodeID: `node-${i}`, prefix, ...TEST_LIVENESS }),
  );
}

let clusters = 0;
let redis: Promise<RedisProcess> | null = null;

/** The file's one redis-server, started by its first cluster. */
async function sharedRedis(): Promise<string> {
  redis ??= RedisProcess.start();
  return (await redis).url;
}

/** Stops the file's redis-server, if it started one (the spread wrapper files call it after their tests). */
export async function closeSharedRedis(): Promise<void> {
  const started = redis;
  redis = null;
  if (started) await (await started).close();
}
