/** clusterCallbacks.ts on three nodes of one MemoryHub. */
process.env.PARLEY_TEST_SPREAD = 'memory';
await import('./clusterCallbacks.js');
