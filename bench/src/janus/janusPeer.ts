/**
 * Janus as a peer of a fan-out run (`--peer janus`): which variants run, and what the results say about each —
 * its summary beside Parley's and the relay's, its table, its headline. The variants are Janus with one event
 * loop (`event_loops = 1`: every handle's media on one thread, as Parley forwards on one event loop) and Janus's
 * default (a thread per handle).
 */
import {
  capacity,
  holds,
  type LoadRow,
  latencyAtHalfCapacity,
  type MemoryReading,
  pooledMicrosPerPacket,
  rssSlope,
  rssSlopeAtScale,
  type WindowRow,
} from '../lib/measure.js';
import { round } from '../lib/stats.js';
import { janusUnavailable } from './JanusServer.js';

export type JanusVariant = 'janus-1loop' | 'janus-default';

/** Each variant's label and `event_loops`. */
export const JANUS_VARIANTS: Readonly<
  Record<JanusVariant, { label: string; eventLoops: number | undefined }>
> = {
  'janus-1loop': { label: 'Janus (1 event loop)', eventLoops: 1 },
  'janus-default': { label: 'Janus (default loops)', eventLoops: undefined },
};

/** The values `--peer` takes. */
export const PEER_CHOICES = ['none', 'janus', 'janus-1loop', 'janus-default'] as const;

/**
 * The Janus variants `--peer <value>` asks for: `janus` both, `janus-1loop` / `janus-default` one, `none` none.
 * Throws a TypeError for anything else.
 */
export function janusVariantsOf(peer: string): JanusVariant[] {
  switch (peer) {
    case 'none':
      return [];
    case 'janus':
      return ['janus-1loop', 'janus-default'];
    case 'janus-1loop':
    case 'janus-default':
      return [peer];
    default:
      throw new TypeError(`--peer must be one of ${PEER_CHOICES.join(', ')} (got ${JSON.stringify(peer)})`);
  }
}

/** The one line a run prints when it asked for Janus and Janus cannot run here; null when it can. */
export function janusSkipLine(): string | null {
  const reason = janusUnavailable();
  return reason === null ? null : `janus: skipped, ${reason}`;
}

/** KiB of Janus's RSS per subscriber, between the first and last measured steps. */
export interface PerSubscriberMemory {
  kibPerSubscriber: number | null;
  /** KiB per subscriber through the steps at scale (as Parley's, `rssSlopeAtScale`); null with too few. */
  kibAtScale: number | null;
  fromSubscribers: number;
  toSubscribers: number;
  fromRssMiB: number;
  toRssMiB: number;
}

/** A row with Janus's memory (read after the window: RSS and PeerConnections). */
type MemoryRow = WindowRow & MemoryReading;

/** What the summary says about one Janus variant. */
export interface JanusSummary {
  label: string;
  capacity: number | null;
  everyStepHeld: boolean;
  stepsFailingRule: number[];
  latencyAtHalfCapacity: { load: number; p50: number | null; p99: number | null } | null;
  microsPerPacket: number | null;
  /** Parley's pooled CPU per packet ÷ this variant's (< 1: Parley costs less). */
  parleyRatio: number | null;
  /** This variant's pooled CPU per packet ÷ the baseline relay's. */
  relayRatio: number | null;
  memoryPerSubscriber: PerSubscriberMemory | null;
  /** Janus counts nothing the bench can read per window: how the packet count is checked instead. */
  countCheck: string;
  retries: number;
}

/** RSS per subscriber from the first and last measured steps (the publisher's PeerConnection counted out). */
function memoryPerSubscriber(rows: readonly LoadRow[]): PerSubscriberMemory | null {
  const readings = rows.map((r) => r.row as MemoryRow | null);
  const slope = rssSlope(readings);
  return (
    slope && {
      kibPerSubscriber: slope.kibPerTransport,
      kibAtScale: rssSlopeAtScale(readings)?.kibPerTransport ?? null,
      fromSubscribers: slope.first.transports - 1,
      toSubscribers: slope.last.transports - 1,
      fromRssMiB: slope.first.rssMiB,
      toRssMiB: slope.last.rssMiB,
    }
  );
}

