/**
 * A Parley server in a child process, for tests that must see a crash as what it is: the process ending.
 * Started with `fork`; server options come as JSON in argv[2]. It sends `{ url, port }` once listening; on
 * the message 'close' it closes the server, sends what it logged at level error, and exits.
 * Nothing here catches uncaught exceptions or unhandled rejections: they end the process as in production.
 */
import { createLogger, type ServerOptions, startServer } from '../../src/index.js';
import { APP, OTHER_APP } from './harness.js';

export interface ChildReport {
  errorLines: string[];
  warnLines: number;
}

const errorLines: string[] = [];
let warnLines = 0;
const logger = createLogger({
  level: 'warn',
  write: (line) => {
    const level = (JSON.parse(line) as { level?: string }).level;
    if (level === 'error') errorLines.push(line.slice(0, 2000));
    else warnLines++;
  },
});

const extra = JSON.parse(process.argv[2] ?? '{}') as Partial<ServerOptions>;
const server = await startServer({ apps: [APP, OTHER_APP], logger, web: false, ...extra });
process.send?.({ url: server.url, port: server.port });
process.on('message', (msg) => {
  if (msg !== 'close') return;
  void server.close().then(() => {
    const report: ChildReport = { errorLines, warnLines };
    process.send?.(report, () => process.disconnect());
  });
});
