/** session.test.ts with its users spread over three nodes on one MemoryHub (see support/clusterSpread.ts). */
process.env.PARLEY_TEST_SPREAD = 'memory';
await import('../../session.test.js');
