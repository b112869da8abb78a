/** session.test.ts with its users spread over three nodes sharing a redis-server of their own (support/clusterSpread.ts). */
import { after } from 'node:test';
import { closeSharedRedis } from '../../support/clusterSpread.js';

process.env.PARLEY_TEST_SPREAD = 'redis';
after(closeSharedRedis);
await import('../../session.test.js');
