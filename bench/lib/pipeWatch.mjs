/**
 * The media pipes of a cluster node, seen from inside its server process (lib/serverMain.mjs), for the
 * cluster-fanout benchmark: every pipe-out (this node is a stream's origin and sends one copy of each packet
 * to another node) and every pipe-in (this node plays a stream of another node through a pipe) the SFU router
 * opens, through the router's own `pipe` event, and their `stats()` counters.
 *
 * startServer keeps its router to itself and has no hook for it (the bench adds none to the server): the bench
 * finds the router the first time it opens a pipe, by wrapping the two public methods that do
 * (`SfuRouter.prototype.openPipeIn` / `openPipeOut`) in this process only. The wrapper subscribes to the
 * router's `pipe` event before the method runs, so the first pipe is seen too; nothing runs per packet.
 */

/**
 * Starts watching the pipes of every router of `SfuRouter` (the class of the server under test; absent in a
 * server from before media pipes, which then reports none). Returns `{ stats() }`.
 */
export function watchPipes(SfuRouter) {
  /** Every pipe end seen, closed ones included, so a window's counters can be told from a replaced pipe's. */
  const seen = [];
  const routers = new Set();
  const watch = (router) => {
    if (routers.has(router)) return;
    routers.add(router);
    router.on('pipe', (pipe) => {
      // A pipe-out counts packets sent, a pipe-in packets received: the two ends differ only in their stats.
      seen.push({ pipe, router, kind: 'packetsSent' in pipe.stats() ? 'out' : 'in' });
    });
  };
  for (const method of ['openPipeIn', 'openPipeOut']) {
    const original = SfuRouter?.prototype?.[method];
    if (typeof original !== 'function') continue;
    SfuRouter.prototype[method] = function watched(...args) {
      watch(this);
      return original.apply(this, args);
    };
  }
  return {
    /**
     * `{ outs, ins }`: per pipe-out its counters and, read at the same moment, the packets the stream's
     * source on this node has received (`sourcePackets`: distinct packets, as its producers count them), so
     * the two can be compared exactly; per pipe-in its counters and its players on this node.
     */
    stats() {
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
