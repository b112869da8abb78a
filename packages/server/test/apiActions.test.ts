/** The server API's actions on one node (api/actionsSuite.ts). */
await import('./api/actionsSuite.js');
