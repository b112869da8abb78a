/**
 * Runs a Parley server in its own process (lib/serverMain.ts), pinned to one CPU with taskset when available,
 * and reads its CPU time and memory from /proc, so the figures are the server's own.
 */
import type { ServerOptions } from '@parley/server';
import { generateToken04 } from '@parley/token';
import { startChild } from './childChannel.js';
import type { ForwarderStats } from './measure.js';
import { compiledLib } from './paths.js';
import type { NodePipes } from './routerWatch.js';

/** A command to the server process (lib/serverMain.ts), one JSON line on its stdin. */
export interface ServerCommand {
  cmd: 'stats' | 'health' | 'gc';
}

/** The server process's answer to `stats`. */
export interface ServerStats extends ForwarderStats {
  sentPackets: number;
  sentBytes: number;
  rss: number;
  heapUsed: number;
  gcTotalMs: number;
  gcMaxMs: number;
  gcFull: number;
  pipes: NodePipes;
  transportCloses: Record<string, number>;
}

/**
 * Where a server's memory is, from V8's heap statistics (bytes of physical memory): its young generation
 * (semi-spaces, which V8 grows with the allocation rate, up to `--max-semi-space-size` each), all of V8's heap
 * (the young generation included), and the objects in V8's heap outside the young generation (after a full
 * collection: the live ones). The rest of RSS is outside V8's heap: malloc (OpenSSL, buffers' memory), code.
 */
export interface HeapBreakdown {
  youngBytes: number;
  v8Bytes: number;
  liveBytes: number;
}

/** The server process's answer to `gc`: whether it collected, and its heap right after. */
export interface GcAnswer {
  gc: boolean;
  heap: HeapBreakdown;
}

/** What the bench reads of /healthz. */
export interface ServerHealth {
  sessions: number;
  rooms: number;
  mediaTransports: number;
  [field: string]: unknown;
}

/** The options the bench starts a server with: startServer's (without `apps`, always {@link APP}) and `countSent`. */
export type BenchServerOptions = Omit<ServerOptions, 'apps'> & { countSent?: boolean };

/** A server process of the bench. */
export interface ServerProcess {
  url: string;
  httpUrl: string;
  pid: number;
  pinned: boolean;
  cpuMs(): number;
  rssBytes(): number;
  /** `{ sentPackets, sentBytes, rss, heapUsed, … }` from inside the server. */
  stats(): Promise<ServerStats>;
  /** The server's /healthz answer (sessions, rooms, streams, media transports). */
  health(): Promise<ServerHealth>;
  /** A full garbage collection in the server, and its heap right after. */
  gc(): Promise<GcAnswer>;
  stop(): Promise<void>;
}

/** The one app every benchmark server serves. */
export const APP = {
  appID: 1234567,
  appSign: 'ab'.repeat(32),
  serverSecret: '0123456789abcdef0123456789abcdef',
};

/** A Token04 for `userID` of {@link APP}, valid for an hour. */
export function tokenFor(userID: string): string {
  return generateToken04(APP.appID, userID, APP.serverSecret, 3600, '');
}

const MAIN = compiledLib('serverMain.js');

/**
 * Every bench client connects from 127.0.0.1, and the scenarios open far more sockets (10,000 idle sessions,
 * 1,000 logins in flight) and send far more frames and logins from that one address than the server's
 * per-address defaults allow a real client address. The bench measures the server, not its limiter: the limits
 * are set out of reach here (not turned off, so their bookkeeping still runs on every frame and login).
 */
const BENCH_LIMITS = {
  socketsPerAddress: 1_000_000,
  preLoginSocketsPerAddress: 1_000_000,
  framesPerSecondPerAddress: 100_000_000,
  loginsPerSecondPerAddress: 1_000_000,
};

/**
 * Starts the server on `cpu` with `options` (startServer's, plus `countSent`: count the packets sent to
 * players). Resolves with `url`, `httpUrl`, `pid`, `pinned`, `cpuMs()`, `rssBytes()`, `stats()`, `health()`, `gc()` and
 * `stop()`.
 */
export async function startServerProcess({
  cpu = 0,
  options = {},
}: {
  cpu?: number;
  options?: BenchServerOptions;
} = {}): Promise<ServerProcess> {
  const child = await startChild({
    script: MAIN,
    arg: JSON.stringify({ apps: [APP], ...options, limits: { ...BENCH_LIMITS, ...options.limits } }),
    cpu,
    // PARLEY_BENCH_SERVER_NODE_ARGS: extra Node flags for the server process only, e.g. `--cpu-prof
    // --cpu-prof-dir=/tmp/prof` to profile what the server does per packet (Node refuses --cpu-prof in NODE_OPTIONS).
    nodeArgs: [
      '--expose-gc',
      ...(process.env['PARLEY_BENCH_SERVER_NODE_ARGS']?.split(' ').filter(Boolean) ?? []),
    ],
  });
  return {
    url: String(child.info['url']),
    httpUrl: String(child.info['httpUrl']),
    pid: child.pid,
    pinned: child.pinned,
    cpuMs: child.cpuMs,
    rssBytes: child.rssBytes,
    // The answers are what lib/serverMain.ts writes for each command.
    stats: async () => (await child.request({ cmd: 'stats' } satisfies ServerCommand)) as ServerStats,
    health: async () => (await child.request({ cmd: 'health' } satisfies ServerCommand)) as ServerHealth,
    gc: async () => (await child.request({ cmd: 'gc' } satisfies ServerCommand)) as GcAnswer,
    stop: child.stop,
  };
}
