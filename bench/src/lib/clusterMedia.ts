/**
 * The media half of cluster-fanout on one layout (lib/clusterNodes.ts): one synthetic audio publisher logged
 * in on node A, players added step by step on the nodes the layout names; a window measured by
 * lib/measure.ts with the layout's processes as one forwarder, with each process's CPU time and, in a cluster,
 * the media pipes' counters: how many copies of each packet the origin sent to each remote node. The layouts of
 * a run live side by side, so a layout's publisher pauses while another layout is measured.
 */
import {
  type Layout,
  type LayoutStats,
  type LayoutTarget,
  nodeID,
  type StartedLayout,
} from './clusterNodes.js';
import { type FlowPair, measureWindow, mergeWindows, settle, type WindowRow } from './measure.js';
import type { Meter } from './meter.js';
import { playSynthetic, publishSynthetic, type SyntheticPlayer } from './parleyMedia.js';
import type { Progress } from './progress.js';
import type { PipeInRow, PipeOutRow } from './routerWatch.js';
import { login, type SignalClient } from './signal.js';
import { round } from './stats.js';
import type { Pacer, SyntheticTrack } from './synthRtp.js';
import { addAll, withRetry } from './topologies.js';

/** The fan-out on one layout ({@link clusterFanout}). */
export interface ClusterTopology {
  target: LayoutTarget;
  pinned: boolean;
  tracks: SyntheticTrack[];
  pairs: FlowPair[];
  retries: { count: number };
  /** Players per node. */
  playersOn: Map<string, number>;
  grow(n: number, onProgress?: ((done: number) => void) | null): Promise<void>;
  pause(): void;
  resume(): void;
  close(): Promise<void>;
}

/** A layout of a run: its processes and its fan-out. */
export interface LayoutRun {
  started: StartedLayout;
  topology: ClusterTopology;
}

/** One remote node in the one-copy check. */
export interface PipeNodeEntry {
  node: string;
  players: number;
  pipeOuts: number;
  packetsSent?: number | null;
  sourcePackets?: number | null;
  copiesPerPacket?: number | null;
  retransmitted?: number | null;
  bytesSent?: number | null;
  pipeInReceived?: number | null;
  pipeInDistinct?: number | null;
  pipeInPlayers?: number;
  holds: boolean;
}

/** The one-copy check of a window (or of merged windows). */
export interface PipeCheck {
  holds: boolean;
  closedPipeOutsSoFar: number;
  perNode: PipeNodeEntry[];
}

/** A process's share of a window. */
export interface ProcessCpuRow {
  name: string;
  cpuMs: number | null;
  cpuPercent: number | null;
  microsPerPacket: number | null;
  voluntarySwitchesPerSecond: number | null;
  involuntarySwitchesPerSecond: number | null;
}

/** What a layout's window adds to the row of lib/measure.ts. */
interface LayoutDetail {
  playersPerNode: Record<string, number>;
  transportClosesSoFar: Record<string, number>;
  pipes?: PipeCheck;
}

/** One measured window of a layout. */
export type LayoutRow = WindowRow &
  Partial<LayoutDetail> & {
    processCpu?: ProcessCpuRow[] | null;
    mediaFlowingBeforeWindow?: boolean;
  };

/** The rounds of one step of one layout as one row ({@link mergeRounds}). */
export type MergedRow = ReturnType<typeof mergeRounds> & object;

const ROOM = 'fanout';
const STREAM = 'fanout';

/**
 * The fan-out on `started` (a started layout): the publisher on A, players added by grow(n) on
 * `layout.playerNode(i)`. Gives lib/measure.ts `target`, `tracks`, `pairs`, plus `playersOn` (players per node)
 * and `pause()` / `resume()`: the publisher stops sending (its connection, and every player's, stays up) and
 * starts again where its clock is. It starts paused.
 */
