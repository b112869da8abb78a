/**
 * The SFU router of a server process (lib/serverMain.ts), seen from inside it, for the cluster-fanout
 * benchmark: every pipe-out (this node is a stream's origin and sends one copy of each packet to another node)
 * and every pipe-in (this node plays a stream of another node through a pipe) the router opens, through its
 * own `pipe` event, with their `stats()` counters; and every transport it opens (its `transport` event) that
 * closed, by reason — a player's transport closed for silence (`inactive`) during a run means it lost its media.
 *
 * startServer keeps its router to itself and has no hook for it (the bench adds none to the server): the bench
 * finds the router the first time it publishes, plays or opens a pipe, by wrapping those public methods
 * (`SfuRouter.prototype.publish`, `play`, `openPipeIn`, `openPipeOut`) in this process only. The wrapper
 * subscribes to the router's events before the method runs, so the first transport or pipe is seen too;
 * nothing runs per packet.
 */

/** A pipe-out's counters, with the packets its stream's source on this node received, read together. */
export interface PipeOutRow {
  pipeID: string;
  streamKey: string;
  closed: boolean;
  open: boolean;
  packetsSent: number;
  bytesSent: number;
  retransmitted: number;
  nacksReceived: number;
  keyframeRequests: number;
  sourcePackets: number | null;
}

/** A pipe-in's counters. */
export interface PipeInRow {
  pipeID: string;
  streamKey: string;
  closed: boolean;
  state: string;
  players: number;
  packetsReceived: number;
  bytesReceived: number;
  distinctPackets: number;
  nacksSent: number;
}

/** Every pipe of a node so far. */
export interface NodePipes {
  outs: PipeOutRow[];
  ins: PipeInRow[];
}

/**
 * The parts of the SFU's router, its pipes and transports the watch reads. The server under test may be
 * another checkout's (PARLEY_BENCH_SERVER_ROOT), so these are declared here, as the bench uses them, rather
 * than taken from this checkout's types.
 */
interface WatchedPipe {
  closed: boolean;
  streamKey: string;
  stats(): Record<string, unknown>;
}
interface WatchedRouter {
  on(event: 'pipe', listener: (pipe: WatchedPipe) => void): unknown;
  on(event: 'transport', listener: (transport: WatchedTransport) => void): unknown;
  source(streamKey: string): { producerList: { stats(): { packets: number } }[] } | undefined;
}
interface WatchedTransport {
  once(event: 'close', listener: (reason: string) => void): unknown;
  /** `play` for a player's transport. */
  readonly direction?: string;
  /** A player's transport's consumers, whose counters include every packet sent to the player. */
  readonly consumerList?: readonly { stats(): { packets: number; bytes: number } }[];
}

/** The router class of the server under test: its prototype's methods are wrapped. */
export type RouterClass = { prototype: object } | undefined;

const num = (x: unknown): number => (typeof x === 'number' ? x : 0);
const str = (x: unknown): string => (typeof x === 'string' ? x : String(x));
const list = (x: unknown): Record<string, unknown>[] =>
  Array.isArray(x) ? x.filter((e): e is Record<string, unknown> => typeof e === 'object' && e !== null) : [];

/**
 * Starts watching every router of `SfuRouter` (the class of the server under test; a server from before media
 * pipes reports none). Returns `{ pipes(), transportCloses() }`.
 */
