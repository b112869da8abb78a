/**
 * Runs a Parley server in its own process (lib/serverMain.mjs), pinned to one CPU with taskset when available,
 * and reads its CPU time and memory from /proc, so the figures are the server's own.
 */
import { fileURLToPath } from 'node:url';
import { generateToken04 } from '../../packages/token/dist/src/index.js';
import { startChild } from './childChannel.mjs';

/** The one app every benchmark server serves. */
export const APP = {
  appID: 1234567,
  appSign: 'ab'.repeat(32),
  serverSecret: '0123456789abcdef0123456789abcdef',
};

/** A Token04 for `userID` of {@link APP}, valid for an hour. */
export function tokenFor(userID) {
  return generateToken04(APP.appID, userID, APP.serverSecret, 3600, '');
}

const MAIN = fileURLToPath(new URL('./serverMain.mjs', import.meta.url));

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
export async function startServerProcess({ cpu = 0, options = {} } = {}) {
  const child = await startChild({
    script: MAIN,
    arg: JSON.stringify({ apps: [APP], ...options, limits: { ...BENCH_LIMITS, ...options.limits } }),
    cpu,
    nodeArgs: ['--expose-gc'],
  });
  return {
    url: child.info.url,
    httpUrl: child.info.httpUrl,
    pid: child.pid,
    pinned: child.pinned,
    cpuMs: child.cpuMs,
    rssBytes: child.rssBytes,
    /** `{ sentPackets, sentBytes, rss, heapUsed }` from inside the server. */
    stats: () => child.request({ cmd: 'stats' }),
    /** The server's /healthz answer (sessions, rooms, streams, media transports). */
    health: () => child.request({ cmd: 'health' }),
    /** A full garbage collection in the server. */
    gc: () => child.request({ cmd: 'gc' }),
    stop: child.stop,
  };
}