export async function clusterFanout({
  started,
  meter,
  pacer,
  concurrency,
}: {
  started: StartedLayout;
  meter: Meter;
  pacer: Pacer;
  concurrency: number;
}): Promise<ClusterTopology> {
  const nodeOf = (name: string) => {
    const node = started.nodes.get(name);
    if (node === undefined) throw new Error(`layout ${started.name} has no node ${name}`);
    return node;
  };
  const origin = nodeOf('A');
  const publisher = await login(origin.url, ROOM, 'publisher');
  const pub = await publishSynthetic(publisher, { roomID: ROOM, streamID: STREAM, kinds: ['audio'], pacer });
  for (const track of pub.tracks) pacer.delete(track);
  const players: { client: SignalClient; play: SyntheticPlayer }[] = [];
  const pairs: FlowPair[] = [];
  const retries = { count: 0 };
  const playersOn = new Map<string, number>();
  const grow = (n: number, onProgress?: ((done: number) => void) | null): Promise<void> =>
    addAll(
      players.length,
      n,
      concurrency,
      async (i) => {
        const node = started.layout.playerNode(i);
        const receiver = meter.receiver();
        // Three attempts: the layouts of a run live side by side, so a busy machine times out more setups.
        const { client, play } = await withRetry(
          retries,
          async () => {
            const client = await login(nodeOf(node).url, ROOM, `player${i}`);
            try {
              return { client, play: await playSynthetic(client, { streamID: STREAM, receiver }) };
            } catch (err) {
              client.close();
              throw err;
            }
          },
          3,
        );
        players.push({ client, play });
        playersOn.set(node, (playersOn.get(node) ?? 0) + 1);
        for (const track of pub.tracks) {
          meter.expect(track.sourceId);
          pairs.push({ receiver, sourceId: track.sourceId });
        }
      },
      onProgress,
    );
  const pause = (): void => pacer.pause(pub.tracks);
  const resume = (): void => pacer.resume(pub.tracks);
  const close = async (): Promise<void> => {
    await pub.close();
    for (const p of players) {
      await p.play.close();
      p.client.close();
    }
    publisher.close();
  };
  return {
    target: started.target,
    pinned: started.pinned,
    tracks: pub.tracks,
    pairs,
    retries,
    playersOn,
    grow,
    pause,
    resume,
    close,
  };
}

/**
 * Each process's CPU time in the window (from the target's last two readings), its share per packet, and its
 * main thread's context switches.
 */
function processCpu(started: StartedLayout, row: WindowRow): ProcessCpuRow[] | null {
  const readings = started.target.lastReadings();
  if (readings === null) return null;
  const seconds = row.windowSeconds ?? Number.NaN;
  return readings.map(({ name, cpuMs, voluntarySwitches, involuntarySwitches }) => ({
    name,
    cpuMs: round(cpuMs, 0),
    cpuPercent: round((cpuMs / (seconds * 1000)) * 100, 1),
    microsPerPacket: row.packetsReceived > 0 ? round((cpuMs * 1000) / row.packetsReceived, 2) : null,
    // Of the main thread, per second: waits (an idle loop woken) and preemptions (another process ran).
    voluntarySwitchesPerSecond: round(voluntarySwitches / seconds, 0),
    involuntarySwitchesPerSecond: round(involuntarySwitches / seconds, 0),
  }));
}

/**
 * Transports the layout's nodes closed so far, by reason, summed over the nodes (`inactive`: silent for the
 * SFU's inactivity timeout; `closed`: ended by their owner, e.g. a retried setup).
 */
function closesOf(stats: LayoutStats): Record<string, number> {
  const out: Record<string, number> = {};
  for (const node of Object.values(stats.nodes)) {
    for (const [reason, n] of Object.entries(node.transportCloses ?? {}))
      out[reason] = (out[reason] ?? 0) + n;
  }
  return out;
}

/** The remote node named in a pipe ID (`<nodeID>/<random>`: the node that asked for the pipe). */
const remoteOf = (pipeID: string): string => pipeID.slice(0, pipeID.lastIndexOf('/'));

/**
 * The one-copy check of a step, from the nodes' stats before (`s0`) and after (`s1`) the window: per remote
 * node, its players, the origin's open pipe-outs to it, the packets they sent in the interval against the
 * packets the origin's source received in it (read at the same moment in the origin's process, so they must be
 * equal), repairs, and what the node's pipe-in received. `holds`: every node with players has exactly one pipe
 * from the origin, sending exactly one copy of each packet; a node without players has none.
 */
