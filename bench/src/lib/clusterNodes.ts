/**
 * The server processes of a cluster-fanout layout, measured as one: `one-node` is a single Parley process
 * without Redis (the path of every other scenario); `cluster` and `cluster-one-remote` are three Parley
 * processes (nodes A, B, C) on one redis-server of their own, one Parley as the issue defines it. Every process
 * is pinned to CPU 0, so their CPU times add up to what the whole topology took, and `target` gives the
 * measuring code (lib/measure.ts) one forwarder: CPU time summed over the processes (Redis included), the
 * sent-packet counters summed, and each node's own stats (its pipes among them) kept apart.
 */
import type { ForwarderStats } from './measure.js';
import { contextSwitches } from './procStat.js';
import { type RedisServer, startRedisServer } from './redisServer.js';
import {
  type BenchServerOptions,
  type ServerProcess,
  type ServerStats,
  startServerProcess,
} from './serverProcess.js';

/** A layout: its nodes, whether they share a Redis, and the node of player i. */
export interface Layout {
  label: string;
  nodes: string[];
  redis: boolean;
  playerNode(i: number): string;
}

/** The layouts' names. */
export type LayoutName = 'one-node' | 'cluster' | 'cluster-one-remote';

/** A process of a layout, for its CPU time. */
export interface LayoutProcess {
  name: string;
  pid: number;
  cpuMs(): number;
}

/** A process's CPU and context switches between two readings. */
export interface ProcessReading {
  name: string;
  cpuMs: number;
  voluntarySwitches: number;
  involuntarySwitches: number;
}

/** The stats of a layout as one forwarder: the nodes' counters summed, each node's own kept under `nodes`. */
export interface LayoutStats extends ForwarderStats {
  sentPackets: number;
  gcTotalMs: number;
  gcMaxMs: number;
  gcFull: number;
  nodes: Record<string, ServerStats>;
}

/** A layout's processes as one forwarder. */
export interface LayoutTarget {
  cpuMs(): number;
  lastReadings(): ProcessReading[] | null;
  stats(): Promise<LayoutStats>;
}

/** A started layout. */
export interface StartedLayout {
  name: string;
  layout: Layout;
  nodes: Map<string, ServerProcess>;
  redis: RedisServer | null;
  processes: LayoutProcess[];
  pinned: boolean;
  target: LayoutTarget;
  close(): Promise<void>;
}

/**
 * The layouts: which nodes run, whether they share a Redis, and on which node the publisher and player i are.
 * In both cluster layouts the publisher is on A and no player is: A is the stream's origin only.
 */
export const LAYOUTS: Record<LayoutName, Layout> = {
  'one-node': {
    label: 'one node',
    nodes: ['A'],
    redis: false,
    playerNode: () => 'A',
  },
  cluster: {
    label: 'cluster (players on B and C)',
    nodes: ['A', 'B', 'C'],
    redis: true,
    playerNode: (i) => (i % 2 === 0 ? 'B' : 'C'),
  },
  'cluster-one-remote': {
    label: 'cluster (players all on B)',
    nodes: ['A', 'B', 'C'],
    redis: true,
    playerNode: () => 'B',
  },
};

/** The nodeID of node `name` in the cluster (its media pipes are named after it: `<nodeID>/<random>`). */
export const nodeID = (name: string): string => `node-${name.toLowerCase()}`;

/**
 * Starts the processes of layout `name` with `options` (startServer's, for every node). Resolves with
 * `{ layout, nodes: Map(name → server process), redis, processes, target, pinned, close() }`; `processes`
 * lists `{ name, pid, cpuMs() }` of every process (nodes, then Redis).
 */
export async function startLayout(name: LayoutName, options: BenchServerOptions): Promise<StartedLayout> {
  const layout = LAYOUTS[name];
  const redis = layout.redis ? await startRedisServer({ cpu: 0 }) : null;
  const nodes = new Map<string, ServerProcess>();
  try {
    for (const node of layout.nodes) {
      const cluster = redis ? { cluster: { redis: redis.url, nodeID: nodeID(node) } } : {};
      nodes.set(node, await startServerProcess({ cpu: 0, options: { ...options, ...cluster } }));
    }
  } catch (err) {
    for (const n of nodes.values()) await n.stop();
    await redis?.stop();
    throw err;
  }
  const processes: LayoutProcess[] = [...nodes].map(([n, server]) => ({
    name: n,
    pid: server.pid,
    cpuMs: server.cpuMs,
  }));
  if (redis) processes.push({ name: 'redis', pid: redis.pid, cpuMs: redis.cpuMs });
  const pinned = [...nodes.values()].every((n) => n.pinned) && (redis?.pinned ?? true);
  return {
    name,
    layout,
    nodes,
    redis,
    processes,
    pinned,
    target: compositeTarget(processes, nodes),
    async close() {
      for (const n of nodes.values()) await n.stop();
      await redis?.stop();
    },
  };
}

/**
 * One forwarder made of several processes, for lib/measure.ts. `cpuMs()` sums every process's CPU time and
 * keeps the readings per process (with its context switches) of its last two calls (`lastReadings()`:
 * measureWindow reads the CPU exactly twice, at the window's edges, so they are the window's); `stats()` sums
 * the nodes' counters and keeps each node's stats under `nodes`.
 */
function compositeTarget(processes: LayoutProcess[], nodes: Map<string, ServerProcess>): LayoutTarget {
  type Reading = { cpuMs: number; switches: { voluntary: number; involuntary: number } };
  let previous: Reading[] | null = null;
  let last: Reading[] | null = null;
  return {
    cpuMs() {
      previous = last;
      const now = processes.map((p) => ({ cpuMs: p.cpuMs(), switches: contextSwitches(p.pid) }));
      last = now;
      return now.reduce((a, b) => a + b.cpuMs, 0);
    },
    /**
     * Per process `{ name, cpuMs, voluntarySwitches, involuntarySwitches }` between the last two cpuMs() calls
     * (null before two calls).
     */
    lastReadings() {
      const before = previous;
      const after = last;
      if (before === null || after === null) return null;
      return processes.map((p, i) => ({
        name: p.name,
        cpuMs: after[i].cpuMs - before[i].cpuMs,
        voluntarySwitches: after[i].switches.voluntary - before[i].switches.voluntary,
        involuntarySwitches: after[i].switches.involuntary - before[i].switches.involuntary,
      }));
    },
    async stats() {
      const names = [...nodes.keys()];
      const all = await Promise.all([...nodes.values()].map((n) => n.stats()));
      const sum = (f: (s: ServerStats) => number): number => all.reduce((a, s) => a + f(s), 0);
      return {
        sentPackets: sum((s) => s.sentPackets),
        gcTotalMs: sum((s) => s.gcTotalMs),
        gcMaxMs: Math.max(...all.map((s) => s.gcMaxMs)),
        gcFull: sum((s) => s.gcFull),
        nodes: Object.fromEntries(names.map((n, i) => [n, all[i]])),
      };
    },
  };
}
