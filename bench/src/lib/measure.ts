/**
 * One measured load step of a fan-out benchmark, the same for Parley and for the baseline relay: after a
 * warm-up under the same load (not measured), a window of `seconds` during which the synthetic tracks keep sending, bracketed by readings of the forwarder's CPU time
 * (utime + stime from /proc) and of its own sent-packet counter; then a short drain for packets still on the
 * way. The CPU window is exactly the sending window, so CPU per packet = CPU time in the window ÷ distinct
 * packets the receivers got that were sent in it.
 */
import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import type { Meter, MeterReceiver } from './meter.js';
import { type OtherLoad, watchOtherLoad } from './procStat.js';
import { round, summarize } from './stats.js';
import type { SyntheticTrack } from './synthRtp.js';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** A receiver that must get a source's packets before a window opens. */
export interface FlowPair {
  receiver: MeterReceiver;
  sourceId: number;
}

/**
 * What a forwarder's `stats()` gives a window: its own count of packets sent to receivers and, for a Parley
 * server, its garbage collections (absent for the baseline relay).
 */
export interface ForwarderStats {
  /** Null for a forwarder whose own count the bench cannot read per window (Janus). */
  sentPackets: number | null;
  gcTotalMs?: number;
  gcMaxMs?: number;
  gcFull?: number;
}

/** The forwarder a window measures. */
export interface ForwarderTarget<S extends ForwarderStats = ForwarderStats> {
  cpuMs(): number;
  stats(): Promise<S>;
}

/** Latency or another figure: p50 / p99 (ms), null when nothing was measured. */
export interface Percentiles {
  p50: number | null;
  p99: number | null;
}

/** One measured window, as the results file has it (figures rounded; null where not measured). */
export interface WindowRow {
  windowSeconds: number | null;
  packetsSentBySources: number;
  packetsExpected: number;
  packetsReceived: number;
  forwardedPerSecond: number | null;
  lossPercent: number | null;
  cpuMs: number | null;
  cpuPercent: number | null;
  cpuMicrosPerPacket: number | null;
  /** Null when the forwarder has no count the bench can read (Janus: see bench/src/janus/janusFanout.ts). */
  forwarderCountedPackets: number | null;
  /** The forwarder's own count against the receivers' (100 = equal). */
  countAgreementPercent: number | null;
  latencyMs: Percentiles & { max: number | null };
  /**
   * In the bench's senders, from the time written into a packet's tag to its hand-off to the socket
   * (building and SRTP-protecting it): the bench's time, left out of the latency above.
   */
  senderPreparationMs: Percentiles;
  /**
   * Medians over the packets that reached two receivers or more: hand-off → first arrival, and the mean
   * time between the arrivals of one packet at successive receivers (µs). The median latency of a fan-out
   * to N is about the first plus N / 2 of the second.
   */
  burst: { firstArrivalMs: number | null; betweenArrivalsMicros: number | null };
  benchCpuPercent: number | null;
  /** CPU time other processes took on CPU 0 (the forwarder's) and CPU 1 (the bench's), % of the window. */
  otherLoadPercent: OtherLoad;
  bystanderCpuPercent?: number | null;
  /** How late the bench's event loop ran (a late loop receives late: the latency includes it). */
  benchLoopDelayMs: { p99: number | null; max: number | null };
  /** The forwarder's garbage-collection pauses in the window (null for the baseline relay, not measured). */
  serverGcPauseMs: { total: number | null; max: number | null } | null;
  /** Full (mark-compact) collections of the forwarder in the window (null for the baseline relay). */
  serverFullGcs: number | null;
  benchGcPauseMs: { total: number | null; max: number | null };
}

/**
 * A window's raw samples (ms): the latency of each packet received, the bench's preparation of each packet
 * sent, and per packet that reached two receivers or more its first arrival and the mean time between arrivals.
 */
export interface WindowSamples {
  latencies: number[];
  preparation: number[];
  firstArrival: number[];
  betweenArrivals: number[];
}

/** The windows of one step as one row ({@link mergeWindows}). */
export type MergedWindowRow = WindowRow & { rounds: number; cpuMs: number };

