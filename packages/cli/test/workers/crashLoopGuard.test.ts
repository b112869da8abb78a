/** When a dead worker is started again, and when the primary gives up. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CrashLoopGuard } from '../../src/workers/CrashLoopGuard.js';

describe('CrashLoopGuard', () => {
  const options = { minUptimeMs: 10_000, maxQuickDeaths: 3, firstDelayMs: 100, maxDelayMs: 300 };

  it('starts a worker again at once after a healthy run', () => {
    const guard = new CrashLoopGuard(options);
    assert.equal(guard.died(0, 60_000), 0);
    assert.equal(guard.died(0, 10_000), 0);
    assert.equal(guard.quickDeathsOf(0), 0);
  });

  it('waits longer after each death soon after the start, up to the longest delay, then gives up', () => {
    const guard = new CrashLoopGuard(options);
    assert.equal(guard.died(1, null), 100, 'died before it was ready');
    assert.equal(guard.died(1, 2_000), 200);
    assert.equal(guard.died(1, 9_999), 300);
    assert.equal(guard.died(1, null), null);
    assert.equal(guard.quickDeathsOf(1), 4);
  });

  it('counts each worker on its own, and a healthy run clears the count', () => {
    const guard = new CrashLoopGuard(options);
    guard.died(0, null);
    guard.died(0, null);
    assert.equal(guard.died(1, null), 100, 'worker 1 has its own count');
    assert.equal(guard.died(0, 3_600_000), 0);
    assert.equal(guard.died(0, null), 100, 'counted from the start again');
  });
});
