/**
 * How cluster-fanout prints its results (lib/clusterReport.ts computes them): the Markdown tables (media per
 * step, where a cluster's extra CPU goes, signaling), the chart and the headline of BENCHMARKS.md.
 */
import { renderChart } from './chart.js';
import type { MergedRow } from './clusterMedia.js';
import {
  type ClusterOutput,
  type ClusterRow,
  type ClusterSummary,
  type LayoutResult,
  signalingOf,
  TARGET_RATIO,
} from './clusterReport.js';
import type { Figures, SignalingResult } from './clusterSignaling.js';
import type { Headline, ScenarioResult } from './scenario.js';

/** A modeled target crossing in words. */
function modeled(t: ClusterSummary['modeledTarget'][string] | undefined): string {
  if (t === null || t === undefined) return '—';
  if (typeof t === 'string') return t === 'always' ? 'at every load' : 'at no load';
  return 'fromPlayers' in t ? `from ${t.fromPlayers} players` : `up to ${t.upToPlayers} players`;
}

const v = (x: unknown, suffix = ''): string => (x === null || x === undefined ? '—' : `${x}${suffix}`);

/** The Markdown tables: media per step, where the extra CPU goes, signaling. */
export function clusterTables(result: ScenarioResult<ClusterOutput>): string {
  const names = Object.keys(result.summary.microsPerPacket);
  const clusters = names.filter((n) => n !== 'one-node');
  const lines = [
    `| players | ${names.map((n) => `${n} µs/pkt`).join(' | ')} | ${clusters.map((n) => `${n} ÷ one-node`).join(' | ')} | ${names.map((n) => `${n} loss, p50 / p99`).join(' | ')} | ${clusters.map((n) => `${n} CPU % by process`).join(' | ')} | ${clusters.map((n) => `${n} pipe copies per packet (players)`).join(' | ')} | other load CPU 0 / 1 |`,
    `| ---: |${' ---: |'.repeat(names.length * 2 + clusters.length * 3 + 0)} ---: |`,
  ];
  for (const r of result.rows) {
    const L = r.layouts;
    const lat = (x: MergedRow | null | undefined): string =>
      x ? `${v(x.lossPercent, ' %')}, ${v(x.latencyMs.p50)} / ${v(x.latencyMs.p99)} ms` : '—';
    const procs = (x: MergedRow | null | undefined): string =>
      x?.processCpu ? x.processCpu.map((p) => `${p.name} ${p.cpuPercent}`).join(', ') : '—';
    const copies = (x: MergedRow | null | undefined): string =>
      x?.pipes
        ? x.pipes.perNode
            .map(
              (e) =>
                `${e.node}: ${v(e.copiesPerPacket)} = ${v(e.packetsSent)}/${v(e.sourcePackets)} (${e.players})`,
            )
            .join('; ') + (x.pipes.holds ? '' : ' FAILED')
        : '—';
    const other = names
      .map((n) => {
        const x = L[n];
        return x ? `${v(x.otherLoadPercent.cpu0)} / ${v(x.otherLoadPercent.cpu1)}` : '—';
      })
      .join('; ');
    lines.push(
      `| ${r.players} | ${names.map((n) => v(L[n]?.cpuMicrosPerPacket)).join(' | ')} | ` +
        `${clusters.map((n) => `${v(r.ratio[n], '×')} (rounds: ${(r.roundRatios[n] ?? []).map((x) => v(x)).join(', ')})`).join(' | ')} | ${names.map((n) => lat(L[n])).join(' | ')} | ` +
        `${clusters.map((n) => procs(L[n])).join(' | ')} | ${clusters.map((n) => copies(L[n])).join(' | ')} | ${other} % |`,
    );
  }
  const s = result.summary;
  lines.push(
    '',
    `Pooled over the steps: ${names.map((n) => `${n} ${v(s.microsPerPacket[n])} µs/packet`).join(', ')}; ` +
      `${clusters.map((n) => `${n} ÷ one-node ${v(s.ratio[n], '×')} (target ≤ ${TARGET_RATIO}×)`).join(', ')}. ` +
      `One copy per packet per remote node: ${s.oneCopyPerPacket.holds ? 'holds' : 'FAILED'} in ${s.oneCopyPerPacket.checks} step(s).`,
    '',
    '| players | layout | extra CPU vs one node | of it with no media | extra µs per published packet beyond idle | origin (A) µs per published packet | B + C µs per delivered packet (one node: all) |',
    '| ---: | --- | ---: | ---: | ---: | ---: | ---: |',
  );
  for (const r of result.rows) {
    for (const n of clusters) {
      const e = r.extraCost[n];
      if (!e) continue;
      lines.push(
        `| ${r.players} | ${n} | ${v(e.extraCpuPercent, ' %')} | ${v(e.idleExtraCpuPercent, ' %')} | ${v(e.extraMicrosPerSourcePacketBeyondIdle)} | ` +
          `${v(e.originMicrosPerSourcePacket)} | ${v(e.remoteNodesMicrosPerDeliveredPacket)} (${v(e.oneNodeMicrosPerDeliveredPacket)}) |`,
      );
    }
  }
  lines.push(
    '',
    `Cost model (CPU against delivered packets/s, least squares over the steps): ${names
      .map((n) => {
        const m = s.costModel[n];
        return m
          ? `${n} ${m.fixedCpuPercent} % fixed + ${m.marginalMicrosPerPacket} µs per delivered packet`
          : `${n} —`;
      })
      .join(
        '; ',
      )}. Idle (no clients): ${names.map((n) => `${n} ${v(s.idle[n]?.cpuPercent, ' %')}`).join(', ')}. ` +
      `Where the models cross ${TARGET_RATIO}×: ${clusters.map((n) => `${n} ${modeled(s.modeledTarget[n])}`).join(', ')} ` +
      '(a straight-line extrapolation past the last step).',
  );
  lines.push('', ...signalingTable(s.signaling));
  return lines.join('\n');
}

