/**
 * Records what reaches the process from a test's callbacks: uncaught exceptions and unhandled rejections. Node's
 * test runner reports them too, but only against whichever test runs at the time; this names the test that
 * caused them and lets it assert that there were none. The Node SDK's tests import it as
 * `@parley/engine/test/processErrors`.
 */
import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';

export interface ProcessErrors {
  readonly uncaught: unknown[];
  readonly unhandled: unknown[];
  /** Asserts that nothing reached the process, once pending rejections have been seen (one macrotask turn). */
  none(): Promise<void>;
}

export function watchProcessErrors(t: TestContext): ProcessErrors {
  const uncaught: unknown[] = [];
  const unhandled: unknown[] = [];
  const onUncaught = (err: unknown): void => {
    uncaught.push(err);
  };
  const onUnhandled = (reason: unknown): void => {
    unhandled.push(reason);
  };
  process.on('uncaughtException', onUncaught);
  process.on('unhandledRejection', onUnhandled);
  t.after(() => {
    process.off('uncaughtException', onUncaught);
    process.off('unhandledRejection', onUnhandled);
  });
  return {
    uncaught,
    unhandled,
    async none() {
      // Node reports an unhandled rejection after the microtasks of the turn that made it: one turn later every
      // rejection made so far has been reported.
      await new Promise<void>((resolve) => setImmediate(resolve));
      assert.deepEqual(uncaught.map(String), [], 'uncaught exceptions');
      assert.deepEqual(unhandled.map(String), [], 'unhandled rejections');
    },
  };
}