/**
 * Several windows of one forwarder at one load (rounds, interleaved with other forwarders' windows) as one
 * row: counts and CPU times summed, so CPU per packet, loss and packets per second are pooled over the
 * windows; latency, preparation and burst percentiles pooled from the windows' raw samples when `samples`
 * (one per row, from measureWindow's `onSamples`) is given, else the worse window's (a percentile of two
 * windows cannot be pooled from their percentiles); the bystanders' CPU over all the windows; the honesty
 * indicators (bench CPU, other load, loop delay, GC maxima) of the worse window. Null for no rows.
 */
export function mergeWindows(
  rows: readonly WindowRow[],
  samples?: readonly WindowSamples[],
): MergedWindowRow | null {
  if (rows.length === 0) return null;
  const sum = (f: (r: WindowRow) => number | null | undefined): number =>
    rows.reduce((n, r) => n + (f(r) ?? 0), 0);
  const worst = (f: (r: WindowRow) => number | null | undefined): number | null => {
    const values = rows.map(f).filter((x): x is number => x !== null && x !== undefined);
    return values.length > 0 ? Math.max(...values) : null;
  };
  const pooled = samples !== undefined && samples.length === rows.length;
  const all = (f: (s: WindowSamples) => number[]): number[] => (samples ?? []).flatMap(f);
  const windowSeconds = sum((r) => r.windowSeconds);
  const received = sum((r) => r.packetsReceived);
  const expected = sum((r) => r.packetsExpected);
  const cpuMs = sum((r) => r.cpuMs);
  const countedRows = rows.map((r) => r.forwarderCountedPackets);
  const counted = countedRows.every((c): c is number => c !== null)
    ? sum((r) => r.forwarderCountedPackets)
    : null;
  const latency = summarize(all((s) => s.latencies));
  const prepared = summarize(all((s) => s.preparation));
  const bystanders = rows.some((r) => r.bystanderCpuPercent !== undefined);
  const gcRows = rows.filter((r) => r.serverGcPauseMs !== null);
  return {
    rounds: rows.length,
    windowSeconds: round(windowSeconds, 3),
    packetsSentBySources: sum((r) => r.packetsSentBySources),
    packetsExpected: expected,
    packetsReceived: received,
    forwardedPerSecond: windowSeconds > 0 ? round(received / windowSeconds, 0) : null,
    lossPercent: expected > 0 ? round(((expected - received) / expected) * 100, 3) : null,
    cpuMs,
    cpuPercent: windowSeconds > 0 ? round((cpuMs / (windowSeconds * 1000)) * 100, 1) : null,
    cpuMicrosPerPacket: received > 0 ? round((cpuMs * 1000) / received, 2) : null,
    forwarderCountedPackets: counted,
    countAgreementPercent: received > 0 && counted !== null ? round((counted / received) * 100, 1) : null,
    latencyMs: pooled
      ? { p50: round(latency.p50, 2), p99: round(latency.p99, 2), max: round(latency.max, 2) }
      : {
          p50: worst((r) => r.latencyMs.p50),
          p99: worst((r) => r.latencyMs.p99),
          max: worst((r) => r.latencyMs.max),
        },
    senderPreparationMs: pooled
      ? { p50: round(prepared.p50, 3), p99: round(prepared.p99, 3) }
      : { p50: worst((r) => r.senderPreparationMs.p50), p99: worst((r) => r.senderPreparationMs.p99) },
    burst: pooled
      ? {
          firstArrivalMs: round(summarize(all((s) => s.firstArrival)).p50, 3),
          betweenArrivalsMicros: round(
            (summarize(all((s) => s.betweenArrivals)).p50 ?? Number.NaN) * 1000,
            1,
          ),
        }
      : {
          firstArrivalMs: worst((r) => r.burst.firstArrivalMs),
          betweenArrivalsMicros: worst((r) => r.burst.betweenArrivalsMicros),
        },
    benchCpuPercent: worst((r) => r.benchCpuPercent),
    otherLoadPercent: {
      cpu0: worst((r) => r.otherLoadPercent.cpu0),
      cpu1: worst((r) => r.otherLoadPercent.cpu1),
    },
    // The bystanders' CPU over all the windows (not the worse window's): Parley at rest is read from it.
    ...(bystanders
      ? {
          bystanderCpuPercent:
            windowSeconds > 0
              ? round(sum((r) => (r.bystanderCpuPercent ?? 0) * (r.windowSeconds ?? 0)) / windowSeconds, 1)
              : null,
        }
      : {}),
    benchLoopDelayMs: {
      p99: worst((r) => r.benchLoopDelayMs.p99),
      max: worst((r) => r.benchLoopDelayMs.max),
    },
    serverGcPauseMs:
      gcRows.length > 0
        ? {
            total: round(
              sum((r) => r.serverGcPauseMs?.total),
              1,
            ),
            max: worst((r) => r.serverGcPauseMs?.max),
          }
        : null,
    serverFullGcs: rows.every((r) => r.serverFullGcs === null) ? null : sum((r) => r.serverFullGcs),
    benchGcPauseMs: {
      total: round(
        sum((r) => r.benchGcPauseMs.total),
        1,
      ),
      max: worst((r) => r.benchGcPauseMs.max),
    },
  };
}

