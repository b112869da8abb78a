/** The server API's rate limits on three nodes sharing a redis-server of their own (api/rateLimitSuite.ts). */
import { after } from 'node:test';
import { closeSharedRedis } from './support/clusterSpread.js';

process.env.PARLEY_TEST_SPREAD = 'redis';
after(closeSharedRedis);
await import('./api/rateLimitSuite.js');
