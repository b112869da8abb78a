/**
 * cluster-fanout (issue 16): one Opus publisher → N players, N ramped, on one node and on a cluster of three
 * nodes on one Redis, in the same run, the layouts side by side and measured in turn. First each layout's
 * processes' CPU with nothing connected; then signaling latencies (login request → reply; a user's login,
 * logout and broadcast → their arrival at users on the same node and on another node), the layouts sample by
 * sample in turn; then the media ramp: at each step every layout grows to N players, then `--rounds` rounds
 * measure each layout once (the order reversed every other round) while the others' publishers pause. Per step
 * and layout: CPU µs per delivered packet summed over every server process, loss, latency, and in a cluster the
 * pipe counters (one copy of each packet per remote node, however many players it has). Then the cluster's
 * CPU per packet ÷ one node's, against the target of 1.15 ×.
 */

import {
  type ClusterTopology,
  clusterFanout,
  growLayout,
  type LayoutRow,
  type LayoutRun,
  measureLayout,
  mergeRounds,
} from '../lib/clusterMedia.js';
import { LAYOUTS, type LayoutName, type StartedLayout, startLayout } from '../lib/clusterNodes.js';
import {
  type ClusterOutput,
  clusterNotes,
  clusterSummary,
  type IdleResult,
  type LayoutResult,
} from '../lib/clusterReport.js';
import { measureSignaling, type SignalingResult } from '../lib/clusterSignaling.js';
import { clusterChart, clusterHeadline, clusterTables } from '../lib/clusterTables.js';
import { describeRow } from '../lib/mediaBench.js';
import { Meter } from '../lib/meter.js';
import { UsageError } from '../lib/options.js';
import type { Progress } from '../lib/progress.js';
import { defineScenario } from '../lib/scenario.js';
import type { BenchServerOptions } from '../lib/serverProcess.js';
import { round } from '../lib/stats.js';
import { startPacer } from '../lib/synthRtp.js';

/** A layout through the run: its processes, its fan-out once made, its steps' rounds. */
interface Run {
  started: StartedLayout;
  meter: Meter;
  topology: ClusterTopology | null;
  steps: Map<number, { flowing: boolean; rounds: LayoutRow[] }>;
  errors: string[];
  failed?: string;
}

