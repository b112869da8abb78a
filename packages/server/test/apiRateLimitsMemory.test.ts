/** The server API's rate limits on three nodes of one MemoryHub (api/rateLimitSuite.ts). */
process.env.PARLEY_TEST_SPREAD = 'memory';
await import('./api/rateLimitSuite.js');
