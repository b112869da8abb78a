/**
 * The shared run of the media scenarios (audio-fanout, video-fanout, meeting): ramps the topologies of Parley
 * and the baseline relay through the load steps together, in the same bench process with the same synthetic
 * tracks, and measures each step in rounds that take the peers in turn (lib/measure.ts): only the measured
 * peer's sources send, the others' pause with their connections up. Then each Janus variant, in a pass of its
 * own (see MediaPeer.alone). Derives each side's capacity and the ratio of Parley's CPU per packet to the
 * baseline's; draws the chart.
 *
 * Why rounds: this machine is shared, and its speed drifts by 20–40 % over minutes. Measured one peer after
 * the other (a whole ramp each, several minutes apart), the relay alone ranged from 11.4 to 16.9 µs/packet at
 * 200 video players over four runs of one hour, so the ratio of one run said more about the hour than about
 * Parley. Windows of the peers a few seconds apart, and in alternating order, see the same machine.
 */
import { type JanusSummary, type JanusVariant, summarizeJanus } from '../janus/janusPeer.js';
import { renderChart } from './chart.js';
import {
  type ControlFloor,
  type FloorRow,
  type FloorWindow,
  mergeFloorWindows,
  startControlFloor,
} from './controlFloorLoad.js';
import {
  type AtScaleSlope,
  CAPACITY_RULE,
  capacity,
  holds,
  type LoadRow,
  latencyAtHalfCapacity,
  type MemoryBreakdown,
  type MemoryReading,
  type MergedWindowRow,
  measureWindow,
  mergeWindows,
  pooledMicrosPerPacket,
  rssSlope,
  rssSlopeAtScale,
  settle,
  type WindowRow,
  type WindowSamples,
} from './measure.js';
import { mediaNotes } from './mediaReport.js';
import { Meter } from './meter.js';
import type { Progress } from './progress.js';
import type { ScenarioOutput } from './scenario.js';
import { round } from './stats.js';
import { type Pacer, startPacer } from './synthRtp.js';
import type { Topology, TopologyContext, TopologyTarget } from './topologies.js';

/**
 * A measured step of one peer: its rounds' windows as one row (lib/measure.ts's mergeWindows), with the
 * server's memory where the peer has a server.
 */
export type StepRow = MergedWindowRow & { mediaFlowingBeforeWindow?: boolean } & MemoryReading;

/** The `--rounds` option of the media scenarios. */
export const ROUNDS_OPTION = {
  type: 'int',
  default: 2,
  help: 'windows per forwarder at each step, the forwarders in turn',
} as const;

/** One load step of one peer's ramp. */
interface RampStep {
  load: number;
  row: StepRow | null;
  error?: string;
}

/** A row of a media scenario's results: the load (keyed by the unit: `players`, `users`), both sides, ratio. */
export type MediaRow = {
  parley: StepRow | null;
  baseline: StepRow | null;
  /** Each Janus variant measured (`--peer janus`): its row at this load. */
  janus?: Partial<Record<JanusVariant, StepRow | null>>;
  ratio: number | null;
  /** Parley's server at rest at this load (see {@link atRest}), null where not measured. */
  parleyAtRest: AtRest | null;
  /** The control-plane floor at this load (see {@link FloorAtStep}), null where not measured. */
  controlFloor: FloorAtStep | null;
  errors: string[];
} & Record<string, unknown>;

/**
 * The control-plane floor at a step (lib/controlFloor.ts): a minimal process taking the control events of as
 * many players as Parley's (heartbeats, consent checks, receiver reports; sending their sender reports), with
 * no media; its CPU spread over the packets Parley forwards at that step, as {@link AtRest} is.
 */
export interface FloorAtStep extends FloorRow {
  microsPerPacket: number | null;
}

/** The floor's row at a step against Parley's row there (null if either is missing). */
export function floorAtStep(floor: FloorRow | null, parley: StepRow | null): FloorAtStep | null {
  if (floor === null || parley === null) return null;
  const perSecond = parley.forwardedPerSecond;
  return {
    ...floor,
    microsPerPacket: perSecond ? round((floor.cpuPercent * 10_000) / perSecond, 2) : null,
  };
}

