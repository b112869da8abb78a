/**
 * What cluster-fanout concludes from its measured layouts (scenarios/clusterFanout.ts): the summary (CPU per
 * delivered packet of each layout pooled over its steps, the ratio of a cluster's to one node's against the
 * issue's target, the one-copy check, where a cluster's extra CPU goes, signaling latencies) and the notes.
 * Every figure is computed from the rows; nothing is assumed. lib/clusterTables.ts prints them.
 */
import type { MergedRow } from './clusterMedia.js';
import type { SignalingResult } from './clusterSignaling.js';
import { holds, pooledMicrosPerPacket } from './measure.js';
import { round } from './stats.js';

/** A layout's processes' CPU with nothing connected. */
export interface IdleResult {
  seconds: number;
  cpuPercent: number | null;
  processes: { name: string; cpuPercent: number | null }[];
}

/** A layout as measured by scenarios/clusterFanout.ts. */
export interface LayoutResult {
  label: string;
  processes: string[];
  pinned: boolean;
  idle: IdleResult | undefined;
  signaling: SignalingResult | { error: string } | null;
  rows: { load: number; row: MergedRow | null }[];
  errors: string[];
  retries: number;
}

/** A fitted cost model of a layout. */
interface CostModel {
  fixedCpuPercent: number | null;
  marginalMicrosPerPacket: number | null;
  fit: { a: number; b: number };
}

/** Where a cluster's extra CPU goes at one step. */
type ExtraCost = ReturnType<typeof extraCost>;

/** A step of cluster-fanout's results. */
export interface ClusterRow {
  players: number;
  layouts: Record<string, MergedRow | null>;
  ratio: Record<string, number | null>;
  roundRatios: Record<string, (number | null)[]>;
  extraCost: Record<string, ExtraCost>;
}

/** The signaling figures of a layout, when they were measured. */
export function signalingOf(l: LayoutResult['signaling']): SignalingResult | null {
  return l !== null && 'logins' in l ? l : null;
}

/** The issue's target: a cluster's CPU per delivered packet at most 1.15 × one node's. */
export const TARGET_RATIO = 1.15;

/** Least-squares line y = a + b·x over the points (null with fewer than two distinct x). */
function fitLine(points: { x: number; y: number }[]): { a: number; b: number } | null {
  const n = points.length;
  if (n < 2) return null;
  const mx = points.reduce((s, p) => s + p.x, 0) / n;
  const my = points.reduce((s, p) => s + p.y, 0) / n;
  const sxx = points.reduce((s, p) => s + (p.x - mx) ** 2, 0);
  if (sxx === 0) return null;
  const b = points.reduce((s, p) => s + (p.x - mx) * (p.y - my), 0) / sxx;
  return { a: my - b * mx, b };
}

/**
 * CPU (ms per second of window) against delivered packets per second, over a layout's steps: the intercept
 * is what the layout costs with no player (timers, heartbeats, the publisher's own packets), the slope the
 * CPU each further delivered packet adds.
 */
function costModel(rows: (MergedRow | null)[]): CostModel | null {
  const fit = fitLine(
    rows
      .filter((r): r is MergedRow => r !== null)
      .map((r) => ({
        x: r.packetsReceived / (r.windowSeconds ?? Number.NaN),
        y: r.cpuMs / (r.windowSeconds ?? Number.NaN),
      })),
  );
  return (
    fit && { fixedCpuPercent: round(fit.a / 10, 2), marginalMicrosPerPacket: round(fit.b * 1000, 2), fit }
  );
}

/**
 * Where the two cost models cross the target: the players per stream from which a cluster's modeled CPU per
 * delivered packet is at most TARGET_RATIO × one node's (F + m·x against F₁ + m₁·x, x delivered packets per
 * second). `always` when it holds at every load, `never` when at none; an extrapolation beyond the measured
 * steps is only as good as the straight line.
 */