/** The options the ramp reads. */
interface RampOptions {
  players: number[];
  rounds: number;
  seconds: number;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const IDLE_SECONDS = 4;

/** Options of every node: room for the players, the packets to players counted, messages not rate-limited. */
function nodeOptions(maxPlayers: number): BenchServerOptions {
  return {
    countSent: true,
    signaling: { framesPerSecond: 1000 },
    media: { maxTransports: maxPlayers + 20, maxPlayersPerStream: maxPlayers + 10 },
    // The signaling phase sends a broadcast as soon as the previous one arrived everywhere, hundreds a second:
    // the bench measures the message's way through the nodes, not the rate limit (still run on every message).
    rooms: { roomMessagesPerSecond: 1_000_000, userMessagesPerSecond: 1_000_000 },
  };
}

/**
 * The layouts of `--layouts`, checked: known names, no repeats, one-node (the reference of every ratio) and at
 * least one cluster layout; one-node first.
 */
function isLayoutName(name: string): name is LayoutName {
  return Object.hasOwn(LAYOUTS, name);
}

function parseLayouts(text: string): LayoutName[] {
  const given = [...new Set(text.split(',').map((s) => s.trim()))];
  const names: LayoutName[] = [];
  for (const n of given) {
    if (isLayoutName(n)) names.push(n);
    else {
      throw new UsageError(`--layouts: unknown layout '${n}' (known: ${Object.keys(LAYOUTS).join(', ')})`);
    }
  }
  if (!names.includes('one-node') || given.length < 2) {
    throw new UsageError('--layouts must name one-node (the reference) and at least one cluster layout');
  }
  return names.sort((a, b) => (a === 'one-node' ? -1 : b === 'one-node' ? 1 : 0));
}

/**
 * Each process's CPU over `seconds` with no client connected, every layout at once: what each costs doing
 * nothing (timers, heartbeats). One result per layout of `list`.
 */
async function measureIdle(list: StartedLayout[], seconds: number): Promise<IdleResult[]> {
  const before = list.map((started) => started.processes.map((p) => p.cpuMs()));
  const t0 = performance.now();
  await sleep(seconds * 1000);
  const wallMs = performance.now() - t0;
  return list.map((started, k) => {
    const parts = started.processes.map((p, i) => ({
      name: p.name,
      cpuPercent: round(((p.cpuMs() - (before[k]?.[i] ?? 0)) / wallMs) * 100, 2),
    }));
    return {
      seconds,
      cpuPercent: round(
        parts.reduce((n, p) => n + (p.cpuPercent ?? 0), 0),
        2,
      ),
      processes: parts,
    };
  });
}

/** A progress line about a window: the media figures, and a cluster's pipe copies per packet. */
function describe(label: string, load: number, row: LayoutRow): string {
  const pipes = row.pipes
    ? `; pipes ${row.pipes.perNode.map((e) => `${e.node} ${e.packetsSent ?? '—'}/${e.sourcePackets ?? '—'} (${e.players} players)`).join(', ')}${row.pipes.holds ? '' : ' ONE-COPY CHECK FAILED'}`
    : '';
  return describeRow(label, 'players', load, row) + pipes;
}

/** The CPU time of the processes of every run but `run` (idle bystanders while `run` is measured). */
const othersOf = (runs: Run[], run: Run): { cpuMs(): number } => ({
  cpuMs: () =>
    runs
      .filter((r) => r !== run)
      .reduce((n, r) => n + r.started.processes.reduce((m, p) => m + p.cpuMs(), 0), 0),
});

/** The media ramp over every run: grow each to the step's players, then the rounds of windows. */
async function ramp(runs: Run[], opts: RampOptions, progress: Progress): Promise<void> {
  const measuredOnce = new Set<Run>();
  for (const load of opts.players) {
    const growing = runs.filter((r) => !r.failed);
    for (const run of growing) {
      const topology = run.topology;
      if (topology === null) continue;
      try {
        const flowing = await growLayout({ started: run.started, topology }, load, progress);
        run.steps.set(load, { flowing, rounds: [] });
      } catch (err) {
        run.failed = `${run.started.name}: setup of ${load} players failed: ${err instanceof Error ? err.message : String(err)}`;
        run.errors.push(run.failed);
        progress.log(`${run.failed} — its ramp stops here`);
      }
    }
    for (let round = 0; round < opts.rounds; round++) {
      const live = runs.filter((r) => r.steps.has(load));
      for (const run of round % 2 === 0 ? live : [...live].reverse()) {
        const step = run.steps.get(load);
        const topology = run.topology;
        if (step === undefined || topology === null) continue;
        const layoutRun: LayoutRun = { started: run.started, topology };
        progress.phase(`${run.started.name}: ${load} players, round ${round + 1}, ${opts.seconds} s`, 100);
        const row = await measureLayout({
          run: layoutRun,
          meter: run.meter,
          seconds: opts.seconds,
          // A longer warm-up before a layout's first window: its processes have not forwarded yet.
          warmupSeconds: measuredOnce.has(run) ? 1 : 3,
          bystanders: othersOf(runs, run),
          progress,
        });
        measuredOnce.add(run);
        row.mediaFlowingBeforeWindow = step.flowing;
        step.rounds.push(row);
        progress.log(`${describe(run.started.name, load, row)} (round ${round + 1})`);
      }
    }
  }
}

/** A layout's signaling results, or the error that stopped the signaling phase. */
function signalingFor(
  signaling: Record<string, SignalingResult> | { error: string } | null,
  name: string,
): LayoutResult['signaling'] {
  if (signaling === null) return null;
  if ('error' in signaling && typeof signaling.error === 'string') return { error: signaling.error };
  return (signaling as Record<string, SignalingResult>)[name] ?? null;
}

/** Starts every layout side by side, measures them, and closes them. */
async function runAll(
  names: LayoutName[],
  opts: RampOptions & { concurrency: number; 'signaling-samples': number; observers: number },
  progress: Progress,
): Promise<Record<string, LayoutResult>> {
  const maxPlayers = opts.players[opts.players.length - 1] ?? 0;
  const pacer = startPacer();
  const runs: Run[] = [];
  try {
    for (const name of names) {
      progress.phase(`${name}: starting ${LAYOUTS[name].nodes.length} node(s)`);
      runs.push({
        started: await startLayout(name, nodeOptions(maxPlayers)),
        meter: new Meter(),
        topology: null,
        steps: new Map(),
        errors: [],
      });
    }
    progress.phase(`idle: ${IDLE_SECONDS} s with nothing connected`);
    const idle = await measureIdle(
      runs.map((r) => r.started),
      IDLE_SECONDS,
    );
    let signaling: Record<string, SignalingResult> | { error: string } | null = null;
    if (opts['signaling-samples'] > 0) {
      try {
        signaling = await measureSignaling({
          runs: runs.map((r) => r.started),
          samples: opts['signaling-samples'],
          perSide: opts.observers,
          progress,
        });
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        signaling = { error: message };
        progress.log(`signaling failed: ${message}`);
      }
    }
    for (const run of runs) {
      run.topology = await clusterFanout({
        started: run.started,
        meter: run.meter,
        pacer,
        concurrency: opts.concurrency,
      });
    }
    await ramp(runs, opts, progress);
    progress.end();
    return Object.fromEntries(
      runs.map((run, k): [string, LayoutResult] => [
        run.started.name,
        {
          label: run.started.layout.label,
          processes: run.started.processes.map((p) => p.name),
          pinned: run.started.pinned,
          idle: idle[k],
          signaling: signalingFor(signaling, run.started.name),
          rows: [...run.steps].map(([load, step]) => ({ load, row: mergeRounds(step.rounds) })),
          errors: run.errors,
          retries: run.topology?.retries.count ?? 0,
        },
      ]),
    );
  } finally {
    for (const run of runs) await run.topology?.close();
    for (const run of runs) await run.started.close();
    pacer.stop();
  }
}

export default defineScenario({
  name: 'cluster-fanout',
  title: 'cluster-fanout: 1 Opus publisher → N players, one node vs a cluster of three nodes on Redis',
  summary:
    '1 Opus publisher → N players on one node and on 3 nodes (Redis): CPU/packet ratio, pipes, signaling',
  measures:
    'The same run measures one node (publisher and players on it, no Redis) and a cluster of three nodes on one ' +
    'redis-server (publisher on A, players half on B and half on C; media crosses a pipe A → B and A → C). Per ' +
    'step: CPU µs per delivered packet summed over every server process (/proc), loss, latency; the origin’s pipe ' +
    'packets per remote node against the packets its source received; before the media, login and room-event ' +
    'latencies on each layout.',
  options: {
    players: { type: 'ints', default: [50, 200, 400], help: 'players at each load step' },
    seconds: { type: 'number', default: 5, help: 'measured seconds per step' },
    rounds: { type: 'int', default: 2, help: 'windows per layout at each step, the layouts in turn' },
    concurrency: { type: 'int', default: 4, help: 'players connecting at once while ramping' },
    layouts: {
      type: 'string',
      default: 'one-node,cluster',
      help: `layouts to measure, comma-separated (${Object.keys(LAYOUTS).join(', ')})`,
    },
    'signaling-samples': {
      type: 'int',
      default: 200,
      help: 'logins, and room events of each kind, timed per layout (0: no signaling)',
    },
    observers: {
      type: 'int',
      default: 3,
      help: 'observers of room events on each side (the actor’s node, another node)',
    },
  } as const,
  async run(opts, { progress }): Promise<ClusterOutput> {
    const names = parseLayouts(opts.layouts);
    if (opts.observers < 1) throw new UsageError('--observers must be at least 1');
    if (opts.rounds < 1) throw new UsageError('--rounds must be at least 1');
    const layouts = await runAll(names, opts, progress);
    const { rows, summary } = clusterSummary(opts.players, layouts);
    return {
      rows,
      summary,
      layouts: Object.fromEntries(Object.entries(layouts).map(([n, l]) => [n, { label: l.label }])),
      notes: clusterNotes(rows, summary, layouts),
      chart: clusterChart({ rows, summary }, opts.players, opts.seconds),
    };
  },
  headline: clusterHeadline,
  markdown: clusterTables,
});
