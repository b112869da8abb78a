/**
 * Browser ↔ Node across two nodes of a cluster on Redis (support/nodeInterop.ts): the Node bots log in on one
 * node, the pages on the other, so each stream reaches its player through a media pipe between the nodes — a
 * Node bot's stream decoded by Chromium on the other node, Chromium's stream received by a Node engine there.
 */
import { RedisProcess, skipWithoutRedis } from '@parley/server/test/redis';
import { startTestServer, TEST_PAGES_DIR } from './support/fixtures.js';
import { describeNodeInterop } from './support/nodeInterop.js';

describeNodeInterop(
  'browser ↔ Node on two nodes of a cluster',
  async () => {
    const redis = await RedisProcess.start();
    const cluster = { redis: redis.url, heartbeatMs: 200, nodeTimeoutMs: 1000 };
    const [bots, pages] = await Promise.all([
      startTestServer({ cluster }),
      startTestServer({ cluster, web: { demoDir: TEST_PAGES_DIR } }),
    ]);
    return {
      bots,
      pages,
      close: async () => {
        await Promise.all([bots.close(), pages.close()]);
        await redis.close();
      },
    };
  },
  skipWithoutRedis(),
);
