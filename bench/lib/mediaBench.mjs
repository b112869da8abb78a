/**
 * The shared run of the media scenarios (audio-fanout, video-fanout, meeting): ramps a topology through the
 * load steps on Parley, then the same steps on the baseline relay, in the same bench process and run with the
 * same synthetic tracks; measures each step (lib/measure.mjs); derives each side's capacity and the ratio of
 * Parley's CPU per packet to the baseline's; draws the chart.
 */
import { renderChart } from './chart.mjs';
import {
  CAPACITY_RULE,
  capacity,
  holds,
  latencyAtHalfCapacity,
  measureWindow,
  pooledMicrosPerPacket,
  settle,
} from './measure.mjs';
import { Meter } from './meter.mjs';
import { round } from './stats.mjs';
import { startPacer } from './synthRtp.mjs';

/** Ramps `topology` through `steps`, measuring each. Returns `[{ load, row, error? }]`. */
async function ramp({ side, topology, steps, meter, seconds, unit, progress }) {
  const rows = [];
  for (const [i, load] of steps.entries()) {
    progress.phase(`${side}: setting up ${load} ${unit}`, load);
    try {
      await topology.grow(load, (done) => progress.update(done));
    } catch (err) {
      const error = `setup of ${load} ${unit} failed: ${err.message}`;
      progress.log(`${side} ${unit}=${load}: ${error} — the ramp stops here`);
      rows.push({ load, row: null, error });
      break;
    }
    const flowing = await settle(topology.pairs);
    progress.phase(`${side}: measuring ${load} ${unit} for ${seconds} s`, 100);
    const row = await measureWindow({
      meter,
      tracks: topology.tracks,
      target: topology.target,
      pinned: topology.pinned,
      seconds,
      // A longer warm-up before the first window: the forwarder's process is fresh.
      warmupSeconds: i === 0 ? 3 : 1,
      onTick: (f) => progress.update(Math.round(f * 100)),
    });
    row.mediaFlowingBeforeWindow = flowing;
    const memory = await serverMemory(topology.target);
    if (memory) Object.assign(row, memory);
    rows.push({ load, row });
    progress.log(describeRow(side, unit, load, row));
  }
  progress.end();
  return rows;
}

/**
 * The Parley server's memory after a full GC and how many media transports it holds (null for the baseline
 * relay, which has neither): the per-transport cost is the slope between load steps.
 */
async function serverMemory(target) {
  if (typeof target?.gc !== 'function' || typeof target.health !== 'function') return null;
  await target.gc();
  const health = await target.health();
  return { serverRssMiB: round(target.rssBytes() / 2 ** 20, 1), mediaTransports: health.mediaTransports };
}

/** KiB of server RSS per media transport, from the first and last measured steps (null if not measurable). */
function memoryPerTransport(rows) {
  const measured = rows.map((r) => r.row).filter((r) => r && typeof r.mediaTransports === 'number');
  if (measured.length < 2) return null;
  const first = measured[0];
  const last = measured[measured.length - 1];
  const transports = last.mediaTransports - first.mediaTransports;
  if (transports <= 0) return null;
  return {
    kibPerTransport: round(((last.serverRssMiB - first.serverRssMiB) * 1024) / transports, 1),
    fromTransports: first.mediaTransports,
    toTransports: last.mediaTransports,
    fromRssMiB: first.serverRssMiB,
    toRssMiB: last.serverRssMiB,
  };
}

