/** AddStream and DeleteStream on one node (api/addStreamSuite.ts). */
await import('./api/addStreamSuite.js');
