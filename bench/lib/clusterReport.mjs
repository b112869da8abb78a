/**
 * What cluster-fanout reports from its measured layouts (scenarios/clusterFanout.mjs): the summary (CPU per
 * delivered packet of each layout pooled over its steps, the ratio of a cluster's to one node's against the
 * issue's target, the one-copy check, where a cluster's extra CPU goes, signaling latencies), the notes, the
 * Markdown tables and the chart. Every figure is computed from the rows; nothing is assumed.
 */
import { renderChart } from './chart.mjs';
import { holds, pooledMicrosPerPacket } from './measure.mjs';
import { round } from './stats.mjs';

/** The issue's target: a cluster's CPU per delivered packet at most 1.15 × one node's. */
export const TARGET_RATIO = 1.15;

/** Least-squares line y = a + b·x over the points (null with fewer than two distinct x). */
function fitLine(points) {
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
function costModel(rows) {
  const fit = fitLine(
    rows
      .filter(Boolean)
      .map((r) => ({ x: r.packetsReceived / r.windowSeconds, y: r.cpuMs / r.windowSeconds })),
  );
  return fit && { fixedCpuPercent: round(fit.a / 10, 2), marginalMicrosPerPacket: round(fit.b * 1000, 2), fit };
}

/**
 * Where the two cost models cross the target: the players per stream from which a cluster's modeled CPU per
 * delivered packet is at most TARGET_RATIO × one node's (F + m·x against F₁ + m₁·x, x delivered packets per
 * second). `always` when it holds at every load, `never` when at none; an extrapolation beyond the measured
 * steps is only as good as the straight line.
 */
function targetFrom(one, cluster, rows) {
  if (!one || !cluster) return null;
  const perPlayer = rows
    .filter(Boolean)
    .map((r) => r.packetsReceived / r.windowSeconds / Object.values(r.playersPerNode).reduce((a, b) => a + b, 0));
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
function extraCost(one, cluster, idleOne, idleCluster) {
  if (!one || !cluster) return null;
  const perSecond = (r) => r.cpuMs / r.windowSeconds;
  const extraMsPerSecond = perSecond(cluster) - perSecond(one);
  const idleExtraMsPerSecond =
    idleOne && idleCluster ? (idleCluster.cpuPercent - idleOne.cpuPercent) * 10 : null;
  const sourcePerSecond = cluster.packetsSentBySources / cluster.windowSeconds;
  const part = (name) => cluster.processCpu?.find((p) => p.name === name)?.cpuMs ?? null;
  const remotes = ['B', 'C'].map(part).filter((x) => x !== null);
  const remoteMs = remotes.reduce((a, b) => a + b, 0);
  return {
    extraCpuPercent: round(extraMsPerSecond / 10, 2),
    idleExtraCpuPercent: idleExtraMsPerSecond === null ? null : round(idleExtraMsPerSecond / 10, 2),
    extraMicrosPerSourcePacketBeyondIdle:
      idleExtraMsPerSecond === null || sourcePerSecond === 0
        ? null
        : round(((extraMsPerSecond - idleExtraMsPerSecond) * 1000) / sourcePerSecond, 1),
    originMicrosPerSourcePacket:
      part('A') === null || cluster.packetsSentBySources === 0
        ? null
        : round((part('A') * 1000) / cluster.packetsSentBySources, 1),
    remoteNodesMicrosPerDeliveredPacket:
      cluster.packetsReceived > 0 ? round((remoteMs * 1000) / cluster.packetsReceived, 2) : null,
    oneNodeMicrosPerDeliveredPacket: one.cpuMicrosPerPacket,
  };
}

/** The summary of a run: `layouts` as measured (rows per layout, idle, signaling), `steps` the loads. */
export function clusterSummary(steps, layouts) {
  const names = Object.keys(layouts);
  const rowOf = (name, load) => layouts[name].rows.find((r) => r.load === load)?.row ?? null;
  const rows = steps.map((players) => {
    const one = rowOf('one-node', players);
    const row = { players, layouts: {}, ratio: {}, roundRatios: {}, extraCost: {} };
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
      row.extraCost[name] = extraCost(one, r, layouts['one-node']?.idle, layouts[name].idle);
    }
    return row;
  });
  const pooled = Object.fromEntries(
    names.map((n) => [n, pooledMicrosPerPacket(layouts[n].rows.map((r) => r.row))]),
  );
  const ratio = {};
  const target = {};
  for (const n of names.filter((x) => x !== 'one-node')) {
    ratio[n] = pooled[n] && pooled['one-node'] ? round(pooled[n] / pooled['one-node'], 3) : null;
    const perStep = rows.map((r) => ({ players: r.players, ratio: r.ratio[n] }));
    target[n] = {
      pooledHolds: ratio[n] === null ? null : ratio[n] <= TARGET_RATIO,
      stepsHolding: perStep.filter((s) => s.ratio !== null && s.ratio <= TARGET_RATIO).map((s) => s.players),
      stepsFailing: perStep.filter((s) => s.ratio !== null && s.ratio > TARGET_RATIO).map((s) => s.players),
    };
  }
  const models = Object.fromEntries(names.map((n) => [n, costModel(layouts[n].rows.map((r) => r.row))]));
  const checks = names.flatMap((n) =>
    layouts[n].rows
      .filter((r) => r.row?.pipes)
      .map((r) => ({ layout: n, players: r.load, holds: r.row.pipes.holds, perNode: r.row.pipes.perNode })),
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
          .map((n) => [n, targetFrom(models['one-node'], models[n], layouts[n].rows.map((r) => r.row))]),
      ),
      idle: Object.fromEntries(names.map((n) => [n, layouts[n].idle])),
      signaling: Object.fromEntries(names.map((n) => [n, layouts[n].signaling])),
      stepsHoldingCapacityRule: Object.fromEntries(
        names.map((n) => [n, layouts[n].rows.filter((r) => holds(r.row)).map((r) => r.load)]),
      ),
      connectionRetries: Object.fromEntries(names.map((n) => [n, layouts[n].retries])),
      processes: Object.fromEntries(names.map((n) => [n, layouts[n].processes])),
      pinned: names.every((n) => layouts[n].pinned),
    },
  };
}

/** The remarks a reader needs: CPU sharing, the load generator's and the machine's load, failures. */
export function clusterNotes(rows, summary, layouts) {
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
  const measured = rows.flatMap((r) => Object.values(r.layouts)).filter(Boolean);
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
    .map(([name, l]) => [name, Math.max(0, ...l.rows.map((r) => r.row?.bystanderCpuPercent ?? 0))])
    .filter(([, x]) => x > 0);
  if (bystanders.length > 0) {
    notes.push(
      `the paused layouts' processes (their players' consent checks and reports, timers) took up to ` +
        `${bystanders.map(([n, x]) => `${x} % of CPU 0 while ${n} was measured`).join(', ')}`,
    );
  }
  const busy = measured.filter((r) => r.benchCpuPercent > 85).length;
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
    if (l.signaling?.error) notes.push(`${name}: signaling not measured: ${l.signaling.error}`);
    const missing = l.signaling?.events
      ? ['join', 'leave', 'broadcast'].reduce((n, a) => n + l.signaling.events[a].missing, 0)
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
      .map((n) => `${v(s.ratio[n], '×')}${s.target[n].pooledHolds ? '' : ' (over target)'}`)
      .join(', '),
  };
}