function targetFrom(
  one: CostModel | null | undefined,
  cluster: CostModel | null | undefined,
  rows: (MergedRow | null)[],
): 'always' | 'never' | { fromPlayers: number } | { upToPlayers: number } | null {
  if (!one || !cluster) return null;
  const perPlayer = rows
    .filter((r): r is MergedRow => r !== null)
    .map(
      (r) =>
        r.packetsReceived /
        (r.windowSeconds ?? Number.NaN) /
        Object.values(r.playersPerNode ?? {}).reduce((a, b) => a + b, 0),
    );
  if (perPlayer.length === 0) return null;
  const rate = perPlayer.reduce((a, b) => a + b, 0) / perPlayer.length;
  const gap = TARGET_RATIO * one.fit.a - cluster.fit.a;
  const slope = cluster.fit.b - TARGET_RATIO * one.fit.b;
  if (slope === 0) return gap >= 0 ? 'always' : 'never';
  const x = gap / slope;
  // Below x the fixed parts decide, above it the slopes: which side holds depends on the signs.
  if (slope < 0) return x <= 0 ? 'always' : { fromPlayers: Math.ceil(x / rate) };
  return x <= 0 ? 'never' : { upToPlayers: Math.floor(x / rate) };
}

/**
 * Where a cluster's CPU beyond one node's goes at each step: the extra CPU, the part of it already there with
 * no media (the idle windows), what is left per packet the publisher sent (the pipes: a copy sent per remote
 * node at the origin, received there, and the processes' wake-ups), the origin's own CPU per packet it got,
 * and the remote nodes' CPU per delivered packet against one node's.
 */
function extraCost(
  one: MergedRow | null,
  cluster: MergedRow | null,
  idleOne: IdleResult | undefined,
  idleCluster: IdleResult | undefined,
) {
  if (!one || !cluster) return null;
  const perSecond = (r: MergedRow): number => r.cpuMs / (r.windowSeconds ?? Number.NaN);
  const extraMsPerSecond = perSecond(cluster) - perSecond(one);
  const idleExtraMsPerSecond =
    idleOne && idleCluster ? ((idleCluster.cpuPercent ?? 0) - (idleOne.cpuPercent ?? 0)) * 10 : null;
  const sourcePerSecond = cluster.packetsSentBySources / (cluster.windowSeconds ?? Number.NaN);
  const part = (name: string): number | null =>
    cluster.processCpu?.find((p) => p.name === name)?.cpuMs ?? null;
  const remotes = ['B', 'C'].map(part).filter((x): x is number => x !== null);
  const origin = part('A');
  const remoteMs = remotes.reduce((a, b) => a + b, 0);
  return {
    extraCpuPercent: round(extraMsPerSecond / 10, 2),
    idleExtraCpuPercent: idleExtraMsPerSecond === null ? null : round(idleExtraMsPerSecond / 10, 2),
    extraMicrosPerSourcePacketBeyondIdle:
      idleExtraMsPerSecond === null || sourcePerSecond === 0
        ? null
        : round(((extraMsPerSecond - idleExtraMsPerSecond) * 1000) / sourcePerSecond, 1),
    originMicrosPerSourcePacket:
      origin === null || cluster.packetsSentBySources === 0
        ? null
        : round((origin * 1000) / cluster.packetsSentBySources, 1),
    remoteNodesMicrosPerDeliveredPacket:
      cluster.packetsReceived > 0 ? round((remoteMs * 1000) / cluster.packetsReceived, 2) : null,
    oneNodeMicrosPerDeliveredPacket: one.cpuMicrosPerPacket,
  };
}

