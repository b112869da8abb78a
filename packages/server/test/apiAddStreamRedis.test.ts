/** AddStream and DeleteStream on three nodes sharing a redis-server of their own (api/addStreamSuite.ts). */
import { after } from 'node:test';
import { closeSharedRedis } from './support/clusterSpread.js';

process.env.PARLEY_TEST_SPREAD = 'redis';
after(closeSharedRedis);
await import('./api/addStreamSuite.js');
