/** AddStream and DeleteStream on three nodes of one MemoryHub (api/addStreamSuite.ts). */
process.env.PARLEY_TEST_SPREAD = 'memory';
await import('./api/addStreamSuite.js');
