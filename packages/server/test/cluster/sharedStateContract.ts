/**
 * The contract every {@link SharedState} keeps (the rules in src/cluster/SharedState.ts), as one suite that runs
 * against each implementation (hono's `runTest({ newRouter })` pattern): memoryState.test.ts runs it on nodes of
 * one MemoryHub, redisState.test.ts on nodes of one real redis-server.
 *
 * Each test opens its own cluster of two or three started nodes; heartbeats are a minute apart unless a test asks
 * otherwise, so that only the tests about liveness see any. A test that needs a node dead crashes it and makes
 * its last heartbeat old in the store (`expire`), then reaps — or, once, waits for a node's own timer to do it.
 */
import { afterEach, describe } from 'node:test';
import { forbiddenTests } from './contract/forbidden.js';
import { messageTests } from './contract/messages.js';
import { nodeTests } from './contract/nodes.js';
import { onceTests } from './contract/once.js';
import { roomTests } from './contract/rooms.js';
import { serverStreamTests } from './contract/serverStreams.js';
import { streamTests } from './contract/streams.js';
import type { MakeCluster, TestCluster } from './contract/support.js';
import { userTests } from './contract/users.js';
import { windowTests } from './contract/windows.js';

export type { ClusterOptions, MakeCluster, TestCluster } from './contract/support.js';
export { timing } from './contract/support.js';

/** Runs the contract against the implementation `makeCluster` builds clusters of. */
export function describeSharedState(
  name: string,
  makeCluster: MakeCluster,
  options: { skip?: string | false } = {},
): void {
  describe(`${name} keeps the SharedState contract`, { skip: options.skip ?? false }, () => {
    const opened: TestCluster[] = [];
    const open: MakeCluster = async (clusterOptions) => {
      const cluster = await makeCluster(clusterOptions);
      opened.push(cluster);
      return cluster;
    };
    afterEach(async () => {
      for (const cluster of opened.splice(0)) await cluster.close();
    });
    describe('users', () => userTests(open));
    describe('rooms', () => roomTests(open));
    describe('streams', () => streamTests(open));
    describe('messages', () => messageTests(open));
    describe('nodes', () => nodeTests(open));
    describe('once', () => onceTests(open));
    describe('windows', () => windowTests(open));
    describe('forbidden streams', () => forbiddenTests(open));
    describe('server streams', () => serverStreamTests(open));
  });
}
