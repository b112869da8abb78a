/**
 * Three `parley serve --redis` nodes in child processes sharing a redis-server of the test's own, with a call of
 * three spread over them (Ann on node 0, Bob on node 1, Cat on node 2, each playing a stream published on
 * another node, so every stream crosses a media pipe). A node killed with SIGKILL: the others tell their users it
 * is gone within the 10 s the issue allows, Redis keeps nothing of it, and its users come back by themselves
 * through its successor. Redis restarted: media goes on, logins fail with 1002099 while it is down, and the
 * state is rebuilt from the nodes when it is back.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RedisProcess, skipWithoutRedis } from '@parley/server/test/redis';
import { Redis } from 'ioredis';
import { token, uniqueRoom } from './support/fixtures.js';
import type { ParleyProcess } from './support/ParleyProcess.js';
import { BOUND_MS, closers, mediaSince, prepare, serve, startCall, webEngine } from './support/threeCall.js';
import { until, waitFor } from './support/waitFor.js';

const LIVENESS = { heartbeatMs: 200, nodeTimeoutMs: 1000 };

async function cluster(): Promise<{ redis: RedisProcess; nodes: ParleyProcess[]; settings: object }> {
  const redis = await RedisProcess.start();
  closers.push(() => redis.close());
  const settings = { cluster: { redis: redis.url, ...LIVENESS } };
  const nodes = await Promise.all([0, 1, 2].map(() => serve(0, settings)));
  return { redis, nodes, settings };
}

async function nodeIDOf(node: ParleyProcess): Promise<string> {
  const health = (await (
    await fetch(`${node.url.replace(/^ws/, 'http').replace(/\/ws$/, '')}/healthz`)
  ).json()) as {
    cluster: { nodeID: string };
  };
  return health.cluster.nodeID;
}

/** The keys of the cluster's Redis whose name or value mentions `text` (a nodeID, a userID). */
async function mentions(redis: RedisProcess, text: string): Promise<string[]> {
  const client = new Redis(redis.url, { lazyConnect: true, maxRetriesPerRequest: 0 });
  await client.connect();
  try {
    const found: string[] = [];
    for (const key of await client.keys('*')) {
      const type = await client.type(key);
      const value =
        type === 'string'
          ? ((await client.get(key)) ?? '')
          : type === 'hash'
            ? JSON.stringify(await client.hgetall(key))
            : type === 'set'
              ? JSON.stringify(await client.smembers(key))
              : type === 'zset'
                ? JSON.stringify(await client.zrange(key, 0, -1))
                : '';
      if (key.includes(text) || value.includes(text)) found.push(key);
    }
    return found;
  } finally {
    client.disconnect();
  }
}

test('a call spread over three nodes; kill -9 of one: its users are gone everywhere, then back by themselves', {
  skip: skipWithoutRedis(),
}, async (t) => {
  const { redis, nodes, settings } = await cluster();
  const [n0, n1, n2] = nodes as [ParleyProcess, ParleyProcess, ParleyProcess];
  const call = await startCall({ ann: n0.url, bob: n1.url, cat: n2.url });
  const doomedID = await nodeIDOf(n2);
  assert.ok((await mentions(redis, doomedID)).length > 0, 'the node is in Redis while it runs');

  const successor = await prepare(n2.port, settings);
  const killedAt = performance.now();
  n2.kill('SIGKILL');
  await n2.exited;
  // Ann and Bob (nodes 0 and 1) are told that Cat and its stream are gone.
  const { ann, bob } = call.views;
  await until(
    () =>
      !ann.users.has('cat') &&
      !ann.streams.has('cat-mic') &&
      !bob.users.has('cat') &&
      !bob.streams.has('cat-mic'),
    () => 'Ann and Bob to see Cat leave',
    BOUND_MS,
  );
  const goneAfter = performance.now() - killedAt;
  t.diagnostic(
    `kill -9 → the other nodes' users saw the dead node's user and stream go: ${Math.round(goneAfter)} ms`,
  );
  assert.ok(goneAfter < 10_000, `within 10 s (${Math.round(goneAfter)} ms)`);
  await until(
    async () => (await mentions(redis, doomedID)).length === 0,
    () => 'Redis to forget the dead node',
    BOUND_MS,
  );

  // Cat's engine reconnects to the successor (the same address), logs in again, republishes and plays again.
  const catBack = Promise.all([
    waitFor(call.engines.cat, 'publisherStateUpdate', (_s, state) => state === 2, BOUND_MS),
    waitFor(call.engines.cat, 'playerStateUpdate', (_s, state) => state === 2, BOUND_MS),
  ]);
  await successor.listen();
  const listeningAt = performance.now();
  await catBack;
  await mediaSince(call.players, listeningAt);
  await call.viewsComplete();
  t.diagnostic(
    `successor listening → media flowing to every player again: ${Math.round(performance.now() - listeningAt)} ms`,
  );
});

test('Redis restarted: media goes on, logins fail with 1002099 while it is down, the state is rebuilt', {
  skip: skipWithoutRedis(),
}, async (t) => {
  const { redis, nodes } = await cluster();
  const [n0, n1, n2] = nodes as [ParleyProcess, ParleyProcess, ParleyProcess];
  const call = await startCall({ ann: n0.url, bob: n1.url, cat: n2.url });
  // Eve joins, then leaves while Redis is down: the rebuilt state must not keep her.
  const eve = webEngine(n0.url);
  await eve.loginRoom(call.room, token('eve'), { userID: 'eve' });
  await until(
    () => call.views.bob.users.has('eve'),
    () => 'Bob to see Eve',
    BOUND_MS,
  );

  await redis.stop();
  const downAt = performance.now();
  await mediaSince(call.players, downAt);
  const refused = await webEngine(n1.url)
    .loginRoom(uniqueRoom('while-down'), token('late'), { userID: 'late' })
    .then(
      () => 0,
      (err: { code?: number }) => err.code ?? -1,
    );
  assert.equal(refused, 1002099, 'a login while Redis is down is refused with 1002099');
  await eve.logoutRoom(call.room);

  await redis.restart();
  const backAt = performance.now();
  const dora = webEngine(n2.url);
  const members = new Set<string>();
  dora.on('roomUserUpdate', (_room: string, type: string, users: { userID: string }[]) => {
    for (const u of users) type === 'ADD' ? members.add(u.userID) : members.delete(u.userID);
  });
  await until(
    () =>
      dora.loginRoom(call.room, token('dora'), { userID: 'dora' }, { userUpdate: true }).then(
        () => true,
        () => false,
      ),
    () => 'a login to succeed once Redis is back',
    BOUND_MS,
  );
  t.diagnostic(`Redis back → a new login succeeds: ${Math.round(performance.now() - backAt)} ms`);
  await until(
    () => ['ann', 'bob', 'cat'].every((u) => members.has(u)) && !members.has('eve'),
    () => `Dora to see Ann, Bob and Cat, not Eve: ${[...members]}`,
    BOUND_MS,
  );
  assert.deepEqual(await mentions(redis, 'eve'), [], 'nothing stale: Eve left while Redis was down');
  for (const node of nodes) assert.ok((await mentions(redis, await nodeIDOf(node))).length > 0);
  await mediaSince(call.players, performance.now());
});
