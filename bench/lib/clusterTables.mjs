/**
 * How cluster-fanout prints its results (lib/clusterReport.mjs computes them): the Markdown tables (media per
 * step, where a cluster's extra CPU goes, signaling), the chart and the headline of BENCHMARKS.md.
 */
import { renderChart } from './chart.mjs';
import { TARGET_RATIO } from './clusterReport.mjs';

/** A modeled target crossing in words. */
function modeled(t) {
  if (t === null || t === undefined) return '—';
  if (typeof t === 'string') return t === 'always' ? 'at every load' : 'at no load';
  return t.fromPlayers !== undefined ? `from ${t.fromPlayers} players` : `up to ${t.upToPlayers} players`;
}

const v = (x, suffix = '') => (x === null || x === undefined ? '—' : `${x}${suffix}`);

/** The Markdown tables: media per step, where the extra CPU goes, signaling. */
export function clusterTables(result) {
  const names = Object.keys(result.summary.microsPerPacket);
  const clusters = names.filter((n) => n !== 'one-node');
  const lines = [
    `| players | ${names.map((n) => `${n} µs/pkt`).join(' | ')} | ${clusters.map((n) => `${n} ÷ one-node`).join(' | ')} | ${names.map((n) => `${n} loss, p50 / p99`).join(' | ')} | ${clusters.map((n) => `${n} CPU % by process`).join(' | ')} | ${clusters.map((n) => `${n} pipe copies per packet (players)`).join(' | ')} | other load CPU 0 / 1 |`,
    `| ---: |${' ---: |'.repeat(names.length * 2 + clusters.length * 3 + 0)} ---: |`,
  ];
  for (const r of result.rows) {
    const L = r.layouts;
    const lat = (x) =>
      x ? `${v(x.lossPercent, ' %')}, ${v(x.latencyMs.p50)} / ${v(x.latencyMs.p99)} ms` : '—';
    const procs = (x) =>
      x?.processCpu ? x.processCpu.map((p) => `${p.name} ${p.cpuPercent}`).join(', ') : '—';
    const copies = (x) =>
      x?.pipes
        ? x.pipes.perNode
            .map(
              (e) =>
                `${e.node}: ${v(e.copiesPerPacket)} = ${v(e.packetsSent)}/${v(e.sourcePackets)} (${e.players})`,
            )
            .join('; ') + (x.pipes.holds ? '' : ' FAILED')
        : '—';
    const other = names
      .map((n) => (L[n] ? `${v(L[n].otherLoadPercent.cpu0)} / ${v(L[n].otherLoadPercent.cpu1)}` : '—'))
      .join('; ');
    lines.push(
      `| ${r.players} | ${names.map((n) => v(L[n]?.cpuMicrosPerPacket)).join(' | ')} | ` +
        `${clusters.map((n) => `${v(r.ratio[n], '×')} (rounds: ${r.roundRatios[n].map((x) => v(x)).join(', ')})`).join(' | ')} | ${names.map((n) => lat(L[n])).join(' | ')} | ` +
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
function signalingTable(signaling) {
  const names = Object.keys(signaling).filter((n) => signaling[n] && !signaling[n].error);
  if (names.length === 0) return ['Signaling: not measured.'];
  const f = (x) => (x ? `${v(x.p50)} / ${v(x.p99)}` : '—');
  const lines = [
    '| action (p50 / p99 ms) | ' +
      names.map((n) => `${n}: reply | ${n}: same node | ${n}: other node`).join(' | ') +
      ' |',
    `| --- |${' ---: |'.repeat(names.length * 3)}`,
  ];
  lines.push(
    `| login → reply | ${names.map((n) => `${f(signaling[n].logins.replyMs)} | — | —`).join(' | ')} |`,
  );
  for (const [action, label] of [
    ['join', 'login → userUpdate ADD'],
    ['leave', 'logout → userUpdate DELETE'],
    ['broadcast', 'broadcast → message'],
  ]) {
    lines.push(
      `| ${label} | ${names
        .map((n) => {
          const e = signaling[n].events[action];
          return `${f(e.replyMs)} | ${f(e.sameNodeMs)} | ${f(e.otherNodeMs)}`;
        })
        .join(' | ')} |`,
    );
  }
  const n0 = signaling[names[0]];
  lines.push(
    '',
    `Samples: ${n0.logins.replyMs.n} logins; ${n0.events.join.replyMs.n} of each room event, each to ` +
      `${names.map((n) => `${signaling[n].events.observers.sameNode} + ${signaling[n].events.observers.otherNode} observers (${n})`).join(', ')}. ` +
      `Server CPU per login (all processes, socket included): ${names.map((n) => `${n} ${v(signaling[n].logins.serverCpuMsPerLogin)} ms`).join(', ')}.`,
  );
  return lines;
}

/** The chart: CPU per delivered packet, the ratio against the target, latency, loss. */
export function clusterChart(result, steps, seconds) {
  const names = Object.keys(result.summary.microsPerPacket);
  const col = (n, f) => result.rows.map((r) => (r.layouts[n] ? f(r.layouts[n]) : null));
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
          .map((n) => ({ name: n, values: result.rows.map((r) => r.ratio[n]) })),
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
export function clusterHeadline(result) {
  const s = result.summary;
  const clusters = Object.keys(s.ratio);
  const sig = s.signaling?.cluster;
  const one = s.signaling?.['one-node'];
  const signaling =
    sig && one && !sig.error && !one.error
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
          `${v(s.ratio[n], '×')} (${s.target[n].pooledHolds ? 'within' : 'over'} the ${TARGET_RATIO}× target)`,
      )
      .join(', '),
  };
}