/**
 * What Parley's server costs at rest at a step: its CPU while the relay's windows ran (its players connected,
 * its publisher paused: their receiver reports and consent checks, its sender reports, the signaling
 * heartbeats, its timers), and that CPU spread over the packets it forwards when its publisher sends. The
 * relay has none of this work; the rest of Parley's CPU per packet is its forwarding.
 */
export interface AtRest {
  cpuPercent: number;
  microsPerPacket: number | null;
}

/**
 * Parley at rest at a step, from the relay's rows: Parley's server was the relay's only bystander (each Janus
 * runs in a pass of its own). Null when either row is missing or the relay's row measured no bystander.
 */
export function atRest(parley: StepRow | null, baseline: StepRow | null): AtRest | null {
  const cpuPercent = baseline?.bystanderCpuPercent;
  if (parley === null || typeof cpuPercent !== 'number') return null;
  const perSecond = parley.forwardedPerSecond;
  // cpuPercent % of a CPU is cpuPercent × 10 ms of CPU per second, over perSecond packets.
  return { cpuPercent, microsPerPacket: perSecond ? round((cpuPercent * 10_000) / perSecond, 2) : null };
}

/**
 * A CPU share read beside Parley's windows at each step (Parley at rest, the control floor), as µs per packet
 * Parley forwards, pooled over the steps: each step's share as if it had run for Parley's windows, summed, ÷
 * Parley's packets there. Steps without Parley's row or without the share are left out; null if none is left.
 */
export function pooledBesideParley(
  rows: readonly MediaRow[],
  percentOf: (row: MediaRow) => number | null | undefined,
): number | null {
  let cpuMs = 0;
  let packets = 0;
  for (const r of rows) {
    const percent = percentOf(r);
    if (r.parley === null || percent === null || percent === undefined) continue;
    cpuMs += (percent / 100) * (r.parley.windowSeconds ?? 0) * 1000;
    packets += r.parley.packetsReceived;
  }
  return packets > 0 ? round((cpuMs * 1000) / packets, 2) : null;
}

/**
 * Server RSS per media transport, between the first and the last step; and that slope without the growth of
 * V8's young generation (`kibBeyondYoung`), null where the steps did not read the heap. V8 sizes its young
 * generation by the allocation rate, up to a fixed maximum (2 × 16 MiB here), not by what the process holds:
 * whether it had grown by the first step decided most of a slope's spread between runs (video at 25 → 200
 * players, 2026-12-06, same code in the same hour: 341.7 KiB with 161 of it young-generation growth, 175 KiB
 * with none; 180 and 179 KiB without it).
 */
interface MemoryPerTransport {
  kibPerTransport: number | null;
  kibBeyondYoung: number | null;
  /** What one more transport costs at scale (see `rssSlopeAtScale`), and the steps it is read from. */
  atScale: AtScaleSlope | null;
  fromTransports: number;
  toTransports: number;
  fromRssMiB: number;
  toRssMiB: number;
  /** Where the slope is (KiB per transport), from the same two steps; null where they did not read the heap. */
  breakdown: MemoryBreakdown | null;
}

/** A media scenario's summary (the results file's `summary`). */
export interface MediaSummary {
  capacityRule: typeof CAPACITY_RULE;
  capacity: number | null;
  baselineCapacity: number | null;
  latencyAtHalfCapacity: {
    parley: ReturnType<typeof latencyAtHalfCapacity>;
    baseline: ReturnType<typeof latencyAtHalfCapacity>;
  };
  stepsFailingRule: { parley: number[]; baseline: number[] };
  everyStepHeld: { parley: boolean; baseline: boolean };
  parleyMicrosPerPacket: number | null;
  serverMemoryPerTransport: MemoryPerTransport | null;
  baselineMicrosPerPacket: number | null;
  ratio: number | null;
  /** Parley's CPU at rest spread over its packets, pooled over the steps (see {@link AtRest}). */
  parleyAtRestMicrosPerPacket: number | null;
  /** The ratio without Parley's cost at rest: its forwarding's CPU per packet ÷ the relay's. */
  ratioNetOfRest: number | null;
  /**
   * The control-plane floor's CPU spread over Parley's packets, pooled over the steps (see {@link FloorAtStep});
   * absent where the scenario does not measure it.
   */
  controlFloorMicrosPerPacket?: number | null;
  /** Parley's server at rest in the floor's windows, spread and pooled alike. */
  parleyBesideFloorMicrosPerPacket?: number | null;
  /**
   * (the relay + the floor) ÷ the relay, pooled: the ratio of a Node server whose forwarding were as thin as the
   * relay's and whose players' control events cost it no more than they cost the floor.
   */
  relayWithFloorRatio?: number | null;
  /** Parley ÷ (the relay + the floor), pooled. */
  ratioToRelayWithFloor?: number | null;
  connectionRetries: number;
  serverPinned: boolean;
  relayPinned: boolean;
  /** Each Janus variant measured (`--peer janus`), beside Parley and the relay. */
  janus?: Partial<Record<JanusVariant, JanusSummary>>;
}