/** The summary of one variant's ramp, against Parley's and the relay's pooled CPU per packet. */
export function summarizeJanus(
  variant: JanusVariant,
  rows: readonly LoadRow[],
  parleyPooled: number | null,
  baselinePooled: number | null,
  retries: number,
): JanusSummary {
  const cap = capacity(rows);
  const failing = rows.filter((r) => !holds(r.row)).map((r) => r.load);
  const pooled = pooledMicrosPerPacket(rows.map((r) => r.row));
  return {
    label: JANUS_VARIANTS[variant].label,
    capacity: cap,
    everyStepHeld: failing.length === 0,
    stepsFailingRule: failing,
    latencyAtHalfCapacity: latencyAtHalfCapacity(rows, cap),
    microsPerPacket: pooled,
    parleyRatio:
      parleyPooled !== null && pooled !== null && pooled > 0 ? round(parleyPooled / pooled, 2) : null,
    relayRatio:
      pooled !== null && baselinePooled !== null && baselinePooled > 0
        ? round(pooled / baselinePooled, 2)
        : null,
    memoryPerSubscriber: memoryPerSubscriber(rows),
    countCheck:
      "Janus's own packet counters are not read (its admin API is off and it has no per-packet hook): its CPU per " +
      'packet divides by the distinct packets its subscribers received (sent inside the window), the count every ' +
      'side uses; the loss column is the check that Janus forwarded every packet to every subscriber',
    retries,
  };
}

const v = (x: number | null | undefined, suffix = ''): string =>
  x === null || x === undefined ? '—' : `${x}${suffix}`;

/** The Markdown lines of one variant: its rows beside Parley's CPU per packet, its memory, its count check. */
export function janusTable(
  unit: string,
  summary: JanusSummary,
  steps: readonly { load: number; row: WindowRow | null; parley: WindowRow | null }[],
): string[] {
  const lines = [
    '',
    `${summary.label}, same run, same load:`,
    '',
    `| ${unit} | pkt/s out | µs/pkt | Parley ÷ Janus | loss | p50 / p99 latency | burst: first arrival + per further receiver | Janus CPU | other load CPU 0 / 1 |`,
    '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const { load, row: r, parley } of steps) {
    const p = parley?.cpuMicrosPerPacket ?? null;
    const j = r?.cpuMicrosPerPacket ?? null;
    lines.push(
      `| ${load} | ${v(r?.forwardedPerSecond)} | ${v(j)} | ${p !== null && j !== null && j > 0 ? `${round(p / j, 2)}×` : '—'} | ` +
        `${v(r?.lossPercent, ' %')} | ${r ? `${v(r.latencyMs.p50)} / ${v(r.latencyMs.p99)} ms` : '—'} | ` +
        `${r ? `${v(r.burst.firstArrivalMs)} ms + ${v(r.burst.betweenArrivalsMicros)} µs` : '—'} | ` +
        `${v(r?.cpuPercent, ' %')} | ${r ? `${v(r.otherLoadPercent.cpu0)} / ${v(r.otherLoadPercent.cpu1)} %` : '—'} |`,
    );
  }
  const m = summary.memoryPerSubscriber;
  if (m) {
    lines.push(
      '',
      `${summary.label} memory per subscriber: ${m.kibPerSubscriber} KiB RSS (${m.fromRssMiB} MiB with ` +
        `${m.fromSubscribers} subscribers, ${m.toRssMiB} MiB with ${m.toSubscribers}); at scale ` +
        `${v(m.kibAtScale)} KiB (by the same rule as Parley's).`,
    );
  }
  lines.push('', `Packet count: ${summary.countCheck}.`);
  return lines;
}

/** The headline of one variant for the summary table of BENCHMARKS.md. */
export function janusHeadline(summary: JanusSummary, unit: string): string {
  const cap =
    summary.capacity === null
      ? 'no step held'
      : `${summary.everyStepHeld ? '≥ ' : ''}${summary.capacity} ${unit}${summary.everyStepHeld ? ' (every step held)' : ''}`;
  const half = summary.latencyAtHalfCapacity;
  return (
    `${summary.label}: capacity ${cap}; ${v(summary.microsPerPacket)} µs/packet (Parley ÷ Janus ${v(summary.parleyRatio, '×')}); ` +
    `${v(summary.memoryPerSubscriber?.kibPerSubscriber)} KiB RSS per subscriber` +
    (typeof summary.memoryPerSubscriber?.kibAtScale === 'number'
      ? ` (${summary.memoryPerSubscriber.kibAtScale} KiB at scale)`
      : '') +
    (half ? `; p50 / p99 ${half.p50} / ${half.p99} ms at ${half.load} ${unit}` : '')
  );
}