/** Waits until every receiver has had a packet of each source it should get; false after `timeoutMs`. */
export async function settle(pairs: readonly FlowPair[], timeoutMs = 15_000): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    if (pairs.every(({ receiver, sourceId }) => receiver.flowing.has(sourceId))) return true;
    await sleep(50);
  }
  return false;
}

/**
 * Measures one window. `target` is the forwarder: `{ cpuMs(), stats() }` (stats resolves with
 * `{ sentPackets }`); `pinned`: it runs on CPU 0 and the bench on CPU 1, so other processes' share of those
 * CPUs can be told apart. `detail(stats0, stats1)`, if given, adds its fields to the row, from the forwarder's
 * stats read just before and just after the window (e.g. a cluster's pipe counters). `bystanders`, if given
 * (`{ cpuMs() }`), are the bench's other processes on the forwarder's CPU that the window does not measure (a
 * paused layout's servers): their CPU is reported apart and not counted as other processes' load. Returns the
 * step's row (figures rounded; null where nothing could be measured).
 */
export async function measureWindow<S extends ForwarderStats, D extends object = object>({
  meter,
  tracks,
  target,
  pinned = true,
  seconds,
  warmupSeconds = 1,
  drainMs = 600,
  onTick,
  detail,
  bystanders,
  onSamples,
}: {
  meter: Meter;
  tracks: readonly SyntheticTrack[];
  target: ForwarderTarget<S>;
  pinned?: boolean;
  seconds: number;
  warmupSeconds?: number;
  drainMs?: number;
  onTick?: (fraction: number) => void;
  detail?: (stats0: S, stats1: S) => D;
  bystanders?: { cpuMs(): number } | undefined;
  /** Given the window's raw samples, for pooling the percentiles of several windows ({@link mergeWindows}). */
  onSamples?: (samples: WindowSamples) => void;
}): Promise<WindowRow & Partial<D>> {
  // Steady state first: the JIT has compiled the forwarding path and fresh connections have settled. The
  // bench's own garbage from the setup is collected now rather than during the window (with --expose-gc).
  globalThis.gc?.();
  await sleep(warmupSeconds * 1000);
  const loopDelay = monitorEventLoopDelay({ resolution: 5 });
  const gcPauses: number[] = [];
  const gcObserver = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) gcPauses.push(e.duration);
  });
  gcObserver.observe({ entryTypes: ['gc'] });
  const stats0 = await target.stats();
  loopDelay.enable();
  const bench0 = process.cpuUsage();
  const t0 = performance.now();
  const cpu0 = target.cpuMs();
  const bystanders0 = bystanders?.cpuMs() ?? 0;
  const otherLoad = watchOtherLoad();
  meter.begin(tracks);
  const ms = seconds * 1000;
  while (performance.now() - t0 < ms) {
    await sleep(Math.min(250, ms - (performance.now() - t0)));
    onTick?.((performance.now() - t0) / ms);
  }
  meter.end(tracks);
  const cpu1 = target.cpuMs();
  const bystanderMs = (bystanders?.cpuMs() ?? 0) - bystanders0;
  const t1 = performance.now();
  const bench = process.cpuUsage(bench0);
  const benchMs = (bench.user + bench.system) / 1000;
  // What else ran on the two CPUs meanwhile (other processes of the machine): noise in these figures.
  const other = pinned ? otherLoad(cpu1 - cpu0 + bystanderMs, benchMs) : { cpu0: null, cpu1: null };
  loopDelay.disable();
  gcObserver.disconnect();
  const stats1 = await target.stats();
  await sleep(drainMs);
  const { sent, expected, received, latencies, preparation, firstArrival, betweenArrivals } = meter.totals();
  onSamples?.({ latencies: Array.from(latencies), preparation, firstArrival, betweenArrivals });
  const windowMs = t1 - t0;
  const cpuMs = cpu1 - cpu0;
  const latency = summarize(latencies);
  const prepared = summarize(preparation);
  const serverCounted =
    stats1.sentPackets === null || stats0.sentPackets === null
      ? null
      : stats1.sentPackets - stats0.sentPackets;
  const extra: Partial<D> = detail?.(stats0, stats1) ?? {};
  return {
    windowSeconds: round(windowMs / 1000, 3),
    packetsSentBySources: sent,
    packetsExpected: expected,
    packetsReceived: received,
    forwardedPerSecond: round(received / (windowMs / 1000), 0),
    lossPercent: expected > 0 ? round(((expected - received) / expected) * 100, 3) : null,
    cpuMs: round(cpuMs, 0),
    cpuPercent: round((cpuMs / windowMs) * 100, 1),
    cpuMicrosPerPacket: received > 0 ? round((cpuMs * 1000) / received, 2) : null,
    forwarderCountedPackets: serverCounted,
    /** The forwarder's own count against the receivers' (100 = equal). */
    countAgreementPercent:
      received > 0 && serverCounted !== null ? round((serverCounted / received) * 100, 1) : null,
    latencyMs: {
      p50: round(latency.p50, 2),
      p99: round(latency.p99, 2),
      max: round(latency.max, 2),
    },
    /**
     * In the bench's senders, from the time written into a packet's tag to its hand-off to the socket
     * (building and SRTP-protecting it): the bench's time, left out of the latency above.
     */
    senderPreparationMs: { p50: round(prepared.p50, 3), p99: round(prepared.p99, 3) },
    /**
     * Medians over the packets that reached two receivers or more: hand-off → first arrival, and the mean
     * time between the arrivals of one packet at successive receivers (µs). The median latency of a fan-out
     * to N is about the first plus N / 2 of the second.
     */
    burst: {
      firstArrivalMs: round(summarize(firstArrival).p50, 3),
      betweenArrivalsMicros: round((summarize(betweenArrivals).p50 ?? Number.NaN) * 1000, 1),
    },
    benchCpuPercent: round((benchMs / windowMs) * 100, 1),
    /** CPU time other processes took on CPU 0 (the forwarder's) and CPU 1 (the bench's), % of the window. */
    otherLoadPercent: other,
    ...(bystanders ? { bystanderCpuPercent: round((bystanderMs / windowMs) * 100, 1) } : {}),
    /** How late the bench's event loop ran (a late loop receives late: the latency includes it). */
    benchLoopDelayMs: { p99: round(loopDelay.percentile(99) / 1e6, 1), max: round(loopDelay.max / 1e6, 1) },
    /** The forwarder's garbage-collection pauses in the window (null for the baseline relay, not measured). */
    serverGcPauseMs:
      typeof stats1.gcTotalMs === 'number'
        ? { total: round(stats1.gcTotalMs - (stats0.gcTotalMs ?? 0), 1), max: round(stats1.gcMaxMs, 1) }
        : null,
    /** Full (mark-compact) collections of the forwarder in the window (null for the baseline relay). */
    serverFullGcs: typeof stats1.gcFull === 'number' ? stats1.gcFull - (stats0.gcFull ?? 0) : null,
    benchGcPauseMs: {
      total: round(
        gcPauses.reduce((a, b) => a + b, 0),
        1,
      ),
      max: round(Math.max(0, ...gcPauses), 1),
    },
    ...extra,
  };
}