/** What a media scenario's run gives. */
export interface MediaOutput extends ScenarioOutput {
  rows: MediaRow[];
  summary: MediaSummary;
  notes: string[];
  chart: string;
}

/**
 * The peers a media run measures, in order, each on the same steps with the same synthetic tracks and its own
 * Meter: Parley, then the baseline relay, then (`--peer janus`) each Janus variant. Another forwarder compared
 * side by side plugs in as Janus does, as one more peer: its name here, a function that builds its {@link Topology} (as lib/topologies.ts's parleyFanout and
 * baselineFanout do: a target with `cpuMs()` and `stats().sentPackets`, tracks, flow pairs, `grow`, `close`),
 * its entry in the `peers` lists of lib/fanoutScenario.ts (and scenarios/meeting.ts), and its columns in
 * {@link MediaRow}, {@link MediaSummary}, the table, headline and chart below.
 */
export type PeerName = 'parley' | 'baseline' | JanusVariant;

/** One peer of a media run. */
export interface MediaPeer {
  name: PeerName;
  make(context: TopologyContext): Promise<Topology>;
  /**
   * A peer the run can do without (Janus): if it cannot start, the run says so in a note and goes on with the
   * others instead of failing.
   */
  optional?: boolean;
  /**
   * Measured in a pass of its own, after the others, instead of in turn with them (Janus): its bench-side
   * peers are full werift connections, and 800 of them idle in the load generator (their RTCP and consent
   * timers) made it the bottleneck of the other peers' windows (98.9 % of its CPU at 800 audio players, 6.8 %
   * loss on Parley's side).
   */
  alone?: boolean;
}

/** What a peer's ramp gave. */
interface SideResult {
  pinned: boolean;
  rows: RampStep[];
  retries: number;
}

/** A peer of the run, live from its start until the run ends or a setup of its fails. */
interface LivePeer {
  name: PeerName;
  topology: Topology;
  meter: Meter;
  rows: RampStep[];
  /** False once a setup failed: its ramp stops there, and its topology is closed. */
  ramping: boolean;
  /** Windows measured so far (the first gets a longer warm-up: the forwarder's process is fresh). */
  windows: number;
}

/**
 * Grows `peer` to `load` with its sources sending, then pauses them. Returns whether every receiver had media
 * before the pause, or null after a failed setup (the peer's ramp then stops: its row says why).
 */
async function growPeer(
  peer: LivePeer,
  load: number,
  unit: string,
  pacer: Pacer,
  progress: Progress,
): Promise<boolean | null> {
  const { name: side, topology } = peer;
  progress.phase(`${side}: setting up ${load} ${unit}`, load);
  pacer.resume(topology.tracks);
  try {
    await topology.grow(load, (done) => progress.update(done));
    return await settle(topology.pairs);
  } catch (err) {
    const error = `setup of ${load} ${unit} failed: ${err instanceof Error ? err.message : String(err)}`;
    progress.log(`${side} ${unit}=${load}: ${error} — the ramp stops here`);
    peer.rows.push({ load, row: null, error });
    peer.ramping = false;
    return null;
  } finally {
    pacer.pause(topology.tracks);
    progress.end();
  }
}

/** The control-plane floor of a pass (see {@link FloorAtStep}) and its rows by load. */
interface LiveFloor {
  floor: ControlFloor;
  kind: 'audio' | 'video';
  heartbeatIntervalMs: number;
  rows: Map<number, FloorRow>;
  windows: number;
}

