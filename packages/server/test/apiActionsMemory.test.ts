/** The server API's actions on three nodes of one MemoryHub (api/actionsSuite.ts). */
process.env.PARLEY_TEST_SPREAD = 'memory';
await import('./api/actionsSuite.js');