/** The summary of a run: `layouts` as measured (rows per layout, idle, signaling), `steps` the loads. */
export function clusterSummary(steps: readonly number[], layouts: Record<string, LayoutResult>) {
  const names = Object.keys(layouts);
  const layoutOf = (name: string): LayoutResult => {
    const l = layouts[name];
    if (l === undefined) throw new Error(`no layout ${name}`);
    return l;
  };
  const rowOf = (name: string, load: number): MergedRow | null =>
    layoutOf(name).rows.find((r) => r.load === load)?.row ?? null;
  const rows = steps.map((players) => {
    const one = rowOf('one-node', players);
    const row: ClusterRow = { players, layouts: {}, ratio: {}, roundRatios: {}, extraCost: {} };
    for (const name of names) {
      const r = rowOf(name, players);
      row.layouts[name] = r;
      if (name === 'one-node') continue;
      row.ratio[name] =
        r?.cpuMicrosPerPacket && one?.cpuMicrosPerPacket
          ? round(r.cpuMicrosPerPacket / one.cpuMicrosPerPacket, 3)
          : null;
      // Round k of each layout ran next to each other: the spread of these is the comparison's noise.
      row.roundRatios[name] =
        r && one
          ? r.perRound.map((x, k) => {
              const o = one.perRound[k]?.cpuMicrosPerPacket;
              return o && x.cpuMicrosPerPacket ? round(x.cpuMicrosPerPacket / o, 3) : null;
            })
          : [];
      row.extraCost[name] = extraCost(one, r, layouts['one-node']?.idle, layoutOf(name).idle);
    }
    return row;
  });
  const pooled: Record<string, number | null> = Object.fromEntries(
    names.map((n) => [n, pooledMicrosPerPacket(layoutOf(n).rows.map((r) => r.row))]),
  );
  const ratio: Record<string, number | null> = {};
  const target: Record<
    string,
    { pooledHolds: boolean | null; stepsHolding: number[]; stepsFailing: number[] }
  > = {};
  for (const n of names.filter((x) => x !== 'one-node')) {
    const p = pooled[n];
    const p1 = pooled['one-node'];
    const r = p && p1 ? round(p / p1, 3) : null;
    ratio[n] = r;
    const perStep = rows.map((row) => ({ players: row.players, ratio: row.ratio[n] ?? null }));
    target[n] = {
      pooledHolds: r === null ? null : r <= TARGET_RATIO,
      stepsHolding: perStep.filter((s) => s.ratio !== null && s.ratio <= TARGET_RATIO).map((s) => s.players),
      stepsFailing: perStep.filter((s) => s.ratio !== null && s.ratio > TARGET_RATIO).map((s) => s.players),
    };
  }
  const models: Record<string, CostModel | null> = Object.fromEntries(
    names.map((n) => [n, costModel(layoutOf(n).rows.map((r) => r.row))]),
  );
  const checks = names.flatMap((n) =>
    layoutOf(n).rows.flatMap((r) => {
      const pipes = r.row?.pipes;
      return pipes ? [{ layout: n, players: r.load, holds: pipes.holds, perNode: pipes.perNode }] : [];
    }),
  );
  return {
    rows,
    summary: {
      targetRatio: TARGET_RATIO,
      microsPerPacket: pooled,
      ratio,
      target,
      oneCopyPerPacket: {
        holds: checks.length > 0 ? checks.every((c) => c.holds) : null,
        checks: checks.length,
        failing: checks.filter((c) => !c.holds).map((c) => `${c.layout} at ${c.players} players`),
      },
      costModel: models,
      /** From the cost models: the players per stream from which each cluster layout meets the target. */
      modeledTarget: Object.fromEntries(
        names
          .filter((n) => n !== 'one-node')
          .map((n) => [
            n,
            targetFrom(
              models['one-node'],
              models[n],
              layoutOf(n).rows.map((r) => r.row),
            ),
          ]),
      ),
      idle: Object.fromEntries(names.map((n) => [n, layoutOf(n).idle])),
      signaling: Object.fromEntries(names.map((n) => [n, layoutOf(n).signaling])),
      stepsHoldingCapacityRule: Object.fromEntries(
        names.map((n) => [
          n,
          layoutOf(n)
            .rows.filter((r) => holds(r.row))
            .map((r) => r.load),
        ]),
      ),
      connectionRetries: Object.fromEntries(names.map((n) => [n, layoutOf(n).retries])),
      processes: Object.fromEntries(names.map((n) => [n, layoutOf(n).processes])),
      pinned: names.every((n) => layoutOf(n).pinned),
    },
  };
}

/** The remarks a reader needs: CPU sharing, the load generator's and the machine's load, failures. */
/** The summary of cluster-fanout's results. */
export type ClusterSummary = ReturnType<typeof clusterSummary>['summary'];

/** What cluster-fanout's run gives. */
export interface ClusterOutput {
  rows: ClusterRow[];
  summary: ClusterSummary;
  layouts: Record<string, { label: string }>;
  notes: string[];
  chart: string;
}