/** Signaling latencies per layout: login reply; join, leave, broadcast to the same node and another node. */
function signalingTable(all: Record<string, LayoutResult['signaling']>): string[] {
  const signaling: Record<string, SignalingResult> = {};
  for (const [n, x] of Object.entries(all)) {
    const measured = signalingOf(x);
    if (measured) signaling[n] = measured;
  }
  const names = Object.keys(signaling);
  const n0 = signaling[names[0] ?? ''];
  if (n0 === undefined) return ['Signaling: not measured.'];
  const at = (n: string): SignalingResult => signaling[n] ?? n0;
  const f = (x: Figures | null): string => (x ? `${v(x.p50)} / ${v(x.p99)}` : '—');
  const lines = [
    '| action (p50 / p99 ms) | ' +
      names.map((n) => `${n}: reply | ${n}: same node | ${n}: other node`).join(' | ') +
      ' |',
    `| --- |${' ---: |'.repeat(names.length * 3)}`,
  ];
  lines.push(`| login → reply | ${names.map((n) => `${f(at(n).logins.replyMs)} | — | —`).join(' | ')} |`);
  const actions = [
    ['join', 'login → userUpdate ADD'],
    ['leave', 'logout → userUpdate DELETE'],
    ['broadcast', 'broadcast → message'],
  ] as const;
  for (const [action, label] of actions) {
    lines.push(
      `| ${label} | ${names
        .map((n) => {
          const e = at(n).events[action];
          return `${f(e.replyMs)} | ${f(e.sameNodeMs)} | ${f(e.otherNodeMs)}`;
        })
        .join(' | ')} |`,
    );
  }
  lines.push(
    '',
    `Samples: ${n0.logins.replyMs.n} logins; ${n0.events.join.replyMs.n} of each room event, each to ` +
      `${names.map((n) => `${at(n).events.observers.sameNode} + ${at(n).events.observers.otherNode} observers (${n})`).join(', ')}. ` +
      `Server CPU per login (all processes, socket included): ${names.map((n) => `${n} ${v(at(n).logins.serverCpuMsPerLogin)} ms`).join(', ')}.`,
  );
  return lines;
}

/** The chart: CPU per delivered packet, the ratio against the target, latency, loss. */
export function clusterChart(
  result: { rows: ClusterRow[]; summary: ClusterSummary },
  steps: readonly number[],
  seconds: number,
): string {
  const names = Object.keys(result.summary.microsPerPacket);
  const col = (n: string, f: (row: MergedRow) => number | null): (number | null)[] =>
    result.rows.map((r) => {
      const row = r.layouts[n];
      return row ? f(row) : null;
    });
  return renderChart({
    title: 'cluster-fanout: one node vs a cluster of three on Redis',
    subtitle: `x: players; ${seconds} s per step; all server processes on CPU 0, the load generator on CPU 1`,
    panels: [
      {
        title: 'CPU per delivered packet, all server processes summed',
        xLabel: 'players',
        yLabel: 'µs per packet',
        x: steps,
        series: names.map((n) => ({ name: n, values: col(n, (r) => r.cpuMicrosPerPacket) })),
      },
      {
        title: 'Cluster ÷ one node, CPU per delivered packet',
        xLabel: 'players',
        yLabel: 'ratio',
        x: steps,
        series: names
          .filter((n) => n !== 'one-node')
          .map((n) => ({ name: n, values: result.rows.map((r) => r.ratio[n] ?? null) })),
        limits: [{ y: TARGET_RATIO, label: 'target' }],
      },
      {
        title: 'Added latency (send → receive)',
        xLabel: 'players',
        yLabel: 'ms',
        x: steps,
        series: names.flatMap((n) => [
          { name: `${n} p99`, values: col(n, (r) => r.latencyMs.p99) },
          { name: `${n} p50`, values: col(n, (r) => r.latencyMs.p50) },
        ]),
      },
    ],
  });
}

/** The headline for BENCHMARKS.md's summary table. */
export function clusterHeadline(result: ScenarioResult<ClusterOutput>): Headline {
  const s = result.summary;
  const clusters = Object.keys(s.ratio);
  const sig = signalingOf(s.signaling['cluster'] ?? null);
  const one = signalingOf(s.signaling['one-node'] ?? null);
  const signaling =
    sig && one
      ? `; login p50 ${one.logins.replyMs.p50} → ${sig.logins.replyMs.p50} ms; broadcast to another node p50 / p99 ` +
        `${sig.events.broadcast.otherNodeMs?.p50} / ${sig.events.broadcast.otherNodeMs?.p99} ms (one node ` +
        `${one.events.broadcast.sameNodeMs.p50} / ${one.events.broadcast.sameNodeMs.p99} ms)`
      : '';
  return {
    result:
      `${clusters.map((n) => `${n} ${v(s.microsPerPacket[n])} µs/packet`).join(', ')} vs one node ` +
      `${v(s.microsPerPacket['one-node'])}; one copy per packet per node: ` +
      `${s.oneCopyPerPacket.holds ? 'holds' : 'FAILED'}${signaling}`,
    baseline: null,
    ratio: clusters
      .map(
        (n) =>
          `${v(s.ratio[n], '×')} (${s.target[n]?.pooledHolds ? 'within' : 'over'} the ${TARGET_RATIO}× target)`,
      )
      .join(', '),
  };
}
