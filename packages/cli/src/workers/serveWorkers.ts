/**
 * `parley serve --workers N`, from the checked settings to the exit code: the private Redis when no `--redis` is
 * given, the shared port, the workers (Primary.ts), the banner once every worker listens, and the stop — the
 * workers drain, then Redis stops.
 */
import { createServer } from 'node:net';
import { ConfigError, type ResolvedConfig } from '@parley/server/config';
import type { ClusterBanner } from '../banner.js';
import type { CliIo } from '../io.js';
import { type Origin, problemsError } from '../sources.js';
import { listenFailure } from '../startNode.js';
import { stopRequests } from '../stopSignal.js';
import { KeptRedis } from './KeptRedis.js';
import { Primary, type ReadyReport } from './Primary.js';
import { nodeIDPrefix, workerSettings } from './WorkerSettings.js';

/** What `parley serve --workers` runs with. */
export interface WorkersRun {
  /** The node settings, apps included, as one `parley serve` would run with them. */
  settings: ResolvedConfig;
  count: number;
  dataDir: string;
  /** Where each setting came from, to name it in messages. */
  origins: ReadonlyMap<string, Origin>;
  io: CliIo;
  /** Prints the banner, once every worker listens. */
  banner(ready: ReadyReport, cluster: ClusterBanner): void;
}

/**
 * Runs the workers until SIGINT/SIGTERM (or the io's abort signal).
 * @returns 0 after a clean stop.
 * @throws CliError when the settings do not fit N workers, Redis is missing or does not start, a worker cannot
 *   start, or a worker (or the private Redis) keeps dying.
 */
export async function serveWorkers(run: WorkersRun): Promise<number> {
  const { settings, io } = run;
  let perWorker: ResolvedConfig[];
  try {
    perWorker = workerSettings(settings, run.count);
  } catch (err) {
    if (err instanceof ConfigError) throw problemsError(err.problems, run.origins, 'config');
    throw err;
  }
  const stops = stopRequests(io.signal);
  let redis: KeptRedis | null = null;
  let primary: Primary | null = null;
  try {
    if (settings.cluster.redis === undefined) {
      redis = await KeptRedis.start({
        dataDir: run.dataDir,
        env: io.env,
        log: io.stderr,
        ...(settings.logLevel === 'debug'
          ? { onRedisLine: (line: string) => io.stderr(`redis: ${line}\n`) }
          : {}),
      });
    }
    const clusterRedis = redis?.url ?? settings.cluster.redis!;
    const port = await reservePort(settings.host, settings.port);
    primary = new Primary({
      settings: perWorker,
      plan: { port, redis: clusterRedis, prefix: nodeIDPrefix(settings) },
      io,
    });
    const starting = primary.start();
    // Stopped during the start, the primary stops the workers, and a late failure of theirs is of no interest.
    starting.catch(() => {});
    const started = await Promise.race([starting, stops.first.then(() => null)]);
    if (started === null) {
      io.stderr('Stopping Parley before it has started…\n');
      return 0;
    }
    run.banner(started.ready, {
      redis: clusterRedis,
      privateRedis: redis !== null,
      workers: started.workers.map(({ index, pid, nodeID, settings: s }) => ({
        index,
        pid,
        nodeID,
        portRange: s.media.portRange,
        udpPort: s.media.udpPort,
        stunPort: s.media.stunPort,
      })),
    });
    const outcome = await Promise.race([
      stops.first.then((name) => ({ name })),
      primary.gaveUp.then((error) => ({ error })),
      ...(redis === null ? [] : [redis.gaveUp.then((error) => ({ error }))]),
    ]);
    if ('error' in outcome) {
      // The reason is the command's error, printed last; the other workers drain first.
      io.stderr('Stopping Parley, giving up: telling the clients to reconnect…\n');
      await primary.drain();
      throw outcome.error;
    }
    // A graceful stop: every worker drains, so its clients reconnect through the front to the next server.
    const again = outcome.name === 'abort' ? '' : ` (${outcome.name} again to stop at once)`;
    io.stderr(`Stopping Parley: telling the clients to reconnect${again}…\n`);
    const draining = primary.drain();
    await Promise.race([draining, stops.second.then(() => primary!.stop())]);
    return 0;
  } finally {
    stops.dispose();
    await primary?.stop();
    await redis?.close();
  }
}

/**
 * The port the workers share: `port` once it is found free, or a free one when it is 0. The primary chooses it
 * before the workers start: under `node:cluster` every `listen(0)` would otherwise get a port of its own once
 * no worker holds the shared one (a single worker started again after a crash), and the banner could not
 * name it. Between this check and the workers' listen the port could be taken; the start then fails clearly.
 * @throws CliError when the port is in use, the host is not of this machine or the port needs privileges.
 */
export async function reservePort(host: string, port: number): Promise<number> {
  const server = createServer();
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host, port, exclusive: true }, () => resolve());
    });
  } catch (err) {
    throw listenFailure(err, host, port) ?? err;
  }
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error(`no port for ${host}:${port}`);
  return address.port;
}
