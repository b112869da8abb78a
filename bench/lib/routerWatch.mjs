/**
 * The SFU router of a server process (lib/serverMain.mjs), seen from inside it, for the cluster-fanout
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

/**
 * Starts watching every router of `SfuRouter` (the class of the server under test; a server from before media
 * pipes reports none). Returns `{ stats() }`.
 */
export function watchRouter(SfuRouter) {
  /** Every pipe end seen, closed ones included, so a window's counters can be told from a replaced pipe's. */
  const seen = [];
  /** Transports closed so far, by reason (`inactive`, `failed`, `closed`, …). */
  const transportCloses = {};
  const routers = new Set();
  const watch = (router) => {
    if (routers.has(router)) return;
    routers.add(router);
    router.on('pipe', (pipe) => {
      // A pipe-out counts packets sent, a pipe-in packets received: the two ends differ only in their stats.
      seen.push({ pipe, router, kind: 'packetsSent' in pipe.stats() ? 'out' : 'in' });
    });
    router.on('transport', (transport) => {
      transport.once('close', (reason) => {
        transportCloses[reason] = (transportCloses[reason] ?? 0) + 1;
      });
    });
  };
  for (const method of ['publish', 'play', 'openPipeIn', 'openPipeOut']) {
    const original = SfuRouter?.prototype?.[method];
    if (typeof original !== 'function') continue;
    SfuRouter.prototype[method] = function watched(...args) {
      watch(this);
      return original.apply(this, args);
    };
  }
  return {
    /** Transports closed so far, by reason. */
    transportCloses: () => ({ ...transportCloses }),
    /**
     * `{ outs, ins }`: per pipe-out its counters and, read at the same moment, the packets the stream's
     * source on this node has received (`sourcePackets`: distinct packets, as its producers count them), so
     * the two can be compared exactly; per pipe-in its counters and its players on this node.
     */
    pipes() {
      const outs = [];
      const ins = [];
      for (const { pipe, router, kind } of seen) {
        const s = pipe.stats();
        if (kind === 'out') {
          const source = router.source(pipe.streamKey);
          outs.push({
            pipeID: s.pipeID,
            streamKey: s.streamKey,
            closed: pipe.closed,
            open: s.open,
            packetsSent: s.packetsSent,
            bytesSent: s.bytesSent,
            retransmitted: s.retransmitted,
            nacksReceived: s.nacksReceived,
            keyframeRequests: s.keyframeRequests,
            sourcePackets: source ? source.producerList.reduce((n, p) => n + p.stats().packets, 0) : null,
          });
        } else {
          ins.push({
            pipeID: s.pipeID,
            streamKey: s.streamKey,
            closed: pipe.closed,
            state: s.state,
            players: s.players,
            packetsReceived: s.packetsReceived,
            bytesReceived: s.bytesReceived,
            // Distinct packets, as the pipe's producers count them (repairs that duplicate are dropped).
            distinctPackets: s.tracks.reduce((n, t) => n + t.packets, 0),
            nacksSent: s.tracks.reduce((n, t) => n + t.nackCount, 0),
          });
        }
      }
      return { outs, ins };
    },
  };
}
