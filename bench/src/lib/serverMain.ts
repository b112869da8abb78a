/**
 * The server side of a benchmark, run as its own process by serverProcess.ts: starts Parley with the options
 * in argv[2] (JSON; with `cluster` settings it is one node of a cluster), writes `{ url, httpUrl, pid }` as one
 * line on the bench's channel (childChannel.ts), then answers commands on stdin (one JSON line each, each answer
 * a line on the channel): `stats` (packets and payload bytes the SFU handed
 * to werift for its players, counted by the consumers' per-packet hook; memory; garbage-collection pauses:
 * total, and the longest since the last `stats`; full collections; the counters of the node's media pipes
 * and its transports closed by reason, lib/routerWatch.ts), `health` (what /healthz says: sessions, rooms, transports) and `gc` (a full garbage
 * collection, when the process runs with --expose-gc, answered with V8's heap by generation right after it).
 */
import { get as httpGet } from 'node:http';
import {
  constants,
  type NodeGCPerformanceDetail,
  type PerformanceEntry,
  PerformanceObserver,
} from 'node:perf_hooks';
import { json } from 'node:stream/consumers';
import { pathToFileURL } from 'node:url';
import { getHeapSpaceStatistics } from 'node:v8';
import type { ServerOptions } from '@parley/server';
import { answerCommands } from './childChannel.js';
import { watchRouter } from './routerWatch.js';
import type { GcAnswer, HeapBreakdown, ServerCommand, ServerStats } from './serverProcess.js';

type ServerModule = typeof import('@parley/server');

/**
 * PARLEY_BENCH_SERVER_ROOT: a checkout of another commit (built), to measure its server instead (before/after).
 * That checkout's server is loaded by its file, as the bench cannot name another checkout's package; it is
 * taken to have this server's entry points (a server from before `tuneHeapForForwarding` has none, see below).
 */
const root = process.env['PARLEY_BENCH_SERVER_ROOT'];
const server0: Partial<ServerModule> & Pick<ServerModule, 'createLogger' | 'startServer'> = root
  ? ((await import(pathToFileURL(`${root}/packages/server/dist/src/index.js`).href)) as ServerModule)
  : await import('@parley/server');
const { createLogger, SfuRouter, startServer, tuneHeapForForwarding } = server0;

/** The options serverProcess.ts wrote: startServer's, plus whether to count the packets sent to players. */
type BenchServerOptions = ServerOptions & { countSent?: boolean };

const { countSent = false, ...options } = JSON.parse(process.argv[2] ?? '{}') as BenchServerOptions;
// The packets sent to players are read from the consumers' own counters (routerWatch.ts), not counted through
// the consumers' test hook (`dropFilter`), which the server would otherwise call per packet and player: the
// hook, with the packet view it fills in, cost about as much as the consumer's own per-packet work in a
// 300-player video fan-out profile, and a served Parley never runs it.
// As `parley serve` does (packages/server/src/heapTuning.ts); a server checked out from before it had none.
tuneHeapForForwarding?.();
// The server's garbage-collection pauses: a long one delays every packet forwarded meanwhile. Full
// (mark-compact) collections are counted too: each also keeps V8's helper threads busy marking the live heap.
const gc = { totalMs: 0, maxMs: 0, full: 0 };
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) {
    gc.totalMs += e.duration;
    gc.maxMs = Math.max(gc.maxMs, e.duration);
    const detail = (e as PerformanceEntry & { detail?: NodeGCPerformanceDetail }).detail;
    if (detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR) gc.full += 1;
  }
}).observe({ entryTypes: ['gc'] });

const router = watchRouter(SfuRouter);
const server = await startServer({ ...options, logger: createLogger({ level: 'warn' }) });
// One answer per command line, in order; stopped (or left by the bench), the server closes before the exit.
const toBench = answerCommands(
  (command) => answer(command as ServerCommand),
  () => server.close(),
);
toBench({ url: server.url, httpUrl: server.httpUrl, pid: process.pid });

/** Answers one command. */
async function answer({ cmd }: ServerCommand): Promise<ServerStats | object> {
  if (cmd === 'stats') {
    const mem = process.memoryUsage();
    // The longest pause since the previous `stats`: a window's is read at its end.
    const gcMaxMs = gc.maxMs;
    gc.maxMs = 0;
    const sent = countSent ? router.sentToPlayers() : { packets: 0, bytes: 0 };
    const stats: ServerStats = {
      sentPackets: sent.packets,
      sentBytes: sent.bytes,
      rss: mem.rss,
      heapUsed: mem.heapUsed,
      gcTotalMs: gc.totalMs,
      gcMaxMs,
      gcFull: gc.full,
      pipes: router.pipes(),
      transportCloses: router.transportCloses(),
    };
    return stats;
  }
  if (cmd === 'health') return await getJson(`${server.httpUrl}/healthz`);
  if (cmd === 'gc') {
    // Two full collections: V8 frees the memory of dead ArrayBuffers (the SRTP keystream buffers, a few per
    // packet and player) on a background thread after gc() returns, and the next collection first finishes
    // that sweep. RSS read after one collection counted up to tens of MiB of buffers already dead (a heap
    // snapshot of a 300-player video fan-out: ~5 MiB of ArrayBuffers live, 5–36 MiB not yet freed).
    globalThis.gc?.();
    globalThis.gc?.();
    return { gc: typeof globalThis.gc === 'function', heap: heapBreakdown() } satisfies GcAnswer;
  }
  return { error: `unknown command ${cmd}` };
}

/**
 * GETs a JSON answer with node:http, not `fetch`: undici's body stream detaches an ArrayBuffer, and the first
 * detach in a process invalidates V8's ArrayBufferDetaching protector for good — every optimized function that
 * relied on it (the SFU's typed-array and Buffer code: sealing, the keystream, the STUN and RTP parsers) is
 * deoptimized at once, and recompiled with a detach check on each typed-array access. Measured with
 * `--trace-protector-invalidation`: the bench's first `health` command did that to the server before the second
 * load step, so the windows after it measured recompilation and code a served Parley never runs (the server
 * itself sends callbacks with node:http and never calls fetch).
 */
function getJson(url: string): Promise<object> {
  return new Promise((resolve, reject) => {
    httpGet(url, (res) => json(res).then((body) => resolve(body as object), reject)).on('error', reject);
  });
}

/** V8's heap now, by generation (see HeapBreakdown). */
function heapBreakdown(): HeapBreakdown {
  let youngBytes = 0;
  let v8Bytes = 0;
  let liveBytes = 0;
  for (const space of getHeapSpaceStatistics()) {
    v8Bytes += space.physical_space_size;
    if (space.space_name === 'new_space' || space.space_name === 'new_large_object_space') {
      youngBytes += space.physical_space_size;
    } else {
      liveBytes += space.space_used_size;
    }
  }
  return { youngBytes, v8Bytes, liveBytes };
}
