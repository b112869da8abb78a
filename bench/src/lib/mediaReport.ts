/**
 * What a media scenario's run says in words: the notes a reader needs to judge its figures, its Markdown
 * table for BENCHMARKS.md and its headline in the summary table (the run itself: mediaBench.ts).
 */
import { type JanusSummary, type JanusVariant, janusHeadline, janusTable } from '../janus/janusPeer.js';
import { shortEvents } from './controlFloorLoad.js';
import type { MediaOutput, MediaRow, MediaSummary, StepRow } from './mediaBench.js';
import type { Headline, ScenarioResult } from './scenario.js';
import { round } from './stats.js';

/** Remarks a reader needs to judge the figures: a busy load generator or machine, failed steps, retries. */
export function mediaNotes(rows: readonly MediaRow[], summary: MediaSummary, unit: string): string[] {
  const notes = [
    'the publishers send synthetic RTP (numbered, timestamped payloads of the real payload type and size) ' +
      'at the socket of werift connections, with no encoder; the baseline relay is the thinnest SRTP forwarder (see ' +
      'bench/README.md)',
  ];
  const measured = rows
    .flatMap((r) => [r.parley, r.baseline, ...(r.janus ? Object.values(r.janus) : [])])
    .filter((r): r is StepRow => r !== null && r !== undefined);
  const busyBench = measured.filter((r) => (r.benchCpuPercent ?? 0) > 85);
  if (busyBench.length > 0) {
    notes.push(
      `the load generator used over 85 % of its CPU in ${busyBench.length} window(s): there, loss and ` +
        'latency may be partly the generator’s',
    );
  }
  const late = measured.filter((r) => (r.benchLoopDelayMs.p99 ?? 0) > 10);
  if (late.length > 0) {
    const worst = Math.max(...late.map((r) => r.benchLoopDelayMs.p99 ?? 0));
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
  for (const side of ['parley', 'baseline'] as const) {
    const below = summary.stepsFailingRule[side].filter(
      (l) => (summary[side === 'parley' ? 'capacity' : 'baselineCapacity'] ?? Number.NEGATIVE_INFINITY) > l,
    );
    if (below.length > 0) {
      notes.push(`${side}: steps below the capacity that did not hold the rule: ${below.join(', ')} ${unit}`);
    }
  }
  for (const j of Object.values(summary.janus ?? {})) {
    const below = j.stepsFailingRule.filter((l) => (j.capacity ?? Number.NEGATIVE_INFINITY) > l);
    if (below.length > 0) {
      notes.push(
        `${j.label}: steps below the capacity that did not hold the rule: ${below.join(', ')} ${unit}`,
      );
    }
    if (j.retries > 0)
      notes.push(`${j.retries} ${j.label} subscription(s) failed to set up once and were tried again`);
  }
  if (summary.connectionRetries > 0) {
    notes.push(
      `${summary.connectionRetries} Parley connection(s) failed to set up once and were tried again`,
    );
  }
  for (const r of rows) {
    const short = r.controlFloor ? shortEvents(r.controlFloor) : [];
    if (short.length > 0) {
      notes.push(
        `control floor at ${r[unit]} ${unit}: ${short.join(', ')} came at under 80 % of the players' rates ` +
          `(${short.map((k) => `${r.controlFloor?.perSecond[k]} of ${round(r.controlFloor?.expectedPerSecond[k], 1)}/s`).join(', ')}): its figure there is too low`,
      );
    }
  }
  for (const r of rows) for (const e of r.errors) notes.push(e);
  return notes;
}

/** The Markdown table of a media scenario's rows. */
export function mediaTable(result: ScenarioResult<MediaOutput>, unit: string): string {
  const v = (x: unknown, suffix = ''): string => (x === null || x === undefined ? '—' : `${x}${suffix}`);
  const other = (r: StepRow | null): string =>
    r ? `${v(r.otherLoadPercent.cpu0)} / ${v(r.otherLoadPercent.cpu1)} %` : '—';
  const burst = (r: StepRow | null): string =>
    r?.burst ? `${v(r.burst.firstArrivalMs)} ms + ${v(r.burst.betweenArrivalsMicros)} µs` : '—';
  const lines = [
    `| ${unit} | Parley pkt/s out | Parley µs/pkt | baseline µs/pkt | ratio | Parley at rest: CPU (µs/pkt) | control floor: CPU (µs/pkt); Parley at rest beside it | Parley loss | Parley p50 / p99 latency | baseline loss | baseline p50 / p99 latency | burst: first arrival + per further receiver (Parley; baseline) | server CPU | bench CPU | other load CPU 0 / 1 (Parley; baseline) |`,
    '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const r of result.rows) {
    const p = r.parley;
    const rest = r.parleyAtRest;
    const floor = r.controlFloor ?? null;
    const b = r.baseline;
    lines.push(
      `| ${r[unit]} | ${v(p?.forwardedPerSecond)} | ${v(p?.cpuMicrosPerPacket)} | ${v(b?.cpuMicrosPerPacket)} | ${v(r.ratio, '×')} | ` +
        `${rest ? `${rest.cpuPercent} % (${v(rest.microsPerPacket)})` : '—'} | ` +
        `${floor ? `${floor.cpuPercent} % (${v(floor.microsPerPacket)}); ${v(floor.besideCpuPercent, ' %')}` : '—'} | ` +
        `${v(p?.lossPercent, ' %')} | ${p ? `${v(p.latencyMs.p50)} / ${v(p.latencyMs.p99)} ms` : '—'} | ` +
        `${v(b?.lossPercent, ' %')} | ${b ? `${v(b.latencyMs.p50)} / ${v(b.latencyMs.p99)} ms` : '—'} | ` +
        `${burst(p)}; ${burst(b)} | ` +
        `${v(p?.cpuPercent, ' %')} | ${v(p?.benchCpuPercent, ' %')} | ${other(p)}; ${other(b)} |`,
    );
  }
  const s = result.summary;
  if (s.parleyAtRestMicrosPerPacket !== null && s.parleyAtRestMicrosPerPacket !== undefined) {
    lines.push(
      '',
      `Parley at rest (its players connected, its publisher paused, while the relay was measured): ` +
        `${s.parleyAtRestMicrosPerPacket} µs per packet it forwards when sending, pooled; without it, Parley's ` +
        `forwarding costs ${s.ratioNetOfRest}× the relay's per packet (${s.ratio}× with it).`,
    );
  }
  if (typeof s.controlFloorMicrosPerPacket === 'number') {
    lines.push(
      '',
      `Control floor (a window of its own each round: a minimal process taking the same players' heartbeats, ` +
        `consent checks and receiver reports and sending their sender reports, at the same rates, with no ` +
        `parsing, crypto or media; lib/controlFloor.ts): ${s.controlFloorMicrosPerPacket} µs per packet Parley ` +
        `forwards, pooled; Parley at rest beside it, in the same windows: ${s.parleyBesideFloorMicrosPerPacket ?? '—'} µs. The relay with it: ${s.relayWithFloorRatio}× the relay alone, the ratio of a Node ` +
        `server whose forwarding were as thin as the relay's and whose control events cost it no more than the ` +
        `floor; Parley is ${s.ratioToRelayWithFloor}× the relay with the floor.`,
    );
  }
  const memory = s.serverMemoryPerTransport;
  if (memory) {
    lines.push(
      '',
      `Server memory per media transport: ${memory.kibPerTransport} KiB RSS (after a full GC: ` +
        `${memory.fromRssMiB} MiB with ${memory.fromTransports} transports, ${memory.toRssMiB} MiB with ` +
        `${memory.toTransports}).`,
    );
    const b = memory.breakdown;
    if (b) {
      lines.push(
        '',
        `Where that is, per transport: ${b.youngKiB} KiB V8's young generation, which V8 sizes by the ` +
          `allocation rate up to a fixed maximum, not by what the server holds (${b.fromYoungMiB} → ` +
          `${b.toYoungMiB} MiB); ${b.oldKiB} KiB the rest of V8's heap, ${b.liveKiB} KiB of it live objects; ` +
          `${b.outsideKiB} KiB outside V8's heap (malloc: OpenSSL, buffers' memory; code). Without the young ` +
          `generation's growth: ${memory.kibBeyondYoung} KiB per media transport.`,
      );
    }
    if (memory.atScale) {
      lines.push(
        '',
        `At scale: ${memory.atScale.kibPerTransport} KiB RSS per media transport (least-squares slope through ` +
          `the ${memory.atScale.readings} steps from ${memory.atScale.fromTransports} to ` +
          `${memory.atScale.toTransports} transports, those with at least half of the last step's; V8's young ` +
          `generation at them: ${memory.atScale.youngMiB.map((y) => y ?? '—').join(' / ')} MiB` +
          (memory.atScale.kibBeyondYoung === null
            ? ').'
            : `; without its changes between them: ${memory.atScale.kibBeyondYoung} KiB).`),
      );
    }
  }
  for (const [variant, j] of Object.entries(result.summary.janus ?? {}) as [JanusVariant, JanusSummary][]) {
    const steps = result.rows.map((r) => ({
      load: Number(r[unit]),
      row: r.janus?.[variant] ?? null,
      parley: r.parley,
    }));
    lines.push(...janusTable(unit, j, steps));
  }
  return lines.join('\n');
}

/** The headline of a media scenario for the summary table of BENCHMARKS.md. */
export function mediaHeadline(result: ScenarioResult<MediaOutput>, unit: string): Headline {
  const s = result.summary;
  const cap = (value: number | null, all: boolean): string =>
    value === null ? 'no step held' : `${all ? '≥ ' : ''}${value} ${unit}${all ? ' (every step held)' : ''}`;
  const half = (h: { load: number; p50: number | null; p99: number | null } | null): string =>
    h ? `; p50 / p99 ${h.p50} / ${h.p99} ms at ${h.load} ${unit} (≤ half of capacity)` : '';
  return {
    result:
      `capacity ${cap(s.capacity, s.everyStepHeld.parley)}; ${s.parleyMicrosPerPacket ?? '—'} µs/packet; ` +
      `${s.serverMemoryPerTransport?.kibPerTransport ?? '—'} KiB RSS per media transport` +
      (typeof s.serverMemoryPerTransport?.kibBeyondYoung === 'number'
        ? ` (${s.serverMemoryPerTransport.kibBeyondYoung} KiB without V8's young generation's growth)`
        : '') +
      (s.serverMemoryPerTransport?.atScale
        ? `, ${s.serverMemoryPerTransport.atScale.kibPerTransport} KiB at scale ` +
          `(${s.serverMemoryPerTransport.atScale.fromTransports} → ${s.serverMemoryPerTransport.atScale.toTransports}` +
          (typeof s.serverMemoryPerTransport.atScale.kibBeyondYoung === 'number'
            ? `; ${s.serverMemoryPerTransport.atScale.kibBeyondYoung} without the young generation's changes)`
            : ')')
        : '') +
      half(s.latencyAtHalfCapacity?.parley),
    baseline:
      `capacity ${cap(s.baselineCapacity, s.everyStepHeld.baseline)}; ${s.baselineMicrosPerPacket ?? '—'} µs/packet` +
      half(s.latencyAtHalfCapacity?.baseline),
    ratio: s.ratio === null ? '—' : `${s.ratio}×`,
    peers: s.janus
      ? Object.values(s.janus)
          .map((j) => janusHeadline(j, unit))
          .join('; ')
      : null,
  };
}