export function pipeCheck(
  s0: LayoutStats,
  s1: LayoutStats,
  layout: Layout,
  playersOn: Map<string, number>,
): PipeCheck {
  const origin0 = s0.nodes['A'];
  const origin1 = s1.nodes['A'];
  if (origin0 === undefined || origin1 === undefined) throw new Error('the layout has no node A');
  const outs0 = new Map(origin0.pipes.outs.map((o) => [o.pipeID, o]));
  const perNode: PipeNodeEntry[] = [];
  for (const node of layout.nodes.filter((n) => n !== 'A')) {
    const players = playersOn.get(node) ?? 0;
    const outs = origin1.pipes.outs.filter((o) => !o.closed && remoteOf(o.pipeID) === nodeID(node));
    const entry: PipeNodeEntry = { node, players, pipeOuts: outs.length, holds: false };
    const [out] = outs;
    const before = out && outs0.get(out.pipeID);
    if (outs.length === 1 && before && !before.closed) {
      // A count a server does not report (null) counts as 0, as JavaScript's arithmetic took it.
      const delta = (f: (o: PipeOutRow) => number | null): number => (f(out) ?? 0) - (f(before) ?? 0);
      entry.packetsSent = delta((o) => o.packetsSent);
      entry.sourcePackets = delta((o) => o.sourcePackets);
      entry.copiesPerPacket =
        entry.sourcePackets > 0 ? round(entry.packetsSent / entry.sourcePackets, 4) : null;
      entry.retransmitted = delta((o) => o.retransmitted);
      entry.bytesSent = delta((o) => o.bytesSent);
      const inOf = (s: LayoutStats): PipeInRow | undefined =>
        s.nodes[node]?.pipes.ins.find((p) => p.pipeID === out.pipeID && !p.closed);
      const in0 = inOf(s0);
      const in1 = inOf(s1);
      if (in0 && in1) {
        entry.pipeInReceived = in1.packetsReceived - in0.packetsReceived;
        entry.pipeInDistinct = in1.distinctPackets - in0.distinctPackets;
        entry.pipeInPlayers = in1.players;
      }
    }
    entry.holds =
      players > 0
        ? outs.length === 1 && (entry.sourcePackets ?? 0) > 0 && entry.packetsSent === entry.sourcePackets
        : outs.length === 0;
    perNode.push(entry);
  }
  const closedPipeOuts = origin1.pipes.outs.filter((o) => o.closed).length;
  return { holds: perNode.every((e) => e.holds), closedPipeOutsSoFar: closedPipeOuts, perNode };
}

/**
 * Grows the fan-out on `run` (`{ started, topology }`) to `load` players with its publisher sending, then
 * pauses it again. Resolves with whether every player had media before the pause; throws if a setup fails.
 */
export async function growLayout(run: LayoutRun, load: number, progress: Progress): Promise<boolean> {
  run.topology.resume();
  try {
    progress.phase(`${run.started.name}: setting up ${load} players`, load);
    await run.topology.grow(load, (done) => progress.update(done));
    return await settle(run.topology.pairs);
  } finally {
    run.topology.pause();
  }
}

/**
 * One measured window of `run` with its publisher sending (paused again after it); `bystanders`: the other
 * layouts' processes, idle on the same CPU. The row has lib/measure.ts's figures, `processCpu`, the players
 * per node and, in a cluster, `pipes` (the one-copy check).
 */
export async function measureLayout({
  run,
  meter,
  seconds,
  warmupSeconds,
  bystanders,
  progress,
}: {
  run: LayoutRun;
  meter: Meter;
  seconds: number;
  warmupSeconds: number;
  bystanders: { cpuMs(): number } | undefined;
  progress: Progress;
}): Promise<LayoutRow> {
  const { started, topology } = run;
  const clustered = started.layout.nodes.length > 1;
  topology.resume();
  try {
    const row: LayoutRow = await measureWindow({
      meter,
      tracks: topology.tracks,
      target: topology.target,
      pinned: topology.pinned,
      seconds,
      warmupSeconds,
      bystanders,
      onTick: (f) => progress.update(Math.round(f * 100)),
      detail: (s0, s1): LayoutDetail => ({
        playersPerNode: Object.fromEntries(topology.playersOn),
        transportClosesSoFar: closesOf(s1),
        ...(clustered ? { pipes: pipeCheck(s0, s1, started.layout, topology.playersOn) } : {}),
      }),
    });
    row.processCpu = processCpu(started, row);
    return row;
  } finally {
    topology.pause();
  }
}