/** One line about a measured step, for the progress log. */
export function describeRow(side, unit, load, row) {
  if (row === null) return `${side} ${unit}=${load}: not measured`;
  const l = row.latencyMs;
  return (
    `${side.padEnd(8)} ${unit}=${String(load).padEnd(4)} ${row.forwardedPerSecond} pkt/s out, ` +
    `cpu ${row.cpuPercent}% = ${row.cpuMicrosPerPacket ?? '—'} µs/pkt, loss ${row.lossPercent}%, ` +
    `latency p50 ${l.p50 ?? '—'} / p99 ${l.p99 ?? '—'} ms (first arrival ${row.burst.firstArrivalMs ?? '—'} ms ` +
    `+ ${row.burst.betweenArrivalsMicros ?? '—'} µs per receiver), bench cpu ${row.benchCpuPercent}% ` +
    `(loop delay max ${row.benchLoopDelayMs.max} ms)` +
    (row.serverGcPauseMs ? `, server GC max ${row.serverGcPauseMs.max} ms` : '') +
    `, other load cpu0 ${row.otherLoadPercent.cpu0}% ` +
    `cpu1 ${row.otherLoadPercent.cpu1}%` +
    (row.mediaFlowingBeforeWindow === false ? ' (some receivers had no media before the window)' : '')
  );
}

/**
 * Runs a media scenario. `makeParley` / `makeBaseline` ({ meter, pacer }) build the two topologies.
 * Returns `{ rows, summary, chart }` for the results file.
 */
export async function runMediaBenchmark({ title, unit, steps, seconds, makeParley, makeBaseline, progress }) {
  const pacer = startPacer();
  const sides = {};
  try {
    for (const [side, make] of [
      ['parley', makeParley],
      ['baseline', makeBaseline],
    ]) {
      const meter = new Meter();
      progress.phase(`${side}: starting`);
      const topology = await make({ meter, pacer });
      try {
        sides[side] = {
          pinned: topology.pinned,
          rows: await ramp({ side, topology, steps, meter, seconds, unit, progress }),
        };
        sides[side].retries = topology.retries?.count ?? 0;
      } finally {
        await topology.close();
      }
    }
  } finally {
    pacer.stop();
  }
  const rowOf = (side, load) => sides[side].rows.find((r) => r.load === load) ?? null;
  const rows = steps.map((load) => {
    const parley = rowOf('parley', load);
    const baseline = rowOf('baseline', load);
    const p = parley?.row?.cpuMicrosPerPacket ?? null;
    const b = baseline?.row?.cpuMicrosPerPacket ?? null;
    return {
      [unit]: load,
      parley: parley?.row ?? null,
      baseline: baseline?.row ?? null,
      ratio: p !== null && b !== null && b > 0 ? round(p / b, 2) : null,
      errors: [parley?.error, baseline?.error].filter(Boolean),
    };
  });
  const loadRows = (side) => sides[side].rows.map(({ load, row }) => ({ load, row }));
  const failing = (side) => sides[side].rows.filter((r) => !holds(r.row)).map((r) => r.load);
  const parleyPooled = pooledMicrosPerPacket(sides.parley.rows.map((r) => r.row));
  const baselinePooled = pooledMicrosPerPacket(sides.baseline.rows.map((r) => r.row));
  const summary = {
    capacityRule: CAPACITY_RULE,
    /** The highest step that held (null: none did); "every step held" means the capacity may be higher. */
    capacity: capacity(loadRows('parley')),
    baselineCapacity: capacity(loadRows('baseline')),
    /** Each side's latency at the highest step ≤ half its capacity (the latency target's load). */
    latencyAtHalfCapacity: {
      parley: latencyAtHalfCapacity(loadRows('parley'), capacity(loadRows('parley'))),
      baseline: latencyAtHalfCapacity(loadRows('baseline'), capacity(loadRows('baseline'))),
    },
    stepsFailingRule: { parley: failing('parley'), baseline: failing('baseline') },
    everyStepHeld: { parley: failing('parley').length === 0, baseline: failing('baseline').length === 0 },
    parleyMicrosPerPacket: parleyPooled,
    /** Server RSS (after a full GC) per media transport, between the first and the last step. */
    serverMemoryPerTransport: memoryPerTransport(sides.parley.rows),
    baselineMicrosPerPacket: baselinePooled,
    ratio: parleyPooled !== null && baselinePooled !== null ? round(parleyPooled / baselinePooled, 2) : null,
    /** Parley connections that failed to set up once and were tried again (0 on a quiet machine). */
    connectionRetries: sides.parley.retries,
    serverPinned: sides.parley.pinned,
    relayPinned: sides.baseline.pinned,
  };
  const x = steps;
  const col = (side, f) => rows.map((r) => (r[side] ? f(r[side]) : null));
  const chart = renderChart({
    title,
    subtitle: `x: ${unit}; ${seconds} s per step; capacity: loss ≤ ${CAPACITY_RULE.maxLossPercent} % and p99 ≤ ${CAPACITY_RULE.maxP99LatencyMs} ms`,
    panels: [
      {
        title: 'Forwarder CPU per forwarded packet',
        xLabel: unit,
        yLabel: 'µs per packet',
        x,
        series: [
          { name: 'Parley', values: col('parley', (r) => r.cpuMicrosPerPacket) },
          { name: 'baseline relay', values: col('baseline', (r) => r.cpuMicrosPerPacket) },
        ],
      },
      {
        title: 'Added latency, p99 (send → receive)',
        xLabel: unit,
        yLabel: 'ms',
        x,
        series: [
          { name: 'Parley p99', values: col('parley', (r) => r.latencyMs.p99) },
          { name: 'baseline p99', values: col('baseline', (r) => r.latencyMs.p99) },
          { name: 'Parley p50', values: col('parley', (r) => r.latencyMs.p50) },
        ],
        limits: [{ y: CAPACITY_RULE.maxP99LatencyMs, label: 'capacity limit' }],
      },
      {
        title: 'Loss',
        xLabel: unit,
        yLabel: '% of packets',
        x,
        series: [
          { name: 'Parley', values: col('parley', (r) => r.lossPercent) },
          { name: 'baseline relay', values: col('baseline', (r) => r.lossPercent) },
        ],
        limits: [{ y: CAPACITY_RULE.maxLossPercent, label: 'capacity limit' }],
      },
    ],
  });
  return { rows, summary, notes: mediaNotes(rows, summary, unit), chart };
}

