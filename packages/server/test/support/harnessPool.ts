/** Harnesses for test files that start a server per test, closed together once the file has run. */
import { after } from 'node:test';
import type { ServerOptions } from '../../src/index.js';
import { type Harness, startHarness } from './harness.js';

/**
 * A `startHarness` whose servers are all closed once the test file has run, for files that start one per test.
 * @example
 * const harness = harnessesClosedAfterFile();
 * const h = await harness({ limits: { socketsPerAddress: 1 } });
 */
export function harnessesClosedAfterFile(): (options?: Partial<ServerOptions>) => Promise<Harness> {
  const harnesses: Harness[] = [];
  after(async () => {
    await Promise.all(harnesses.map((h) => h.close()));
  });
  return async (options = {}) => {
    const h = await startHarness(options);
    harnesses.push(h);
    return h;
  };
}