/** The rules of a step that "holds": loss ≤ 0.5 % and p99 latency ≤ 20 ms. */
export const CAPACITY_RULE = Object.freeze({ maxLossPercent: 0.5, maxP99LatencyMs: 20 });

/** True if the row meets CAPACITY_RULE. */
export function holds(
  row: (Pick<WindowRow, 'lossPercent'> & { latencyMs: Pick<WindowRow['latencyMs'], 'p99'> }) | null,
): boolean {
  return (
    row !== null &&
    row.lossPercent !== null &&
    row.lossPercent <= CAPACITY_RULE.maxLossPercent &&
    row.latencyMs.p99 !== null &&
    row.latencyMs.p99 <= CAPACITY_RULE.maxP99LatencyMs
  );
}

/** A load step and its row (null: not measured). */
export interface LoadRow {
  load: number;
  row: WindowRow | null;
}

/** The highest load among `steps` ({ load, row }) whose row holds, or null if none does. */
export function capacity(steps: readonly LoadRow[]): number | null {
  let best: number | null = null;
  for (const { load, row } of steps) if (holds(row) && (best === null || load > best)) best = load;
  return best;
}

/**
 * The latency at half of `capacity` (the latency target is stated there): the highest measured step
 * at or below capacity / 2, with its p50 / p99. Null when there is no capacity or no step that low.
 */
