/** ForbidRTCStream and ResumeRTCStream on three nodes of one MemoryHub (api/forbidSuite.ts). */
process.env.PARLEY_TEST_SPREAD = 'memory';
await import('./api/forbidSuite.js');
