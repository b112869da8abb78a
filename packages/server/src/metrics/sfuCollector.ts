/**
 * The SFU's counters for `/metrics`, read at scrape time from the counters its transports and pipes already keep
 * (sfu/stats.ts): nothing is added to the forwarding path. A transport's counters go with it when it closes, so
 * the collector keeps the last values of every closed one in running totals; the totals only ever grow, as
 * Prometheus counters must.
 */
import {
  PipeIn,
  type PipeOut,
  PublisherTransport,
  type RtpStreamStats,
  type SfuRouter,
  SubscriberTransport,
} from '../sfu/index.js';

/** The SFU's counters, summed over every transport and pipe this node has had. */
export const SFU_FIELDS = [
  /** Media packets and payload bytes received from publishers (client) and from other nodes (pipe). */
  'packetsInClient',
  'bytesInClient',
  'packetsInPipe',
  'bytesInPipe',
  /** Packets and bytes forwarded to players (payload bytes) and to other nodes (datagram bytes). */
  'packetsOutClient',
  'bytesOutClient',
  'packetsOutPipe',
  'bytesOutPipe',
  /** Packets sent again on a NACK: to players, and to other nodes. */
  'retransmittedClient',
  'retransmittedPipe',
  /** NACK packets received from players and from other nodes. */
  'nacksReceivedClient',
  'nacksReceivedPipe',
  /** NACK packets and keyframe requests (PLI) sent towards the sources: publishers and origin nodes. */
  'nacksSent',
  'keyframeRequestsSent',
  /** Keyframe requests (PLI, FIR) received from players and from other nodes. */
  'keyframeRequestsReceivedClient',
  'keyframeRequestsReceivedPipe',
  /** Packets lost on the way in (sequence gaps not filled) and towards players (their receiver reports). */
  'packetsLostIn',
  'packetsLostOut',
] as const;

export type SfuField = (typeof SFU_FIELDS)[number];
export type SfuTotals = Record<SfuField, number>;

/** Open media transports and pipe ends, by kind. */
export interface SfuChildren {
  publish: number;
  play: number;
  pipeIn: number;
  pipeOut: number;
}

type Child = PublisherTransport | SubscriberTransport | PipeIn | PipeOut;

export function zeroTotals(): SfuTotals {
  return Object.fromEntries(SFU_FIELDS.map((f) => [f, 0])) as SfuTotals;
}

/**
 * Follows one router's transports and pipes and sums their counters on demand.
 * @example
 * const collector = new SfuCollector(router);
 * const totals = await collector.totals();
 */
export class SfuCollector {
  /** Open children (and closed ones whose final counters are still being read), with their last counters. */
  private readonly live = new Map<Child, SfuTotals>();
  /** Children that closed, so they no longer count as open. */
  private readonly closed = new Set<Child>();
  /** The sum of every retired child's final counters. */
  private readonly retired = zeroTotals();

  constructor(router: SfuRouter) {
    router.on('transport', (t) => this.follow(t));
    router.on('pipe', (p) => this.follow(p));
  }

  /** Open transports and pipe ends by kind (what `/healthz` sums as `mediaTransports`). */
  children(): SfuChildren {
    const n: SfuChildren = { publish: 0, play: 0, pipeIn: 0, pipeOut: 0 };
    for (const child of this.live.keys()) {
      if (this.closed.has(child)) continue;
      if (child instanceof PublisherTransport) n.publish += 1;
      else if (child instanceof SubscriberTransport) n.play += 1;
      else if (child instanceof PipeIn) n.pipeIn += 1;
      else n.pipeOut += 1;
    }
    return n;
  }

  /** The counters now: the retired totals plus every live child's current counters. */
  async totals(): Promise<SfuTotals> {
    const children = [...this.live.keys()];
    await Promise.all(children.map((c) => this.refresh(c)));
    const sum = { ...this.retired };
    for (const last of this.live.values()) add(sum, last);
    return sum;
  }

  private follow(child: Child): void {
    this.live.set(child, zeroTotals());
    // Each kind has its own events; all of them have 'close'.
    (child as { once(event: 'close', listener: () => void): unknown }).once('close', () => {
      this.closed.add(child);
      // The child stays among the live ones until its final counters are read, so no scrape sees a dip.
      void this.refresh(child)
        .catch(() => undefined)
        .then(() => {
          const last = this.live.get(child);
          if (last) add(this.retired, last);
          this.live.delete(child);
          this.closed.delete(child);
        });
    });
  }

  /**
   * Reads `child`'s counters and keeps, field by field, the larger of them and the last ones read: a counter
   * read from a receiver report can step back (a late packet fills a gap), and a closed transport no longer
   * knows its players' reports, but the totals must not shrink.
   */
  private async refresh(child: Child): Promise<void> {
    const now = await countersOf(child);
    const last = this.live.get(child);
    if (!last) return;
    for (const f of SFU_FIELDS) last[f] = Math.max(last[f], now[f]);
  }
}

/** One child's counters, in the fields it contributes to. */
async function countersOf(child: Child): Promise<SfuTotals> {
  const t = zeroTotals();
  if (child instanceof PublisherTransport) {
    for (const p of child.producerList) addIncoming(t, p.stats(), 'client');
  } else if (child instanceof SubscriberTransport) {
    // Through getStats: the loss towards the player is only known from its receiver reports.
    const stats = await child.getStats();
    for (const s of stats.streams) {
      t.packetsOutClient += s.packets;
      t.bytesOutClient += s.bytes;
      t.retransmittedClient += s.retransmitted;
      t.nacksReceivedClient += s.nackCount;
      t.keyframeRequestsReceivedClient += s.pliCount;
      t.packetsLostOut += s.packetsLost;
    }
  } else if (child instanceof PipeIn) {
    for (const s of child.stats().tracks) addIncoming(t, s, 'pipe');
  } else {
    const s = child.stats();
    t.packetsOutPipe += s.packetsSent;
    t.bytesOutPipe += s.bytesSent;
    t.retransmittedPipe += s.retransmitted;
    t.nacksReceivedPipe += s.nacksReceived;
    t.keyframeRequestsReceivedPipe += s.keyframeRequests;
  }
  return t;
}

function addIncoming(t: SfuTotals, s: RtpStreamStats, via: 'client' | 'pipe'): void {
  if (via === 'client') {
    t.packetsInClient += s.packets;
    t.bytesInClient += s.bytes;
  } else {
    t.packetsInPipe += s.packets;
    t.bytesInPipe += s.bytes;
  }
  t.nacksSent += s.nackCount;
  t.keyframeRequestsSent += s.pliCount;
  t.packetsLostIn += s.packetsLost;
}

function add(into: SfuTotals, more: SfuTotals): void {
  for (const f of SFU_FIELDS) into[f] += more[f];
}
