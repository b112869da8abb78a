/** The router's one inactivity timer (sfu/InactivitySweep.ts); router.test.ts has the end-to-end cases. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InactivitySweep, type Watched } from '../../src/sfu/InactivitySweep.js';

function entry(lastActivity: number, onExpire: () => void = () => {}): Watched & { expired: number } {
  const e = {
    expired: 0,
    lastActivity: () => lastActivity,
    expire: () => {
      e.expired += 1;
      onExpire();
    },
  };
  return e;
}

test('a sweep expires each entry silent for longer than the deadline, once, and stops watching it', (t) => {
  const sweep = new InactivitySweep(1000);
  t.after(() => sweep.close());
  const silent = entry(0);
  const heard = entry(500);
  const edge = entry(101);
  for (const e of [silent, heard, edge]) sweep.watch(e);
  sweep.sweep(1100.5);
  assert.deepEqual([silent.expired, heard.expired, edge.expired], [1, 0, 0]);
  assert.equal(sweep.size, 2);
  sweep.sweep(1100.5);
  assert.equal(silent.expired, 1, 'an expired entry is not expired again');
  sweep.sweep(1400);
  assert.deepEqual([heard.expired, edge.expired], [0, 1]);
  assert.equal(sweep.size, 1);
});

test('an entry whose close throws does not stop the sweep', (t) => {
  const sweep = new InactivitySweep(1000);
  t.after(() => sweep.close());
  const failing = entry(0, () => {
    throw new Error('close failed');
  });
  const other = entry(0);
  sweep.watch(failing);
  sweep.watch(other);
  assert.doesNotThrow(() => sweep.sweep(5000));
  assert.deepEqual([failing.expired, other.expired], [1, 1]);
  assert.equal(sweep.size, 0);
});

test('the timer runs only while something is watched, and expires a silent entry by itself', async (t) => {
  const sweep = new InactivitySweep(60); // period 50 ms (the floor)
  // The sweep's timer is unref'd (it never keeps a process alive): this keeps the test's loop running.
  const keepAlive = setTimeout(() => {}, 10_000);
  t.after(() => {
    clearTimeout(keepAlive);
    sweep.close();
  });
  const expired = new Promise<void>((resolve) => sweep.watch(entry(performance.now(), resolve)));
  await expired;
  assert.equal(sweep.size, 0);
  const e = entry(performance.now());
  sweep.watch(e);
  sweep.unwatch(e);
  assert.equal(sweep.size, 0);
});
