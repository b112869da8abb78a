/** The SharedState contract on RedisState: two or three nodes on one real redis-server. */
import { after, before } from 'node:test';
import { RedisProcess, skipWithoutRedis } from '../support/redis/RedisProcess.js';
import { describeSharedState } from './sharedStateContract.js';
import { openRedisCluster } from './support/redisCluster.js';

const skip = skipWithoutRedis();
let server: RedisProcess | undefined;

before(async () => {
  if (!skip) server = await RedisProcess.start();
});
after(async () => {
  await server?.close();
});

describeSharedState('RedisState', (options) => openRedisCluster(server!, options), { skip });