export function latencyAtHalfCapacity(
  steps: readonly LoadRow[],
  capacityLoad: number | null,
): { load: number; p50: number | null; p99: number | null } | null {
  if (capacityLoad === null) return null;
  let best: { load: number; row: WindowRow } | null = null;
  for (const { load, row } of steps) {
    if (row && load <= capacityLoad / 2 && (best === null || load > best.load)) best = { load, row };
  }
  return best && { load: best.load, p50: best.row.latencyMs.p50, p99: best.row.latencyMs.p99 };
}

/**
 * A server's RSS after a full GC and the media transports (or peer connections) it holds, read after a window;
 * for Parley's server also V8's heap by generation then (MiB: its young generation, all of its heap, and the
 * objects outside the young generation, live after the full GC).
 */
export interface MemoryReading {
  serverRssMiB?: number | null;
  mediaTransports?: number;
  serverHeap?: { youngMiB: number; v8MiB: number; liveMiB: number };
}

/**
 * Where an RSS slope is, KiB per transport: V8's young generation (which V8 grows with the allocation rate,
 * that is with the packet rate, not with what a transport holds; MiB at the two steps), the rest of V8's heap
 * and the live objects in it, and what is outside V8's heap (malloc: OpenSSL's contexts, buffers' memory; code).
 */
export interface MemoryBreakdown {
  youngKiB: number;
  fromYoungMiB: number;
  toYoungMiB: number;
  oldKiB: number;
  liveKiB: number;
  outsideKiB: number;
}

/** The steps that read both RSS and the transport count, in order. */
function memoryReadings(
  rows: readonly (MemoryReading | null)[],
): (MemoryReading & { serverRssMiB: number; mediaTransports: number })[] {
  return rows.filter(
    (r): r is MemoryReading & { serverRssMiB: number; mediaTransports: number } =>
      typeof r?.serverRssMiB === 'number' && typeof r.mediaTransports === 'number',
  );
}

/**
 * KiB of RSS per transport: the slope between the first and the last step that read both figures, with those two
 * readings, and where it is when both read the heap (else `breakdown` is null). Null when fewer than two steps
 * read them or the count of transports did not grow.
 */
export function rssSlope(rows: readonly (MemoryReading | null)[]): {
  kibPerTransport: number | null;
  first: { rssMiB: number; transports: number };
  last: { rssMiB: number; transports: number };
  breakdown: MemoryBreakdown | null;
} | null {
  const read = memoryReadings(rows);
  const first = read[0];
  const last = read[read.length - 1];
  if (first === undefined || last === undefined || last.mediaTransports <= first.mediaTransports) return null;
  const transports = last.mediaTransports - first.mediaTransports;
  // KiB per transport to one decimal (the readings are finite and transports > 0).
  const kib = (from: number, to: number): number => Math.round(((to - from) * 10240) / transports) / 10;
  const [a, b] = [first.serverHeap, last.serverHeap];
  return {
    kibPerTransport: kib(first.serverRssMiB, last.serverRssMiB),
    first: { rssMiB: first.serverRssMiB, transports: first.mediaTransports },
    last: { rssMiB: last.serverRssMiB, transports: last.mediaTransports },
    breakdown:
      a && b
        ? {
            youngKiB: kib(a.youngMiB, b.youngMiB),
            fromYoungMiB: a.youngMiB,
            toYoungMiB: b.youngMiB,
            oldKiB: kib(a.v8MiB - a.youngMiB, b.v8MiB - b.youngMiB),
            liveKiB: kib(a.liveMiB, b.liveMiB),
            outsideKiB: kib(first.serverRssMiB - a.v8MiB, last.serverRssMiB - b.v8MiB),
          }
        : null,
  };
}

