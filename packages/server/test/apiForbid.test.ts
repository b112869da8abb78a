/** ForbidRTCStream and ResumeRTCStream on one node (api/forbidSuite.ts). */
await import('./api/forbidSuite.js');