/** Remarks a reader needs to judge the figures: a busy load generator or machine, failed steps, retries. */
function mediaNotes(rows, summary, unit) {
  const notes = [
    'the publishers send synthetic RTP (numbered, timestamped payloads of the real payload type and size) ' +
      'at the socket of werift connections, with no encoder; the baseline relay is the thinnest SRTP forwarder (see ' +
      'bench/README.md)',
  ];
  const measured = rows.flatMap((r) => [r.parley, r.baseline]).filter(Boolean);
  const busyBench = measured.filter((r) => r.benchCpuPercent > 85);
  if (busyBench.length > 0) {
    notes.push(
      `the load generator used over 85 % of its CPU in ${busyBench.length} window(s): there, loss and ` +
        'latency may be partly the generator’s',
    );
  }
  const late = measured.filter((r) => r.benchLoopDelayMs.p99 > 10);
  if (late.length > 0) {
    const worst = Math.max(...late.map((r) => r.benchLoopDelayMs.p99));
    notes.push(
      `the bench's event loop ran late (p99 over 10 ms, up to ${worst} ms) in ${late.length} window(s): that ` +
        'lateness is part of the measured latency there (benchLoopDelayMs and benchGcPauseMs in the JSON)',
    );
  }
  const other = Math.max(
    0,
    ...measured.map((r) => Math.max(r.otherLoadPercent.cpu0 ?? 0, r.otherLoadPercent.cpu1 ?? 0)),
  );
  if (other > 20) {
    notes.push(
      `other processes of the machine took up to ${other} % of CPU 0 or 1 during a window (see otherLoadPercent ` +
        'in the JSON): latency and loss are inflated where they did',
    );
  }
  for (const side of ['parley', 'baseline']) {
    const below = summary.stepsFailingRule[side].filter(
      (l) => summary[side === 'parley' ? 'capacity' : 'baselineCapacity'] > l,
    );
    if (below.length > 0) {
      notes.push(`${side}: steps below the capacity that did not hold the rule: ${below.join(', ')} ${unit}`);
    }
  }
  if (summary.connectionRetries > 0) {
    notes.push(
      `${summary.connectionRetries} Parley connection(s) failed to set up once and were tried again`,
    );
  }
  for (const r of rows) for (const e of r.errors) notes.push(e);
  return notes;
}

