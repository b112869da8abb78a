/**
 * The media half of cluster-fanout on one layout (lib/clusterNodes.mjs): one synthetic audio publisher logged
 * in on node A, players added step by step on the nodes the layout names; a window measured by
 * lib/measure.mjs with the layout's processes as one forwarder, with each process's CPU time and, in a cluster,
 * the media pipes' counters: how many copies of each packet the origin sent to each remote node. The layouts of
 * a run live side by side, so a layout's publisher pauses while another layout is measured.
 */
import { nodeID } from './clusterNodes.mjs';
import { measureWindow, settle } from './measure.mjs';
import { playSynthetic, publishSynthetic } from './parleyMedia.mjs';
import { login } from './signal.mjs';
import { round } from './stats.mjs';
import { addAll, withRetry } from './topologies.mjs';

const ROOM = 'fanout';
const STREAM = 'fanout';

/**
 * The fan-out on `started` (a started layout): the publisher on A, players added by grow(n) on
 * `layout.playerNode(i)`. Gives lib/measure.mjs `target`, `tracks`, `pairs`, plus `playersOn` (players per node)
 * and `pause()` / `resume()`: the publisher stops sending (its connection, and every player's, stays up) and
 * starts again where its clock is. It starts paused.
 */
export async function clusterFanout({ started, meter, pacer, concurrency }) {
  const origin = started.nodes.get('A');
  const publisher = await login(origin.url, ROOM, 'publisher');
  const pub = await publishSynthetic(publisher, { roomID: ROOM, streamID: STREAM, kinds: ['audio'], pacer });
  for (const track of pub.tracks) pacer.delete(track);
  const players = [];
  const t = {
    target: started.target,
    pinned: started.pinned,
    tracks: pub.tracks,
    pairs: [],
    retries: { count: 0 },
    playersOn: new Map(),
  };
  t.grow = (n, onProgress) =>
    addAll(
      players.length,
      n,
      concurrency,
      async (i) => {
        const node = started.layout.playerNode(i);
        const receiver = meter.receiver();
        // Three attempts: the layouts of a run live side by side, so a busy machine times out more setups.
        const { client, play } = await withRetry(
          t.retries,
          async () => {
            const client = await login(started.nodes.get(node).url, ROOM, `player${i}`);
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
        t.playersOn.set(node, (t.playersOn.get(node) ?? 0) + 1);
        for (const track of pub.tracks) {
          meter.expect(track.sourceId);
          t.pairs.push({ receiver, sourceId: track.sourceId });
        }
      },
      onProgress,
    );
  t.pause = () => {
    for (const track of pub.tracks) pacer.delete(track);
  };
  t.resume = () => {
    const now = performance.now();
    for (const track of pub.tracks) {
      track.skipTo(now);
      pacer.add(track);
    }
  };
  t.close = async () => {
    await pub.close();
    for (const p of players) {
      await p.play.close();
      p.client.close();
    }
    publisher.close();
  };
  return t;
}

/**
 * Each process's CPU time in the window (from the target's last two readings), its share per packet, and its
 * main thread's context switches.
 */
function processCpu(started, row) {
  const readings = started.target.lastReadings();
  if (readings === null) return null;
  const seconds = row.windowSeconds;
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
function closesOf(stats) {
  const out = {};
  for (const node of Object.values(stats.nodes)) {
    for (const [reason, n] of Object.entries(node.transportCloses ?? {}))
      out[reason] = (out[reason] ?? 0) + n;
  }
  return out;
}

/** The remote node named in a pipe ID (`<nodeID>/<random>`: the node that asked for the pipe). */
const remoteOf = (pipeID) => pipeID.slice(0, pipeID.lastIndexOf('/'));

/**
 * The one-copy check of a step, from the nodes' stats before (`s0`) and after (`s1`) the window: per remote
 * node, its players, the origin's open pipe-outs to it, the packets they sent in the interval against the
 * packets the origin's source received in it (read at the same moment in the origin's process, so they must be
 * equal), repairs, and what the node's pipe-in received. `holds`: every node with players has exactly one pipe
 * from the origin, sending exactly one copy of each packet; a node without players has none.
 */
export function pipeCheck(s0, s1, layout, playersOn) {
  const outs0 = new Map(s0.nodes.A.pipes.outs.map((o) => [o.pipeID, o]));
  const perNode = [];
  for (const node of layout.nodes.filter((n) => n !== 'A')) {
    const players = playersOn.get(node) ?? 0;
    const outs = s1.nodes.A.pipes.outs.filter((o) => !o.closed && remoteOf(o.pipeID) === nodeID(node));
    const entry = { node, players, pipeOuts: outs.length };
    const [out] = outs;
    const before = out && outs0.get(out.pipeID);
    if (outs.length === 1 && before && !before.closed) {
      const delta = (f) => f(out) - f(before);
      entry.packetsSent = delta((o) => o.packetsSent);
      entry.sourcePackets = delta((o) => o.sourcePackets);
      entry.copiesPerPacket =
        entry.sourcePackets > 0 ? round(entry.packetsSent / entry.sourcePackets, 4) : null;
      entry.retransmitted = delta((o) => o.retransmitted);
      entry.bytesSent = delta((o) => o.bytesSent);
      const inOf = (s) => s.nodes[node].pipes.ins.find((p) => p.pipeID === out.pipeID && !p.closed);
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
        ? outs.length === 1 && entry.sourcePackets > 0 && entry.packetsSent === entry.sourcePackets
        : outs.length === 0;
    perNode.push(entry);
  }
  const closedPipeOuts = s1.nodes.A.pipes.outs.filter((o) => o.closed).length;
  return { holds: perNode.every((e) => e.holds), closedPipeOutsSoFar: closedPipeOuts, perNode };
}

/**
 * Grows the fan-out on `run` (`{ started, topology }`) to `load` players with its publisher sending, then
 * pauses it again. Resolves with whether every player had media before the pause; throws if a setup fails.
 */
export async function growLayout(run, load, progress) {
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
 * layouts' processes, idle on the same CPU. The row has lib/measure.mjs's figures, `processCpu`, the players
 * per node and, in a cluster, `pipes` (the one-copy check).
 */
export async function measureLayout({ run, meter, seconds, warmupSeconds, bystanders, progress }) {
  const { started, topology } = run;
  const clustered = started.layout.nodes.length > 1;
  topology.resume();
  try {
    const row = await measureWindow({
      meter,
      tracks: topology.tracks,
      target: topology.target,
      pinned: topology.pinned,
      seconds,
      warmupSeconds,
      bystanders,
      onTick: (f) => progress.update(Math.round(f * 100)),
      detail: (s0, s1) => ({
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
function mergePipes(checks) {
  const perNode = checks[0].perNode.map((first) => {
    const all = checks.map((c) => c.perNode.find((e) => e.node === first.node));
    const sum = (f) =>
      all.every((e) => typeof e[f] === 'number') ? all.reduce((n, e) => n + e[f], 0) : null;
    const merged = {
      node: first.node,
      players: first.players,
      pipeOuts: Math.max(...all.map((e) => e.pipeOuts)),
    };
    for (const f of [
      'packetsSent',
      'sourcePackets',
      'retransmitted',
      'bytesSent',
      'pipeInReceived',
      'pipeInDistinct',
    ]) {
      merged[f] = sum(f);
    }
    merged.copiesPerPacket =
      merged.sourcePackets > 0 && merged.packetsSent !== null
        ? round(merged.packetsSent / merged.sourcePackets, 4)
        : null;
    merged.holds = all.every((e) => e.holds);
    return merged;
  });
  return {
    holds: checks.every((c) => c.holds),
    closedPipeOutsSoFar: checks[checks.length - 1].closedPipeOutsSoFar,
    perNode,
  };
}

/**
 * The rounds of one step of one layout as one row: counts and CPU times summed (CPU per packet, loss and
 * packets per second pooled over the rounds), each process's CPU summed, latency and the honesty indicators
 * of the worse round, pipes merged; `perRound` keeps every round's own row.
 */
export function mergeRounds(rows) {
  if (rows.length === 0) return null;
  const sum = (f) => rows.reduce((n, r) => n + f(r), 0);
  const worst = (f) => {
    const values = rows.map(f).filter((x) => x !== null && x !== undefined);
    return values.length > 0 ? Math.max(...values) : null;
  };
  const windowSeconds = sum((r) => r.windowSeconds);
  const received = sum((r) => r.packetsReceived);
  const expected = sum((r) => r.packetsExpected);
  const cpuMs = sum((r) => r.cpuMs);
  const counted = sum((r) => r.forwarderCountedPackets);
  const processCpu = rows[0].processCpu?.map((p, i) => {
    const ms = sum((r) => r.processCpu[i].cpuMs);
    return {
      name: p.name,
      cpuMs: ms,
      cpuPercent: round((ms / (windowSeconds * 1000)) * 100, 1),
      microsPerPacket: received > 0 ? round((ms * 1000) / received, 2) : null,
      voluntarySwitchesPerSecond: round(
        sum((r) => r.processCpu[i].voluntarySwitchesPerSecond * r.windowSeconds) / windowSeconds,
        0,
      ),
      involuntarySwitchesPerSecond: round(
        sum((r) => r.processCpu[i].involuntarySwitchesPerSecond * r.windowSeconds) / windowSeconds,
        0,
      ),
    };
  });
  return {
    rounds: rows.length,
    windowSeconds: round(windowSeconds, 3),
    packetsSentBySources: sum((r) => r.packetsSentBySources),
    packetsExpected: expected,
    packetsReceived: received,
    forwardedPerSecond: round(received / windowSeconds, 0),
    lossPercent: expected > 0 ? round(((expected - received) / expected) * 100, 3) : null,
    cpuMs,
    cpuPercent: round((cpuMs / (windowSeconds * 1000)) * 100, 1),
    cpuMicrosPerPacket: received > 0 ? round((cpuMs * 1000) / received, 2) : null,
    forwarderCountedPackets: counted,
    countAgreementPercent: received > 0 ? round((counted / received) * 100, 1) : null,
    /** The worse round's: a percentile of two windows cannot be pooled from their percentiles. */
    latencyMs: {
      p50: worst((r) => r.latencyMs.p50),
      p99: worst((r) => r.latencyMs.p99),
      max: worst((r) => r.latencyMs.max),
    },
    burst: {
      firstArrivalMs: worst((r) => r.burst.firstArrivalMs),
      betweenArrivalsMicros: worst((r) => r.burst.betweenArrivalsMicros),
    },
    benchCpuPercent: worst((r) => r.benchCpuPercent),
    otherLoadPercent: {
      cpu0: worst((r) => r.otherLoadPercent.cpu0),
      cpu1: worst((r) => r.otherLoadPercent.cpu1),
    },
    bystanderCpuPercent: worst((r) => r.bystanderCpuPercent),
    benchLoopDelayMs: {
      p99: worst((r) => r.benchLoopDelayMs.p99),
      max: worst((r) => r.benchLoopDelayMs.max),
    },
    serverGcPauseMs: {
      total: round(
        sum((r) => r.serverGcPauseMs.total),
        1,
      ),
      max: worst((r) => r.serverGcPauseMs.max),
    },
    serverFullGcs: sum((r) => r.serverFullGcs),
    playersPerNode: rows[0].playersPerNode,
    transportClosesSoFar: rows[rows.length - 1].transportClosesSoFar,
    mediaFlowingBeforeWindow: rows.every((r) => r.mediaFlowingBeforeWindow !== false),
    processCpu,
    ...(rows[0].pipes ? { pipes: mergePipes(rows.map((r) => r.pipes)) } : {}),
    perRound: rows,
  };
}