/**
 * The readings from this fraction of the last reading's transports on are the ones "at scale": by then V8 has
 * grown what it sizes by the packet rate up to its fixed limits (its young generation; the cipher output that
 * waits for the young generation's collection), so their slope is what one more transport costs.
 */
export const AT_SCALE_FROM = 0.5;

/** {@link rssSlopeAtScale}'s answer: KiB per transport, the steps it is read from, V8's young generation at each. */
export interface AtScaleSlope {
  kibPerTransport: number;
  /**
   * The same slope of RSS less V8's young generation at each step (null where a step did not read the heap):
   * V8 resizes its young generation by the allocation rate, within its fixed maximum, whatever the server holds,
   * so a step that read it 1 MiB larger than the one before adds 10 KiB per transport 100 transports apart.
   */
  kibBeyondYoung: number | null;
  fromTransports: number;
  toTransports: number;
  readings: number;
  /** MiB of V8's young generation at each of those steps (null where a step did not read the heap). */
  youngMiB: (number | null)[];
}

/**
 * KiB of RSS per transport at scale: the least-squares slope of RSS over the transport count, through the readings
 * with at least {@link AT_SCALE_FROM} of the last reading's transports; null with fewer than two such readings.
 *
 * The slope from the first step ({@link rssSlope}) also counts what V8 sizes by the packet rate, up to fixed
 * limits, between a first step that has not reached them and a last that has (measured: bench/README.md, "At
 * scale").
 */
export function rssSlopeAtScale(rows: readonly (MemoryReading | null)[]): AtScaleSlope | null {
  const read = memoryReadings(rows);
  const last = read[read.length - 1];
  if (last === undefined) return null;
  const upper = read.filter((r) => r.mediaTransports >= last.mediaTransports * AT_SCALE_FROM);
  const kib = slopeKiB(upper.map((r) => [r.mediaTransports, r.serverRssMiB]));
  if (kib === null) return null;
  const heaps = upper.map((r) => r.serverHeap ?? null);
  return {
    kibPerTransport: kib,
    kibBeyondYoung: heaps.every((h) => h !== null)
      ? slopeKiB(upper.map((r, i) => [r.mediaTransports, r.serverRssMiB - heaps[i]!.youngMiB]))
      : null,
    fromTransports: upper[0]!.mediaTransports,
    toTransports: last.mediaTransports,
    readings: upper.length,
    youngMiB: heaps.map((h) => h?.youngMiB ?? null),
  };
}

/**
 * The least-squares slope of MiB over transports through `points` ([transports, MiB]), in KiB per transport to
 * one decimal; null with fewer than two points or one transport count.
 */
function slopeKiB(points: readonly (readonly [number, number])[]): number | null {
  const n = points.length;
  if (n < 2) return null;
  const meanX = points.reduce((sum, [x]) => sum + x, 0) / n;
  const meanY = points.reduce((sum, [, y]) => sum + y, 0) / n;
  let num = 0;
  let den = 0;
  for (const [x, y] of points) {
    num += (x - meanX) * (y - meanY);
    den += (x - meanX) ** 2;
  }
  return den === 0 ? null : Math.round((num / den) * 10240) / 10;
}

/**
 * CPU per packet over all steps together: Σ CPU time ÷ Σ packets received (null if none), so the ratio of
 * Parley's to the baseline's compares the same load profile.
 */
export function pooledMicrosPerPacket(
  rows: readonly (Pick<WindowRow, 'cpuMs' | 'packetsReceived'> | null)[],
): number | null {
  let cpu = 0;
  let packets = 0;
  for (const r of rows) {
    if (r === null) continue;
    cpu += r.cpuMs ?? 0;
    packets += r.packetsReceived;
  }
  return packets > 0 ? round((cpu * 1000) / packets, 2) : null;
}
