/**
 * Starts one Parley node (`startServer`), for `parley serve` and for each worker of `parley serve --workers`. The
 * server is loaded only now, so configuration mistakes are reported before the media stack is, and the usual
 * listen failures become one-line messages.
 */
import type { LogFields, RunningServer } from '@parley/server';
import type { ResolvedConfig } from '@parley/server/config';
import { CliError } from './errors.js';

/**
 * Starts the server with `settings`, logging JSON lines through `write`.
 * @param fields added to every log line (the worker's index and node ID).
 * @throws CliError for a port in use, an address not of this machine or a port that needs privileges.
 */
export async function startNode(
  settings: ResolvedConfig,
  write: (line: string) => void,
  fields: LogFields = {},
): Promise<RunningServer> {
  const { createLogger, startServer, tuneHeapForForwarding } = await import('@parley/server');
  // The process is the server's: its garbage collector is set for forwarding (see heapTuning.ts).
  tuneHeapForForwarding();
  const logger = createLogger({ level: settings.logLevel, write, fields });
  try {
    return await startServer({ ...settings, logger });
  } catch (err) {
    throw listenFailure(err, settings.host, settings.port) ?? clusterFailure(err) ?? err;
  }
}

/** The message for a Redis that cannot be reached at the start, or null if `err` is another failure. */
function clusterFailure(err: unknown): CliError | null {
  if ((err as Error | null)?.name !== 'SharedStateUnavailable') return null;
  return CliError.failure(
    `${(err as Error).message.replace(/\.$/, '')} (check --redis (cluster.redis, PARLEY_CLUSTER_REDIS) and that Redis is running)`,
  );
}

/**
 * The message for a failure to listen on `host:port`, or null if `err` is another failure. A UDP socket that
 * cannot bind (the media port's or the STUN responder's, bound at the start) is named as such, not blamed on the TCP port.
 */
export function listenFailure(err: unknown, host: string, port: number): CliError | null {
  const {
    code,
    syscall,
    address,
    port: errorPort,
  } = err as NodeJS.ErrnoException & { address?: string; port?: number };
  if (syscall === 'bind' && code === 'EADDRINUSE') {
    return CliError.failure(
      `UDP port ${errorPort} on ${address} is already in use; choose another media.udpPort ` +
        '(PARLEY_MEDIA_UDP_PORT) or media.stunPort (PARLEY_MEDIA_STUN_PORT), or free that port',
    );
  }
  const where = `${host}:${port}`;
  switch (code) {
    case 'EADDRINUSE':
      return CliError.failure(`${where} is already in use; choose another port with --port or PARLEY_PORT`);
    case 'EADDRNOTAVAIL':
      return CliError.failure(`cannot listen on ${where}: ${host} is not an address of this machine`);
    case 'EACCES':
      return CliError.failure(`not allowed to listen on ${where}; ports below 1024 need privileges`);
    default:
      return null;
  }
}
