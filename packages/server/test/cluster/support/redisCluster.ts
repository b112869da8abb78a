/**
 * Clusters of RedisState nodes on one redis-server, for the contract suite and the Redis-only tests. Each cluster
 * has a prefix of its own (so the clusters of one file never see each other), and its second node reaches Redis
 * over the Unix socket, the others over TCP, so both URL forms run every test.
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { encodeId } from '../../../src/cluster/redis/keys.js';
import { RedisState, type RedisStateOptions } from '../../../src/cluster/redis/RedisState.js';
import type { Logger } from '../../../src/log.js';
import type { RedisProcess } from '../../support/redis/RedisProcess.js';
import { type ClusterOptions, type TestCluster, timing } from '../contract/support.js';

let clusters = 0;

export interface RedisCluster extends TestCluster {
  readonly nodes: RedisState[];
  readonly prefix: string;
  /** A connection of the test's own, to look at (or tamper with) the store. */
  readonly redis: Redis;
  /** Starts one more node of this cluster. */
  addNode(options?: Partial<RedisStateOptions>): Promise<RedisState>;
}

/** Opens a cluster on `server`. */
export async function openRedisCluster(
  server: RedisProcess,
  options: ClusterOptions & { logger?: Logger } = {},
): Promise<RedisCluster> {
  const prefix = `t${++clusters}-${randomBytes(2).toString('hex')}:`;
  const redis = new Redis(server.url, { lazyConnect: true });
  await redis.connect();
  const nodes: RedisState[] = [];
  const addNode = async (extra: Partial<RedisStateOptions> = {}): Promise<RedisState> => {
    const i = nodes.length;
    const node = new RedisState({
      url: i === 1 ? server.unixUrl : server.url,
      nodeID: `node:${i}/${prefix}`,
      prefix,
      ...timing(options, i),
      ...(options.logger && { logger: options.logger }),
      ...extra,
    });
    await node.start();
    nodes.push(node);
    return node;
  };
  for (let i = 0; i < (options.nodes ?? 2); i++) await addNode();

  return {
    nodes,
    prefix,
    redis,
    addNode,
    async crash(node) {
      (node as RedisState).crash();
    },
    async expire(node) {
      await redis.zadd(`${prefix}nodes`, 'XX', 0, node.nodeID);
    },
    async leftovers(nodeID) {
      const index = `${prefix}n:${encodeId(nodeID)}:`;
      return (await dumpStore(redis, prefix))
        .filter(
          ({ key, value }) =>
            key.startsWith(index) || (key === `${prefix}nodes` && value === nodeID) || ownedBy(value, nodeID),
        )
        .map(({ key, value }) => `${key} ${value}`);
    },
    async contents() {
      return (await dumpStore(redis, prefix))
        .filter(({ key }) => key !== `${prefix}nodes`)
        .map(({ key, value }) => `${key} ${value}`);
    },
    async close() {
      for (const node of nodes) await node.close();
      await redis.quit();
    },
  };
}

/** Every key of the cluster with each of its values (a hash's field and value as `field=value`). */
export async function dumpStore(redis: Redis, prefix: string): Promise<{ key: string; value: string }[]> {
  const rows: { key: string; value: string }[] = [];
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    cursor = next;
    for (const key of keys) {
      const type = await redis.type(key);
      const values =
        type === 'string'
          ? [(await redis.get(key)) ?? '']
          : type === 'set'
            ? await redis.smembers(key)
            : type === 'zset'
              ? await redis.zrange(key, 0, -1)
              : type === 'hash'
                ? Object.entries(await redis.hgetall(key)).map(([f, v]) => `${f}=${v}`)
                : [`(${type})`];
      for (const value of values) rows.push({ key, value });
    }
  } while (cursor !== '0');
  return rows.sort((x, y) => (x.key + x.value).localeCompare(y.key + y.value));
}

/** True when a stored value is an entry of `nodeID` (a member, stream or user holder JSON). */
function ownedBy(value: string, nodeID: string): boolean {
  const json = value.slice(value.indexOf('{'));
  if (!json.startsWith('{')) return false;
  try {
    return (JSON.parse(json) as { nodeID?: unknown }).nodeID === nodeID;
  } catch {
    return false;
  }
}
