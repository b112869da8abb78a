// The server side of a benchmark: starts Parley with the options in argv[2] and prints its URLs as one JSON line.
import { createLogger, startServer } from '../../packages/server/dist/src/index.js';

const options = JSON.parse(process.argv[2] ?? '{}');
const server = await startServer({ ...options, logger: createLogger({ level: 'warn' }) });
process.stdout.write(`${JSON.stringify({ url: server.url, httpUrl: server.httpUrl, pid: process.pid })}\n`);
process.on('SIGTERM', () => {
  void server.close().then(() => process.exit(0));
});