export function clusterNotes(
  rows: ClusterRow[],
  summary: ClusterSummary,
  layouts: Record<string, LayoutResult>,
): string[] {
  const notes = [
    'all server processes (every node and, in a cluster, its redis-server) are pinned to CPU 0 and the load ' +
      'generator to CPU 1: the three nodes of a cluster share one core here, so every packet that crosses a ' +
      'pipe wakes another process on the same CPU (context switches on the CPU counted), where a real cluster ' +
      'has a machine per node; CPU per packet sums utime + stime of every process from /proc',
    'the layouts run side by side and are measured in turn (at each step, every layout once per round, the ' +
      'order reversed every other round): while one is measured the others’ publishers pause and their ' +
      'processes idle on CPU 0 (bystanderCpuPercent, not counted as other load); CPU per packet and loss are ' +
      'pooled over the rounds, latency is the worse round’s',
    'the publisher sends synthetic Opus RTP at the socket of a werift connection; players are werift peer ' +
      'connections read by the light receiver; the receivers count distinct packets (see bench/README.md)',
  ];
  const measured = rows.flatMap((r) => Object.values(r.layouts)).filter((r): r is MergedRow => r !== null);
  const other = Math.max(
    0,
    ...measured.map((r) => Math.max(r.otherLoadPercent.cpu0 ?? 0, r.otherLoadPercent.cpu1 ?? 0)),
  );
  if (other > 5) {
    notes.push(
      `other processes of the machine took up to ${other} % of CPU 0 or 1 during a window (otherLoadPercent): ` +
        'CPU per packet is each process’s own, but latency and loss are inflated where they did',
    );
  }
  const bystanders = Object.entries(layouts)
    .map(([name, l]): [string, number] => [
      name,
      Math.max(0, ...l.rows.map((r) => r.row?.bystanderCpuPercent ?? 0)),
    ])
    .filter(([, x]) => x > 0);
  if (bystanders.length > 0) {
    notes.push(
      `the paused layouts' processes (their players' consent checks and reports, timers) took up to ` +
        `${bystanders.map(([n, x]) => `${x} % of CPU 0 while ${n} was measured`).join(', ')}`,
    );
  }
  const busy = measured.filter((r) => (r.benchCpuPercent ?? 0) > 85).length;
  if (busy > 0) notes.push(`the load generator used over 85 % of its CPU in ${busy} window(s)`);
  if (summary.oneCopyPerPacket.holds === false) {
    notes.push(`ONE-COPY CHECK FAILED: ${summary.oneCopyPerPacket.failing.join(', ')} (see rows[].pipes)`);
  }
  for (const [name, t] of Object.entries(summary.target)) {
    if (t.stepsFailing.length > 0) {
      notes.push(
        `${name}: CPU per delivered packet over ${TARGET_RATIO} × one node's at ${t.stepsFailing.join(', ')} ` +
          'players (extraCost in the rows says where the extra goes)',
      );
    }
  }
  for (const [name, l] of Object.entries(layouts)) {
    if (l.signaling !== null && 'error' in l.signaling)
      notes.push(`${name}: signaling not measured: ${l.signaling.error}`);
    const events = signalingOf(l.signaling)?.events;
    const missing = events
      ? (['join', 'leave', 'broadcast'] as const).reduce((n, a) => n + events[a].missing, 0)
      : 0;
    if (missing > 0) notes.push(`${name}: ${missing} room events never reached an observer within 5 s`);
    if (l.retries > 0) notes.push(`${name}: ${l.retries} connection(s) failed once and were tried again`);
    notes.push(...l.errors);
    const last = l.rows.at(-1)?.row?.transportClosesSoFar ?? {};
    const lost = Object.entries(last).filter(([reason]) => reason !== 'closed' && reason !== 'replaced');
    if (lost.length > 0) {
      notes.push(
        `${name}: the SFU closed media transports during the run (${lost.map(([r, n]) => `${n} ${r}`).join(', ')}): ` +
          'players that lost theirs count as loss from then on',
      );
    }
    const dry = l.rows.filter((r) => r.row && !r.row.mediaFlowingBeforeWindow).map((r) => r.load);
    if (dry.length > 0)
      notes.push(`${name}: some players had no media before the window at ${dry.join(', ')} players`);
  }
  return notes;
}
