/**
 * A worker process of `parley serve --workers`: one full Parley node. `node:cluster` runs this file; the primary
 * sends the node's settings, and the worker starts the server, says `ready` (or `failed`), and runs until it is
 * told to drain or stop. Its HTTP/WebSocket port is the primary's, shared by every worker; its UDP sockets are
 * its own (exclusiveUdp.ts).
 *
 * Stopping: the primary's `drain` (or a first SIGINT/SIGTERM, which a Ctrl+C in the terminal sends to the
 * worker too) drains the node — its clients are told to reconnect — and the worker exits with 0; `stop` (or a
 * second signal) closes it at once. If the primary goes away, `node:cluster` ends the worker by itself.
 */
import { CliError } from '../errors.js';
import { startNode } from '../startNode.js';
import { makeUdpSocketsExclusive } from './exclusiveUdp.js';
import { type FromWorker, isToWorker, type ToWorker } from './messages.js';

makeUdpSocketsExclusive();

let drainRequested!: () => void;
let stopRequested!: () => void;
const drain = new Promise<void>((resolve) => {
  drainRequested = resolve;
});
const stop = new Promise<void>((resolve) => {
  stopRequested = resolve;
});

let signals = 0;
const onSignal = (): void => {
  signals += 1;
  if (signals === 1) drainRequested();
  else if (signals === 2) stopRequested();
  else process.exit(130);
};
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);

const start = new Promise<Extract<ToWorker, { type: 'start' }>>((resolve) => {
  process.on('message', (message: unknown) => {
    if (!isToWorker(message)) return;
    if (message.type === 'start') resolve(message);
    else if (message.type === 'drain') drainRequested();
    else {
      drainRequested();
      stopRequested();
    }
  });
});

await send({ type: 'waiting' });
// Told to stop before it was told to start (the primary stopped during the start-up): nothing to close.
const first = await Promise.race([start, drain.then(() => null)]);
if (first === null) process.exit(0);
await run(first);

async function run({ index, settings }: Extract<ToWorker, { type: 'start' }>): Promise<void> {
  const fields = { worker: index, node: settings.cluster.nodeID };
  let server: Awaited<ReturnType<typeof startNode>>;
  try {
    server = await startNode(settings, (line) => process.stderr.write(line + '\n'), fields);
  } catch (err) {
    const message =
      err instanceof CliError ? err.message : err instanceof Error ? (err.stack ?? err.message) : String(err);
    await send({ type: 'failed', message });
    process.exit(1);
  }
  await send({
    type: 'ready',
    httpUrl: server.httpUrl,
    url: server.url,
    media: { announcedAddresses: [...server.media.announcedAddresses], origin: server.media.origin },
  });
  await drain;
  await Promise.race([server.drain(), stop]);
  await server.close();
  process.exit(0);
}

/** Sends `message` to the primary and waits until it is written, so that an exit right after loses nothing. */
function send(message: FromWorker): Promise<void> {
  return new Promise((resolve) => {
    if (process.send === undefined || !process.connected) resolve();
    else process.send(message, undefined, {}, () => resolve());
  });
}
