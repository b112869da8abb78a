/**
 * The server processes of a cluster-fanout layout, measured as one: `one-node` is a single Parley process
 * without Redis (the path of every other scenario); `cluster` and `cluster-one-remote` are three Parley
 * processes (nodes A, B, C) on one redis-server of their own, one Parley as the issue defines it. Every process
 * is pinned to CPU 0, so their CPU times add up to what the whole topology took, and `target` gives the
 * measuring code (lib/measure.mjs) one forwarder: CPU time summed over the processes (Redis included), the
 * sent-packet counters summed, and each node's own stats (its pipes among them) kept apart.
 */
import { contextSwitches } from './procStat.mjs';
import { startRedisServer } from './redisServer.mjs';
import { startServerProcess } from './serverProcess.mjs';

/**
 * The layouts: which nodes run, whether they share a Redis, and on which node the publisher and player i are.
 * In both cluster layouts the publisher is on A and no player is: A is the stream's origin only.
 */
export const LAYOUTS = {
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
export const nodeID = (name) => `node-${name.toLowerCase()}`;

/**
 * Starts the processes of layout `name` with `options` (startServer's, for every node). Resolves with
 * `{ layout, nodes: Map(name → server process), redis, processes, target, pinned, close() }`; `processes`
 * lists `{ name, pid, cpuMs() }` of every process (nodes, then Redis).
 */
export async function startLayout(name, options) {
  const layout = LAYOUTS[name];
  const redis = layout.redis ? await startRedisServer({ cpu: 0 }) : null;
  const nodes = new Map();
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
  const processes = [...nodes].map(([n, server]) => ({ name: n, pid: server.pid, cpuMs: server.cpuMs }));
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
 * One forwarder made of several processes, for lib/measure.mjs. `cpuMs()` sums every process's CPU time and
 * keeps the readings per process (with its context switches) of its last two calls (`lastReadings()`:
 * measureWindow reads the CPU exactly twice, at the window's edges, so they are the window's); `stats()` sums
 * the nodes' counters and keeps each node's stats under `nodes`.
 */
function compositeTarget(processes, nodes) {
  let previous = null;
  let last = null;
  return {
    cpuMs() {
      previous = last;
      last = processes.map((p) => ({ cpuMs: p.cpuMs(), switches: contextSwitches(p.pid) }));
      return last.reduce((a, b) => a + b.cpuMs, 0);
    },
    /**
     * Per process `{ name, cpuMs, voluntarySwitches, involuntarySwitches }` between the last two cpuMs() calls
     * (null before two calls).
     */
    lastReadings() {
      if (previous === null) return null;
      return processes.map((p, i) => ({
        name: p.name,
        cpuMs: last[i].cpuMs - previous[i].cpuMs,
        voluntarySwitches: last[i].switches.voluntary - previous[i].switches.voluntary,
        involuntarySwitches: last[i].switches.involuntary - previous[i].switches.involuntary,
      }));
    },
    async stats() {
      const names = [...nodes.keys()];
      const all = await Promise.all(names.map((n) => nodes.get(n).stats()));
      const sum = (f) => all.reduce((a, s) => a + f(s), 0);
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