export function watchRouter(SfuRouter: RouterClass): {
  transportCloses(): Record<string, number>;
  pipes(): NodePipes;
  sentToPlayers(): { packets: number; bytes: number };
} {
  /** Every pipe end seen, closed ones included, so a window's counters can be told from a replaced pipe's. */
  const seen: { pipe: WatchedPipe; router: WatchedRouter; kind: 'in' | 'out' }[] = [];
  /** Transports closed so far, by reason (`inactive`, `failed`, `closed`, …). */
  const transportCloses: Record<string, number> = {};
  const routers = new Set<WatchedRouter>();
  /** Players' transports open now, and what the closed ones had sent. */
  const players = new Set<WatchedTransport>();
  const closedSent = { packets: 0, bytes: 0 };
  const sentBy = (transport: WatchedTransport): { packets: number; bytes: number } => {
    let packets = 0;
    let bytes = 0;
    for (const consumer of transport.consumerList ?? []) {
      const s = consumer.stats();
      packets += num(s.packets);
      bytes += num(s.bytes);
    }
    return { packets, bytes };
  };
  const watch = (router: WatchedRouter): void => {
    if (routers.has(router)) return;
    routers.add(router);
    router.on('pipe', (pipe) => {
      // A pipe-out counts packets sent, a pipe-in packets received: the two ends differ only in their stats.
      seen.push({ pipe, router, kind: 'packetsSent' in pipe.stats() ? 'out' : 'in' });
    });
    router.on('transport', (transport) => {
      if (transport.direction === 'play') players.add(transport);
      transport.once('close', (reason) => {
        if (players.delete(transport)) {
          // A closed transport's consumers keep their counters: what it sent stays counted.
          const sent = sentBy(transport);
          closedSent.packets += sent.packets;
          closedSent.bytes += sent.bytes;
        }
        transportCloses[reason] = (transportCloses[reason] ?? 0) + 1;
      });
    });
  };
  const prototype = SfuRouter?.prototype as Record<string, unknown> | undefined;
  for (const method of ['publish', 'play', 'openPipeIn', 'openPipeOut']) {
    const original = prototype?.[method];
    if (prototype === undefined || typeof original !== 'function') continue;
    prototype[method] = function watched(this: WatchedRouter, ...args: unknown[]): unknown {
      watch(this);
      return original.apply(this, args);
    };
  }
  return {
    /** Transports closed so far, by reason. */
    transportCloses: () => ({ ...transportCloses }),
    /**
     * RTP packets (and their payload bytes) sent to players so far, retransmissions excluded: the sum of the
     * players' consumers' own counters, which count each packet as it is handed to the sender — read when
     * asked, so counting costs nothing per packet.
     */
    sentToPlayers() {
      const sent = { ...closedSent };
      for (const transport of players) {
        const s = sentBy(transport);
        sent.packets += s.packets;
        sent.bytes += s.bytes;
      }
      return sent;
    },
    /**
     * `{ outs, ins }`: per pipe-out its counters and, read at the same moment, the packets the stream's
     * source on this node has received (`sourcePackets`: distinct packets, as its producers count them), so
     * the two can be compared exactly; per pipe-in its counters and its players on this node.
     */
    pipes() {
      const outs: PipeOutRow[] = [];
      const ins: PipeInRow[] = [];
      for (const { pipe, router, kind } of seen) {
        const s = pipe.stats();
        if (kind === 'out') {
          const source = router.source(pipe.streamKey);
          outs.push({
            pipeID: str(s['pipeID']),
            streamKey: str(s['streamKey']),
            closed: pipe.closed,
            open: s['open'] === true,
            packetsSent: num(s['packetsSent']),
            bytesSent: num(s['bytesSent']),
            retransmitted: num(s['retransmitted']),
            nacksReceived: num(s['nacksReceived']),
            keyframeRequests: num(s['keyframeRequests']),
            sourcePackets: source ? source.producerList.reduce((n, p) => n + p.stats().packets, 0) : null,
          });
        } else {
          const tracks = list(s['tracks']);
          ins.push({
            pipeID: str(s['pipeID']),
            streamKey: str(s['streamKey']),
            closed: pipe.closed,
            state: str(s['state']),
            players: num(s['players']),
            packetsReceived: num(s['packetsReceived']),
            bytesReceived: num(s['bytesReceived']),
            // Distinct packets, as the pipe's producers count them (repairs that duplicate are dropped).
            distinctPackets: tracks.reduce((n, t) => n + num(t['packets']), 0),
            nacksSent: tracks.reduce((n, t) => n + num(t['nackCount']), 0),
          });
        }
      }
      return { outs, ins };
    },
  };
}