/**
 * Measures one load step on every peer still ramping: `rounds` windows each, the peers in turn (in reverse
 * order every other round), each with only its own sources sending; the other peers' processes idle on the
 * same CPU as bystanders. Adds each peer's merged row, with its server's memory read after the rounds. With a
 * `floor`, each round ends with a window of the floor's (every peer's sources paused).
 */
async function measureStep({
  peers,
  load,
  flowing,
  rounds,
  seconds,
  unit,
  pacer,
  progress,
  floor,
}: {
  peers: readonly LivePeer[];
  load: number;
  flowing: ReadonlyMap<LivePeer, boolean>;
  rounds: number;
  seconds: number;
  unit: string;
  pacer: Pacer;
  progress: Progress;
  floor?: LiveFloor | undefined;
}): Promise<void> {
  const floorWindows: FloorWindow[] = [];
  const windows = new Map<LivePeer, { rows: WindowRow[]; samples: WindowSamples[] }>(
    peers.map((p) => [p, { rows: [], samples: [] }]),
  );
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? peers : [...peers].reverse();
    for (const peer of order) {
      const { topology } = peer;
      const others = peers.filter((p) => p !== peer);
      const into = windows.get(peer)!;
      progress.phase(
        `${peer.name}: measuring ${load} ${unit}, round ${round + 1} of ${rounds}, ${seconds} s`,
        100,
      );
      pacer.resume(topology.tracks);
      try {
        into.rows.push(
          await measureWindow({
            meter: peer.meter,
            tracks: topology.tracks,
            target: topology.target,
            pinned: topology.pinned,
            seconds,
            warmupSeconds: peer.windows === 0 ? 3 : 1,
            bystanders:
              others.length > 0
                ? { cpuMs: () => others.reduce((ms, p) => ms + p.topology.target.cpuMs(), 0) }
                : undefined,
            onTick: (f) => progress.update(Math.round(f * 100)),
            onSamples: (samples) => into.samples.push(samples),
          }),
        );
      } finally {
        pacer.pause(topology.tracks);
        peer.windows += 1;
      }
      progress.end();
    }
    if (floor !== undefined) {
      progress.phase(
        `control floor: measuring ${load} ${unit}, round ${round + 1} of ${rounds}, ${seconds} s`,
      );
      // Parley's server, at rest, beside it: the same players' events, in the same seconds on the same CPU.
      const parley = peers.find((p) => p.name === 'parley')?.topology.target;
      floorWindows.push(
        await floor.floor.measure(seconds, floor.windows === 0 ? 3 : 1, parley && (() => parley.cpuMs())),
      );
      floor.windows += 1;
      progress.end();
    }
  }
  if (floor !== undefined) {
    const row = mergeFloorWindows(floorWindows, load, floor.kind, floor.heartbeatIntervalMs);
    if (row !== null) {
      floor.rows.set(load, row);
      progress.log(
        `control floor ${unit}=${load}  cpu ${row.cpuPercent}% (Parley at rest beside it ${row.besideCpuPercent ?? '—'}%), ` +
          `per second: ${row.perSecond.heartbeats} heartbeats, ` +
          `${row.perSecond.checks} consent checks, ${row.perSecond.receiverReports} receiver reports, ` +
          `${row.perSecond.senderReports} sender reports`,
      );
    }
  }
  for (const peer of peers) {
    const { rows, samples } = windows.get(peer)!;
    const row: StepRow | null = mergeWindows(rows, samples);
    if (row === null) continue;
    row.mediaFlowingBeforeWindow = flowing.get(peer) ?? false;
    const memory = await serverMemory(peer.topology.target);
    if (memory) Object.assign(row, memory);
    peer.rows.push({ load, row });
    progress.log(describeRow(peer.name, unit, load, row));
  }
}

/**
 * The Parley server's memory after a full GC and how many media transports it holds (null for the baseline
 * relay, which has neither): the per-transport cost is the slope between load steps.
 */