/** The Markdown table of a media scenario's rows. */
export function mediaTable(result, unit) {
  const v = (x, suffix = '') => (x === null || x === undefined ? '—' : `${x}${suffix}`);
  const other = (r) => (r ? `${v(r.otherLoadPercent.cpu0)} / ${v(r.otherLoadPercent.cpu1)} %` : '—');
  const burst = (r) =>
    r?.burst ? `${v(r.burst.firstArrivalMs)} ms + ${v(r.burst.betweenArrivalsMicros)} µs` : '—';
  const lines = [
    `| ${unit} | Parley pkt/s out | Parley µs/pkt | baseline µs/pkt | ratio | Parley loss | Parley p50 / p99 latency | baseline loss | baseline p50 / p99 latency | burst: first arrival + per further receiver (Parley; baseline) | server CPU | bench CPU | other load CPU 0 / 1 (Parley; baseline) |`,
    '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const r of result.rows) {
    const p = r.parley;
    const b = r.baseline;
    lines.push(
      `| ${r[unit]} | ${v(p?.forwardedPerSecond)} | ${v(p?.cpuMicrosPerPacket)} | ${v(b?.cpuMicrosPerPacket)} | ${v(r.ratio, '×')} | ` +
        `${v(p?.lossPercent, ' %')} | ${p ? `${v(p.latencyMs.p50)} / ${v(p.latencyMs.p99)} ms` : '—'} | ` +
        `${v(b?.lossPercent, ' %')} | ${b ? `${v(b.latencyMs.p50)} / ${v(b.latencyMs.p99)} ms` : '—'} | ` +
        `${burst(p)}; ${burst(b)} | ` +
        `${v(p?.cpuPercent, ' %')} | ${v(p?.benchCpuPercent, ' %')} | ${other(p)}; ${other(b)} |`,
    );
  }
  const memory = result.summary.serverMemoryPerTransport;
  if (memory) {
    lines.push(
      '',
      `Server memory per media transport: ${memory.kibPerTransport} KiB RSS (after a full GC: ` +
        `${memory.fromRssMiB} MiB with ${memory.fromTransports} transports, ${memory.toRssMiB} MiB with ` +
        `${memory.toTransports}).`,
    );
  }
  return lines.join('\n');
}

/** The headline of a media scenario for the summary table of BENCHMARKS.md. */
export function mediaHeadline(result, unit) {
  const s = result.summary;
  const cap = (value, all) =>
    value === null ? 'no step held' : `${all ? '≥ ' : ''}${value} ${unit}${all ? ' (every step held)' : ''}`;
  const half = (h) =>
    h ? `; p50 / p99 ${h.p50} / ${h.p99} ms at ${h.load} ${unit} (≤ half of capacity)` : '';
  return {
    result:
      `capacity ${cap(s.capacity, s.everyStepHeld.parley)}; ${s.parleyMicrosPerPacket ?? '—'} µs/packet; ` +
      `${s.serverMemoryPerTransport?.kibPerTransport ?? '—'} KiB RSS per media transport` +
      half(s.latencyAtHalfCapacity?.parley),
    baseline:
      `capacity ${cap(s.baselineCapacity, s.everyStepHeld.baseline)}; ${s.baselineMicrosPerPacket ?? '—'} µs/packet` +
      half(s.latencyAtHalfCapacity?.baseline),
    ratio: s.ratio === null ? '—' : `${s.ratio}×`,
  };
}
