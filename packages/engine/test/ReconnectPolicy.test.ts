import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ExponentialBackoffPolicy, Reconnector, silentLogger } from '../src/index.js';

test('default backoff: immediately, then 300, 600, 1200 … capped at 5 s', () => {
  const p = new ExponentialBackoffPolicy();
  const delays = [0, 1, 2, 3, 4, 5, 6, 7, 20, 1000].map((retryCount) =>
    p.nextRetryDelayInMs({ retryCount, elapsedMs: 0 }),
  );
  assert.deepEqual(delays, [0, 300, 600, 1200, 2400, 4800, 5000, 5000, 5000, 5000]);
});

test('default backoff gives up after 60 s and never waits past the deadline', () => {
  const p = new ExponentialBackoffPolicy();
  assert.equal(p.nextRetryDelayInMs({ retryCount: 9, elapsedMs: 60_000 }), null);
  assert.equal(p.nextRetryDelayInMs({ retryCount: 9, elapsedMs: 59_900 }), 100);
  assert.equal(p.nextRetryDelayInMs({ retryCount: 0, elapsedMs: 59_999 }), 0);
});

test('backoff options are honoured and checked', () => {
  const p = new ExponentialBackoffPolicy({ initialDelayMs: 10, maxDelayMs: 35, giveUpAfterMs: 1000 });
  const delays = [0, 1, 2, 3, 4].map((retryCount) => p.nextRetryDelayInMs({ retryCount, elapsedMs: 0 }));
  assert.deepEqual(delays, [0, 10, 20, 35, 35]);
  assert.equal(p.nextRetryDelayInMs({ retryCount: 1, elapsedMs: 1000 }), null);
  assert.throws(() => new ExponentialBackoffPolicy({ maxDelayMs: -1 }), TypeError);
  assert.throws(() => new ExponentialBackoffPolicy({ initialDelayMs: Number.NaN }), TypeError);
});

test('Reconnector retries failed attempts until one succeeds, asking the policy each time', async () => {
  const asked: number[] = [];
  let attempts = 0;
  const run = new Reconnector(
    {
      nextRetryDelayInMs: ({ retryCount }) => {
        asked.push(retryCount);
        return 1;
      },
    },
    async () => {
      attempts++;
      if (attempts < 3) throw new Error('refused');
      return 'ok';
    },
    silentLogger,
  );
  assert.equal(await run.done, 'ok');
  assert.deepEqual(asked, [0, 1, 2]);
});

test('Reconnector gives up with 1002053 when the policy says null', async () => {
  const run = new Reconnector(
    { nextRetryDelayInMs: ({ retryCount }) => (retryCount < 2 ? 0 : null) },
    async () => {
      throw new Error('refused');
    },
    silentLogger,
  );
  await assert.rejects(run.done, { code: 1002053 });
});

test('Reconnector stops at once when an attempt fails with 1002053 (the session is gone)', async () => {
  let attempts = 0;
  const run = new Reconnector(
    { nextRetryDelayInMs: () => 0 },
    async () => {
      attempts++;
      const { ParleyError } = await import('@parley/protocol');
      throw new ParleyError(1002053);
    },
    silentLogger,
  );
  await assert.rejects(run.done, { code: 1002053 });
  assert.equal(attempts, 1);
});

test('Reconnector.cancel ends a pending wait with 1002053', async () => {
  const run = new Reconnector({ nextRetryDelayInMs: () => 60_000 }, async () => 'never', silentLogger);
  run.cancel();
  await assert.rejects(run.done, { code: 1002053 });
  assert.equal(run.isCancelled, true);
});

test('a policy that throws counts as giving up', async () => {
  const run = new Reconnector(
    {
      nextRetryDelayInMs: () => {
        throw new Error('bad policy');
      },
    },
    async () => 'never',
    silentLogger,
  );
  await assert.rejects(run.done, { code: 1002053 });
});