async function serverMemory(
  target: TopologyTarget,
): Promise<Pick<StepRow, 'serverRssMiB' | 'mediaTransports' | 'serverHeap'> | null> {
  if (typeof target.memory === 'function') return target.memory();
  if (typeof target?.gc !== 'function' || typeof target.health !== 'function' || !target.rssBytes)
    return null;
  const { heap } = await target.gc();
  const health = await target.health();
  const mib = (bytes: number): number => Math.round((bytes / 2 ** 20) * 10) / 10;
  return {
    serverRssMiB: mib(target.rssBytes()),
    mediaTransports: health.mediaTransports,
    serverHeap: { youngMiB: mib(heap.youngBytes), v8MiB: mib(heap.v8Bytes), liveMiB: mib(heap.liveBytes) },
  };
}

/** KiB of server RSS per media transport, from the first and last measured steps (null if not measurable). */
function memoryPerTransport(rows: readonly RampStep[]): MemoryPerTransport | null {
  const readings = rows.map((r) => r.row);
  const slope = rssSlope(readings);
  return (
    slope && {
      kibPerTransport: slope.kibPerTransport,
      kibBeyondYoung:
        slope.kibPerTransport !== null && slope.breakdown !== null
          ? round(slope.kibPerTransport - slope.breakdown.youngKiB, 1)
          : null,
      atScale: rssSlopeAtScale(readings),
      fromTransports: slope.first.transports,
      toTransports: slope.last.transports,
      fromRssMiB: slope.first.rssMiB,
      toRssMiB: slope.last.rssMiB,
      breakdown: slope.breakdown,
    }
  );
}

