/**
 * Two Chromium pages call each other through the demo page of one server (support/demoCall.ts).
 */

import { describeDemoCall } from './support/demoCall.js';
import { startTestServer } from './support/fixtures.js';

describeDemoCall(
  'the demo page: two browsers in one call',
  async () => {
    const server = await startTestServer();
    return { ann: server, bob: server, close: () => server.close() };
  },
  false,
);
