/** The server API's rate limits on one node (api/rateLimitSuite.ts). */
await import('./api/rateLimitSuite.js');
