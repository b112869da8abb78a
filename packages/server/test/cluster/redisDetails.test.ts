/**
 * What only RedisState has: its URL forms, its key encoding (the same in TypeScript and in the scripts), key
 * prefixes that keep clusters apart in one database, malformed channel messages dropped, a clear refusal to start
 * without Redis, and a node that starts again under its nodeID after a crash.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { after, afterEach, before, describe, it } from 'node:test';
import { StreamDeleteReason } from '@parley/protocol';
import { Redis } from 'ioredis';
import { decodeId, encodeId, RedisKeys } from '../../src/cluster/redis/keys.js';
import { COMMON_LUA } from '../../src/cluster/redis/lua/common.js';
import { RedisState } from '../../src/cluster/redis/RedisState.js';
import { parseRedisUrl, redactRedisUrl } from '../../src/cluster/redis/redisUrl.js';
import { SharedStateUnavailable } from '../../src/cluster/SharedState.js';
import { createLogger } from '../../src/log.js';
import { RedisProcess, skipWithoutRedis } from '../support/redis/RedisProcess.js';
import { APP, member, Recorder, stream } from './contract/support.js';

const skip = skipWithoutRedis();
let server: RedisProcess;
let redis: Redis;
const closers: (() => Promise<unknown>)[] = [];

before(async () => {
  if (skip) return;
  server = await RedisProcess.start();
  redis = new Redis(server.url, { lazyConnect: true });
  await redis.connect();
});
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});
after(async () => {
  await redis?.quit();
  await server?.close();
});

async function node(
  nodeID: string,
  prefix: string,
  extra: { logLines?: string[] } = {},
): Promise<RedisState> {
  const logger = createLogger({ level: 'debug', write: (line) => extra.logLines?.push(line) });
  const state = new RedisState({
    url: server.url,
    nodeID,
    prefix,
    heartbeatMs: 60_000,
    nodeTimeoutMs: 120_000,
    logger,
  });
  await state.start();
  closers.push(() => state.close());
  return state;
}

describe('Redis URLs', () => {
  it('takes redis://, rediss:// and unix: forms', () => {
    assert.deepEqual(parseRedisUrl('redis://127.0.0.1:6390/3'), { host: '127.0.0.1', port: 6390, db: 3 });
    assert.deepEqual(parseRedisUrl('redis://localhost'), { host: 'localhost', port: 6379, db: 0 });
    assert.deepEqual(parseRedisUrl('redis://[::1]:7000'), { host: '::1', port: 7000, db: 0 });
    assert.deepEqual(parseRedisUrl('rediss://app:p%40ss@cache.internal:6380/1'), {
      host: 'cache.internal',
      port: 6380,
      db: 1,
      username: 'app',
      password: 'p@ss',
      tls: { servername: 'cache.internal' },
    });
    assert.deepEqual(parseRedisUrl('redis://:secret@127.0.0.1'), {
      host: '127.0.0.1',
      port: 6379,
      db: 0,
      password: 'secret',
    });
    assert.deepEqual(parseRedisUrl('unix:/run/redis/redis.sock'), { path: '/run/redis/redis.sock', db: 0 });
    assert.deepEqual(parseRedisUrl('unix:///run/redis.sock?db=2'), { path: '/run/redis.sock', db: 2 });
  });

  it('refuses anything else with a TypeError that says what is wrong', () => {
    for (const [url, problem] of [
      ['http://127.0.0.1:6379', /scheme/],
      ['127.0.0.1:6379', /scheme|not a URL/],
      ['redis://127.0.0.1/db1', /database/],
      ['unix:relative.sock', /absolute/],
      ['unix:/run/redis.sock?db=x', /database/],
    ] as const) {
      assert.throws(
        () => parseRedisUrl(url),
        (e: Error) => e instanceof TypeError && problem.test(e.message),
        url,
      );
    }
  });

  it('leaves passwords out of logs', () => {
    assert.equal(redactRedisUrl('redis://app:secret@h:1/2'), 'redis://app:***@h:1/2');
    assert.equal(redactRedisUrl('rediss://:secret@h'), 'rediss://:***@h');
    assert.equal(redactRedisUrl('redis://h:1'), 'redis://h:1');
  });
});

describe('RedisState details', { skip }, () => {
  it('encodes IDs in key names alike in TypeScript and in the scripts, and never with a colon', async () => {
    const ids = [
      'plain-ID_1.2~',
      'a:b',
      '%3A',
      "~!@#$%^&*()_+=-`;',.<>/\\",
      'ünï cödé 房间',
      '{tag}',
      ' \n\t',
      '',
    ];
    for (const id of ids) {
      const inLua = await redis.eval(`${COMMON_LUA}\nreturn enc(ARGV[3])`, 0, 'p:', 'n', id);
      assert.equal(inLua, encodeId(id), JSON.stringify(id));
      assert.equal(encodeId(id).includes(':'), false);
    }
    assert.notEqual(encodeId('a:b'), encodeId('a%3Ab'));
    // The reaper reads the rooms of the events it is given back from their encoded names.
    for (const id of ['a:b', 'a%3Ab', 'räum 🎥', '']) assert.equal(decodeId(encodeId(id)), id);
  });

  it('keeps clusters of different prefixes apart in one database, even with the same nodeIDs and IDs', async () => {
    const one = await node('same', 'one:');
    const two = await node('same', 'two:');
    const onTwo = new Recorder(two);
    await two.watchRoom(APP, 'r');
    await one.joinRoom(APP, 'r', member('u', one), 1);
    assert.deepEqual(await two.joinRoom(APP, 'r', member('v', two), 1), {
      ok: true,
      replaced: null,
      created: true,
      snapshot: { seq: 1, members: [member('v', two)], streams: [], extraInfo: [] },
    });
    assert.equal(await two.claimUser(APP, 'u', { nodeID: 'same', sessionID: 'x' }), null);
    await one.close();
    assert.deepEqual(await two.liveNodes(), ['same']);
    assert.deepEqual(
      (await onTwo.events('r', 1)).map((e) => e.origin + e.kind),
      ['samejoin'],
    );
    assert.deepEqual((await two.roomSnapshot(APP, 'r')).members, [member('v', two)]);
  });

  it('drops (and logs) a malformed message on a room channel or its own channel, and goes on', async () => {
    const logLines: string[] = [];
    const a = await node('a', 'mal:', { logLines });
    const onA = new Recorder(a);
    await a.watchRoom(APP, 'r');
    const keys = new RedisKeys('mal:');
    await redis.publish(keys.roomChannel(APP, 'r'), 'not json');
    await redis.publish(keys.roomChannel(APP, 'r'), JSON.stringify({ origin: 'x', seq: 1, kind: 'explode' }));
    await redis.publish(keys.roomChannel(APP, 'r'), JSON.stringify({ origin: 'x', seq: 1, kind: 'leave' }));
    await redis.publish(keys.nodeChannel('a'), '[1, 2');
    await redis.publish(keys.nodeChannel('a'), JSON.stringify({ body: 'no sender' }));
    await a.joinRoom(APP, 'r', member('u', a), 0);
    await a.sendToNode('a', 'fine');
    assert.deepEqual(
      (await onA.events('r', 1)).map((e) => e.kind),
      ['join'],
    );
    assert.deepEqual(await onA.nodeMessages(1), [{ from: 'a', body: 'fine' }]);
    assert.equal(onA.rooms.length, 1);
    const dropped = logLines.filter((l) => l.includes('dropped a malformed'));
    assert.equal(dropped.length, 5, logLines.join('\n'));
  });

  it('carries a name with a lone surrogate as U+FFFD, as the wire to a client would, without failing a script', async () => {
    const a = await node('a', 'utf:');
    const odd = { ...member('u', a), userName: 'x\uD800y' };
    const joined = await a.joinRoom(APP, 'r', odd, 0);
    assert.ok(joined.ok);
    assert.equal(joined.snapshot.members[0]!.userName, 'x\uFFFDy');
    await a.claimStream(APP, stream('s', 'r', odd, { extraInfo: '\uDC00' }));
    await a.updateStream(APP, 's', odd.sessionID, { extraInfo: 'ok \uD83D\uDE00' });
    assert.equal((await a.findStream(APP, 's'))!.extraInfo, 'ok \uD83D\uDE00');
  });

  it('refuses bad options at once with a TypeError', () => {
    const ok = { url: server.url, nodeID: 'n', heartbeatMs: 1000, nodeTimeoutMs: 5000 };
    for (const bad of [
      { ...ok, url: 'http://127.0.0.1' },
      { ...ok, nodeID: '' },
      { ...ok, nodeID: '@server' },
      { ...ok, heartbeatMs: 0 },
      { ...ok, nodeTimeoutMs: Number.NaN },
      { ...ok, commandTimeoutMs: -1 },
    ]) {
      assert.throws(() => new RedisState(bad), TypeError, JSON.stringify(bad));
    }
  });

  it('refuses to start, with SharedStateUnavailable, when Redis cannot be reached', async () => {
    const port = await closedPort();
    for (const url of [`redis://127.0.0.1:${port}`, 'unix:/nonexistent/redis.sock']) {
      const state = new RedisState({ url, nodeID: 'x', heartbeatMs: 1000, nodeTimeoutMs: 5000 });
      await assert.rejects(state.start(), SharedStateUnavailable, url);
      await state.close();
      await assert.rejects(
        state.claimUser(APP, 'u', { nodeID: 'x', sessionID: 's' }),
        SharedStateUnavailable,
      );
    }
  });

  it('a node that starts under the nodeID of a run that died removes that run’s entries, with their events', async () => {
    const first = new RedisState({
      url: server.url,
      nodeID: 'again',
      prefix: 'again:',
      heartbeatMs: 60_000,
      nodeTimeoutMs: 120_000,
    });
    await first.start();
    const other = await node('other', 'again:');
    const onOther = new Recorder(other);
    await other.watchRoom(APP, 'r');
    await other.joinRoom(APP, 'r', member('v', other), 0);
    const u = member('u', first);
    await first.joinRoom(APP, 'r', u, 0);
    await first.claimStream(APP, stream('s', 'r', u));
    first.crash();
    await first.close();
    await node('again', 'again:');
    const events = await onOther.events('r', 5);
    assert.deepEqual(
      events.slice(3).map((e) => [e.origin, e.kind, 'reason' in e ? e.reason : null]),
      [
        ['again', 'streamDelete', StreamDeleteReason.HeartbeatTimeout],
        ['again', 'leave', StreamDeleteReason.HeartbeatTimeout],
      ],
    );
    assert.deepEqual((await other.roomSnapshot(APP, 'r')).members, [member('v', other)]);
  });
});

/** A port of 127.0.0.1 nobody listens on (one the system just gave and took back). */
async function closedPort(): Promise<number> {
  const probe = createServer();
  const port = await new Promise<number>((resolve) =>
    probe.listen(0, '127.0.0.1', () => resolve((probe.address() as { port: number }).port)),
  );
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}
