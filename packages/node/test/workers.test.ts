/**
 * `parley serve --workers 2`: two node processes behind one port on a private Redis. The call of three logs in
 * through the one port and lands on both workers, so users of different workers see, hear and play each other
 * (streams crossing a media pipe between the workers). One worker killed with SIGKILL: the primary starts a new
 * one, and the users it had come back by themselves through the same port.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { skipWithoutRedis } from '@parley/server/test/redis';
import type { ParleyProcess } from './support/ParleyProcess.js';
import { BOUND_MS, mediaSince, serve, startCall } from './support/threeCall.js';
import { until, waitFor } from './support/waitFor.js';

/** The worker each user logged in on, from the workers' `login` log lines. */
function loginWorkers(server: ParleyProcess): Map<string, number> {
  const workers = new Map<string, number>();
  for (const line of server.stderr.split('\n')) {
    if (!line.includes('"msg":"login"')) continue;
    const fields = JSON.parse(line) as { userID: string; worker: number };
    workers.set(fields.userID, fields.worker);
  }
  return workers;
}

/** The workers the banner lists: index and pid. */
function bannerWorkers(server: ParleyProcess): Map<number, number> {
  return new Map(
    [...server.stdout.matchAll(/\n {4}worker (\d+) +pid (\d+) /g)].map((m) => [Number(m[1]), Number(m[2])]),
  );
}

test('parley serve --workers 2: a call across both workers; a killed worker is replaced and its users come back', {
  skip: skipWithoutRedis(),
}, async (t) => {
  const server = await serve(0, { logLevel: 'info' }, ['--workers', '2']);
  const pids = bannerWorkers(server);
  assert.equal(pids.size, 2, server.stdout);
  const call = await startCall(server.url);
  const workers = loginWorkers(server);
  assert.deepEqual(
    new Set(workers.values()),
    new Set([0, 1]),
    `the users are on both workers: ${JSON.stringify([...workers])}`,
  );

  const catWorker = workers.get('cat')!;
  const catBack = Promise.all([
    waitFor(call.engines.cat, 'publisherStateUpdate', (_s, state) => state === 2, BOUND_MS),
    waitFor(call.engines.cat, 'playerStateUpdate', (_s, state) => state === 2, BOUND_MS),
  ]);
  const killedAt = performance.now();
  process.kill(pids.get(catWorker)!, 'SIGKILL');
  await until(
    () => server.stderr.includes(`Worker ${catWorker} started again`),
    () => `the primary to replace worker ${catWorker}: ${server.stderr.slice(-2000)}`,
    BOUND_MS,
  );
  await catBack;
  await mediaSince(call.players, performance.now());
  await call.viewsComplete();
  t.diagnostic(
    `kill -9 of a worker → its users publishing, playing and seen by all again: ${Math.round(performance.now() - killedAt)} ms`,
  );
});