/** The pipe checks of several windows as one: counters summed per remote node; holds if each window held. */
function mergePipes(checks: PipeCheck[]): PipeCheck {
  const perNode = (checks[0]?.perNode ?? []).map((first) => {
    const all = checks.map((c) => c.perNode.find((e) => e.node === first.node));
    type Counter =
      | 'packetsSent'
      | 'sourcePackets'
      | 'retransmitted'
      | 'bytesSent'
      | 'pipeInReceived'
      | 'pipeInDistinct';
    const sum = (f: Counter): number | null => {
      const values = all.map((e) => e?.[f]);
      return values.every((v): v is number => typeof v === 'number')
        ? values.reduce((n, v) => n + v, 0)
        : null;
    };
    const packetsSent = sum('packetsSent');
    const sourcePackets = sum('sourcePackets');
    return {
      node: first.node,
      players: first.players,
      pipeOuts: Math.max(...all.map((e) => e?.pipeOuts ?? Number.NaN)),
      packetsSent,
      sourcePackets,
      retransmitted: sum('retransmitted'),
      bytesSent: sum('bytesSent'),
      pipeInReceived: sum('pipeInReceived'),
      pipeInDistinct: sum('pipeInDistinct'),
      copiesPerPacket:
        sourcePackets !== null && sourcePackets > 0 && packetsSent !== null
          ? round(packetsSent / sourcePackets, 4)
          : null,
      holds: all.every((e) => e?.holds === true),
    };
  });
  return {
    holds: checks.every((c) => c.holds),
    closedPipeOutsSoFar: checks[checks.length - 1]?.closedPipeOutsSoFar ?? 0,
    perNode,
  };
}

/**
 * The rounds of one step of one layout as one row: lib/measure.ts's merge of the windows (counts and CPU times
 * summed, so CPU per packet, loss and packets per second pooled over the rounds; latency and the honesty
 * indicators of the worse round), each process's CPU summed, pipes merged; `perRound` keeps every round's own
 * row.
 */
export function mergeRounds(rows: LayoutRow[]) {
  const merged = mergeWindows(rows);
  const [first] = rows;
  if (merged === null || first === undefined) return null;
  const sum = (f: (r: LayoutRow) => number | null | undefined): number =>
    rows.reduce((n, r) => n + (f(r) ?? 0), 0);
  const windowSeconds = merged.windowSeconds ?? 0;
  const received = merged.packetsReceived;
  const processCpu = first.processCpu?.map((p, i) => {
    const ms = sum((r) => r.processCpu?.[i]?.cpuMs);
    return {
      name: p.name,
      cpuMs: ms,
      cpuPercent: round((ms / (windowSeconds * 1000)) * 100, 1),
      microsPerPacket: received > 0 ? round((ms * 1000) / received, 2) : null,
      voluntarySwitchesPerSecond: round(
        sum((r) => (r.processCpu?.[i]?.voluntarySwitchesPerSecond ?? 0) * (r.windowSeconds ?? 0)) /
          windowSeconds,
        0,
      ),
      involuntarySwitchesPerSecond: round(
        sum((r) => (r.processCpu?.[i]?.involuntarySwitchesPerSecond ?? 0) * (r.windowSeconds ?? 0)) /
          windowSeconds,
        0,
      ),
    };
  });
  return {
    ...merged,
    playersPerNode: first.playersPerNode,
    transportClosesSoFar: rows[rows.length - 1]?.transportClosesSoFar,
    mediaFlowingBeforeWindow: rows.every((r) => r.mediaFlowingBeforeWindow !== false),
    processCpu,
    ...(first.pipes ? { pipes: mergePipes(rows.flatMap((r) => (r.pipes ? [r.pipes] : []))) } : {}),
    perRound: rows,
  };
}
