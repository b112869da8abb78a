/**
 * The browser tests across two nodes of a cluster on Redis: each side of a call on its own node, so every stream
 * reaches its player through a media pipe between the nodes.
 * - browser ↔ Node (support/nodeInterop.ts): the Node bots log in on one node, the pages on the other — a Node
 *   bot's stream decoded by Chromium, Chromium's stream received by a Node engine.
 * - the demo page (support/demoCall.ts): Ann's page served by one node, Bob's by the other, calling each other.
 */
import type { RunningServer } from '@parley/server';
import { RedisProcess, skipWithoutRedis } from '@parley/server/test/redis';
import { describeDemoCall } from './support/demoCall.js';
import { startTestServer, TEST_PAGES_DIR } from './support/fixtures.js';
import { describeNodeInterop } from './support/nodeInterop.js';

/** Two nodes on a redis-server of their own; with `testPages`, the second serves the test pages instead of the demo. */
async function twoNodes(
  testPages: boolean,
): Promise<{ nodes: [RunningServer, RunningServer]; close(): Promise<void> }> {
  const redis = await RedisProcess.start();
  const cluster = { redis: redis.url, heartbeatMs: 200, nodeTimeoutMs: 1000 };
  const nodes = await Promise.all([
    startTestServer({ cluster }),
    startTestServer({ cluster, ...(testPages ? { web: { demoDir: TEST_PAGES_DIR } } : {}) }),
  ]);
  return {
    nodes,
    close: async () => {
      await Promise.all(nodes.map((n) => n.close()));
      await redis.close();
    },
  };
}

describeNodeInterop(
  'browser ↔ Node on two nodes of a cluster',
  async () => {
    const { nodes, close } = await twoNodes(true);
    return { bots: nodes[0], pages: nodes[1], close };
  },
  skipWithoutRedis(),
);

describeDemoCall(
  'the demo page: two browsers in one call, each on its own node of a cluster',
  async () => {
    const { nodes, close } = await twoNodes(false);
    return { ann: nodes[0], bob: nodes[1], close };
  },
  skipWithoutRedis(),
);
