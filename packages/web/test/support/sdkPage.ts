/**
 * A page with the web SDK loaded from the server (`/sdk/parley.mjs`), an engine logged in as `window.zg`, and
 * every event it emits recorded in `window.events` — for tests that drive the SDK itself rather than the demo.
 * The server must serve the test pages folder (`startTestServer({ web: { demoDir: TEST_PAGES_DIR } })`).
 */
import type { RunningServer } from '@parley/server';
import type { Browser, Page } from 'playwright-core';
import { newPage } from './browser.js';
import { APP, token } from './fixtures.js';

/** The events a test page records, `[name, ...args]` (arguments cloned to JSON). */
export const RECORDED_EVENTS = [
  'roomStateChanged',
  'roomStreamUpdate',
  'roomUserUpdate',
  'publisherStateUpdate',
  'playerStateUpdate',
  'publishQualityUpdate',
  'playQualityUpdate',
  'remoteCameraStatusUpdate',
  'remoteMicStatusUpdate',
  'playerRecvVideoFirstFrame',
];

export interface SdkPage {
  page: Page;
  errors: string[];
  /** The recorded events named `name`, as argument lists. */
  events(name: string): Promise<unknown[][]>;
  close(): Promise<void>;
}

/** Opens the blank test page, creates `window.zg` and logs it in to `roomID` as `userID`. */
export async function openSdkPage(
  browser: Browser,
  server: RunningServer,
  userID: string,
  roomID: string,
  options: { qualityIntervalMs?: number } = {},
): Promise<SdkPage> {
  const { page, errors } = await newPage(browser);
  await page.goto(`${server.httpUrl}/blank.html`);
  await page.evaluate(
    async ({ appID, userID, roomID, token, names, qualityIntervalMs }) => {
      const { ZegoExpressEngine } = await import('/sdk/parley.mjs' as string);
      const zg = new ZegoExpressEngine(appID, '', qualityIntervalMs ? { qualityIntervalMs } : {});
      const w = window as unknown as { zg: unknown; events: unknown[][] };
      w.zg = zg;
      w.events = [];
      for (const name of names) {
        zg.on(name, (...args: unknown[]) => w.events.push([name, ...JSON.parse(JSON.stringify(args))]));
      }
      await zg.loginRoom(roomID, token, { userID }, { userUpdate: true });
    },
    {
      appID: APP.appID,
      userID,
      roomID,
      token: token(userID),
      names: RECORDED_EVENTS,
      qualityIntervalMs: options.qualityIntervalMs,
    },
  );
  return {
    page,
    errors,
    events: (name) =>
      page.evaluate(
        (name) =>
          (window as unknown as { events: unknown[][] }).events
            .filter((e) => e[0] === name)
            .map((e) => e.slice(1)),
        name,
      ),
    close: () => page.context().close(),
  };
}
