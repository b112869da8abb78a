/**
 * Browser ↔ Node through one Parley server (support/nodeInterop.ts): a Node bot publishes and Chromium plays and
 * decodes it; Chromium publishes and the Node engine receives the frames; mutes reach the other side.
 */
import { startTestServer, TEST_PAGES_DIR } from './support/fixtures.js';
import { describeNodeInterop } from './support/nodeInterop.js';

describeNodeInterop(
  'browser ↔ Node',
  async () => {
    const server = await startTestServer({ web: { demoDir: TEST_PAGES_DIR } });
    return { bots: server, pages: server, close: () => server.close() };
  },
  false,
);