/** One line about a measured step, for the progress log. */
export function describeRow(
  side: string,
  unit: string,
  load: number,
  row: (WindowRow & { mediaFlowingBeforeWindow?: boolean }) | null,
): string {
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
 * One pass of a media run: starts `peers` (an optional one that fails to start is left out, with a note), grows
 * them through `steps` together and measures each step in rounds, the peers in turn; closes them all.
 */
async function runPass({
  peers,
  steps,
  rounds,
  seconds,
  unit,
  pacer,
  progress,
  notes,
  controlFloor,
}: {
  peers: readonly MediaPeer[];
  steps: readonly number[];
  rounds: number;
  seconds: number;
  unit: string;
  pacer: Pacer;
  progress: Progress;
  notes: string[];
  /** Measure the control-plane floor of Parley's players of `kind` too (this pass must have Parley). */
  controlFloor?: { kind: 'audio' | 'video' } | undefined;
}): Promise<{ sides: Map<PeerName, SideResult>; floorRows: Map<number, FloorRow> | null }> {
  const live: LivePeer[] = [];
  let floor: LiveFloor | undefined;
  const closed = new Set<LivePeer>();
  const close = async (peer: LivePeer): Promise<void> => {
    if (closed.has(peer)) return;
    closed.add(peer);
    await peer.topology.close();
  };
  try {
    for (const { name, make, optional } of peers) {
      const meter = new Meter();
      progress.phase(`${name}: starting`);
      try {
        const topology = await make({ meter, pacer });
        pacer.pause(topology.tracks);
        live.push({ name, topology, meter, rows: [], ramping: true, windows: 0 });
      } catch (err) {
        if (!optional) throw err;
        const note = `${name}: not measured, it did not start (${err instanceof Error ? err.message : String(err)})`;
        progress.log(note);
        notes.push(note);
      }
    }
    if (controlFloor !== undefined) {
      const heartbeatIntervalMs = live.find((p) => p.name === 'parley')?.topology.heartbeatIntervalMs;
      if (heartbeatIntervalMs === undefined) throw new Error('the control floor needs Parley in its pass');
      progress.phase('control floor: starting');
      floor = {
        floor: await startControlFloor({ kind: controlFloor.kind, heartbeatIntervalMs }),
        kind: controlFloor.kind,
        heartbeatIntervalMs,
        rows: new Map(),
        windows: 0,
      };
      progress.end();
    }
    for (const load of steps) {
      const flowing = new Map<LivePeer, boolean>();
      for (const peer of live.filter((p) => p.ramping)) {
        const settled = await growPeer(peer, load, unit, pacer, progress);
        if (settled === null) await close(peer);
        else flowing.set(peer, settled);
      }
      const measured = live.filter((p) => p.ramping);
      if (measured.length === 0) break;
      if (floor !== undefined) {
        progress.phase(`control floor: setting up ${load} ${unit}`);
        await floor.floor.grow(load);
        progress.end();
      }
      await measureStep({ peers: measured, load, flowing, rounds, seconds, unit, pacer, progress, floor });
    }
    return {
      sides: new Map(
        live.map((peer) => [
          peer.name,
          { pinned: peer.topology.pinned, rows: peer.rows, retries: peer.topology.retries?.count ?? 0 },
        ]),
      ),
      floorRows: floor?.rows ?? null,
    };
  } finally {
    for (const peer of live) await close(peer);
    await floor?.floor.close();
  }
}

/**
 * Runs a media scenario. `makeParley` / `makeBaseline` ({ meter, pacer }) build the two topologies.
 * Returns `{ rows, summary, chart }` for the results file.
 */
export async function runMediaBenchmark({
  title,
  unit,
  steps,
  seconds,
  rounds = 2,
  peers,
  progress,
  notes: runNotes = [],
  controlFloor,
}: {
  title: string;
  unit: string;
  steps: readonly number[];
  seconds: number;
  /** Windows per peer at each step, the peers in turn (see the file's comment). */
  rounds?: number;
  peers: readonly MediaPeer[];
  progress: Progress;
  /** Remarks of the scenario's own for the results (e.g. a peer it skipped). */
  notes?: readonly string[];
  /**
   * A fan-out of one `kind`: measure the control-plane floor of its players as well (lib/controlFloor.ts), in
   * the pass of Parley and the relay, a window of its own after theirs in each round.
   */
  controlFloor?: { kind: 'audio' | 'video' };
}): Promise<MediaOutput> {
  const pacer = startPacer();
  const sides = new Map<PeerName, SideResult>();
  const peerNotes = [...runNotes];
  let floorRows: Map<number, FloorRow> | null = null;
  try {
    // Parley and the relay in one pass, in turn; each peer that must be `alone` (Janus) in a pass of its own.
    const passes = [peers.filter((p) => !p.alone), ...peers.filter((p) => p.alone).map((p) => [p])];
    const run = { steps, rounds, seconds, unit, pacer, progress, notes: peerNotes };
    for (const [i, pass] of passes.entries()) {
      if (pass.length === 0) continue;
      const result = await runPass({ ...run, peers: pass, controlFloor: i === 0 ? controlFloor : undefined });
      for (const [name, side] of result.sides) sides.set(name, side);
      floorRows ??= result.floorRows;
    }
  } finally {
    pacer.stop();
  }
  const sideOf = (side: PeerName): SideResult => {
    const result = sides.get(side);
    if (result === undefined) throw new Error(`the media run has no ${side} side`);
    return result;
  };
  const rowOf = (side: PeerName, load: number): RampStep | null =>
    sideOf(side).rows.find((r) => r.load === load) ?? null;
  const janusSides = [...sides.keys()].filter((k): k is JanusVariant => k !== 'parley' && k !== 'baseline');
  const rows: MediaRow[] = steps.map((load) => {
    const parley = rowOf('parley', load);
    const baseline = rowOf('baseline', load);
    const p = parley?.row?.cpuMicrosPerPacket ?? null;
    const b = baseline?.row?.cpuMicrosPerPacket ?? null;
    const janus = janusSides.map((v) => [v, rowOf(v, load)] as const);
    return {
      [unit]: load,
      parley: parley?.row ?? null,
      baseline: baseline?.row ?? null,
      ...(janus.length > 0 ? { janus: Object.fromEntries(janus.map(([v, r]) => [v, r?.row ?? null])) } : {}),
      ratio: p !== null && b !== null && b > 0 ? round(p / b, 2) : null,
      parleyAtRest: atRest(parley?.row ?? null, baseline?.row ?? null),
      controlFloor: floorAtStep(floorRows?.get(load) ?? null, parley?.row ?? null),
      errors: [
        parley?.error,
        baseline?.error,
        ...janus.map(([v, r]) => (r?.error ? `${v}: ${r.error}` : undefined)),
      ].filter((e): e is string => Boolean(e)),
    };
  });
  const loadRows = (side: PeerName): LoadRow[] => sideOf(side).rows.map(({ load, row }) => ({ load, row }));
  const failing = (side: PeerName): number[] =>
    sideOf(side)
      .rows.filter((r) => !holds(r.row))
      .map((r) => r.load);
  const parleyPooled = pooledMicrosPerPacket(sideOf('parley').rows.map((r) => r.row));
  const baselinePooled = pooledMicrosPerPacket(sideOf('baseline').rows.map((r) => r.row));
  const restPooled = pooledBesideParley(rows, (r) => r.parleyAtRest?.cpuPercent);
  const floorPooled = pooledBesideParley(rows, (r) => r.controlFloor?.cpuPercent);
  const besidePooled = pooledBesideParley(rows, (r) => r.controlFloor?.besideCpuPercent);
  const withFloor =
    floorPooled !== null && baselinePooled !== null && baselinePooled > 0
      ? baselinePooled + floorPooled
      : null;
  const summary: MediaSummary = {
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
    serverMemoryPerTransport: memoryPerTransport(sideOf('parley').rows),
    baselineMicrosPerPacket: baselinePooled,
    ratio: parleyPooled !== null && baselinePooled !== null ? round(parleyPooled / baselinePooled, 2) : null,
    parleyAtRestMicrosPerPacket: restPooled,
    ratioNetOfRest:
      parleyPooled !== null && restPooled !== null && baselinePooled !== null && baselinePooled > 0
        ? round((parleyPooled - restPooled) / baselinePooled, 2)
        : null,
    ...(controlFloor !== undefined
      ? {
          controlFloorMicrosPerPacket: floorPooled,
          parleyBesideFloorMicrosPerPacket: besidePooled,
          relayWithFloorRatio:
            withFloor !== null && baselinePooled !== null ? round(withFloor / baselinePooled, 2) : null,
          ratioToRelayWithFloor:
            withFloor !== null && parleyPooled !== null ? round(parleyPooled / withFloor, 2) : null,
        }
      : {}),
    /** Parley connections that failed to set up once and were tried again (0 on a quiet machine). */
    connectionRetries: sideOf('parley').retries,
    serverPinned: sideOf('parley').pinned,
    relayPinned: sideOf('baseline').pinned,
  };
  if (janusSides.length > 0) {
    summary.janus = Object.fromEntries(
      janusSides.map((v) => [
        v,
        summarizeJanus(v, loadRows(v), parleyPooled, baselinePooled, sideOf(v).retries),
      ]),
    );
  }
  const janusCol = (f: (row: StepRow) => number | null, label: (name: string) => string) =>
    janusSides.map((v) => ({
      name: label(summary.janus?.[v]?.label ?? v),
      values: rows.map((r) => {
        const row = r.janus?.[v];
        return row ? f(row) : null;
      }),
    }));
  const x = steps;
  const col = (side: 'parley' | 'baseline', f: (row: StepRow) => number | null): (number | null)[] =>
    rows.map((r) => {
      const row = r[side];
      return row ? f(row) : null;
    });
  const chart = renderChart({
    title,
    subtitle: `x: ${unit}; ${rounds} × ${seconds} s per step, the forwarders in turn; capacity: loss ≤ ${CAPACITY_RULE.maxLossPercent} % and p99 ≤ ${CAPACITY_RULE.maxP99LatencyMs} ms`,
    panels: [
      {
        title: 'Forwarder CPU per forwarded packet',
        xLabel: unit,
        yLabel: 'µs per packet',
        x,
        series: [
          { name: 'Parley', values: col('parley', (r) => r.cpuMicrosPerPacket) },
          { name: 'baseline relay', values: col('baseline', (r) => r.cpuMicrosPerPacket) },
          ...janusCol(
            (r) => r.cpuMicrosPerPacket,
            (n) => n,
          ),
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
          ...janusCol(
            (r) => r.latencyMs.p99,
            (n) => `${n} p99`,
          ),
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
          ...janusCol(
            (r) => r.lossPercent,
            (n) => n,
          ),
        ],
        limits: [{ y: CAPACITY_RULE.maxLossPercent, label: 'capacity limit' }],
      },
    ],
  });
  return { rows, summary, notes: [...mediaNotes(rows, summary, unit), ...peerNotes], chart };
}
