/** A real Parley server with a development app for the browser tests, tokens for it, and polling helpers. */
import { fileURLToPath } from 'node:url';
import { createLogger, type RunningServer, type ServerOptions, startServer } from '@parley/server';
import { generateToken04 } from '@parley/token';

export const APP = {
  appID: 3141592653,
  appSign: 'cd'.repeat(32),
  serverSecret: 'fedcba9876543210fedcba9876543210',
};

/** The test pages (HTML) kept next to the tests' sources. */
export const TEST_PAGES_DIR = fileURLToPath(new URL('../../../test/pages', import.meta.url));

/** Starts a server on 127.0.0.1 port 0 with {@link APP} as its development app (so `/dev/token` works). */
export function startTestServer(options: Partial<ServerOptions> = {}): Promise<RunningServer> {
  return startServer({
    apps: [APP],
    devAppID: APP.appID,
    logger: createLogger({ level: 'silent' }),
    ...options,
  });
}

/** A Token04 for `userID` in {@link APP}. */
export function token(userID: string): string {
  return generateToken04(APP.appID, userID, APP.serverSecret, 3600);
}

let counter = 0;
/** An ID no other test uses. */
export function unique(prefix: string): string {
  counter++;
  return `${prefix}-${process.pid}-${counter}`;
}

/**
 * Polls `read` until `accept` approves its value; returns that value. Rejects after `timeoutMs` with the last
 * value seen, so a failure says how far it got.
 */
export async function until<T>(
  what: string,
  read: () => Promise<T> | T,
  accept: (value: T) => boolean,
  timeoutMs = 15_000,
  everyMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  for (;;) {
    last = await read();
    if (accept(last)) return last;
    if (Date.now() > deadline) {
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}; last value: ${JSON.stringify(last)}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}
