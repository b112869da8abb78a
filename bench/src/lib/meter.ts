/**
 * Counts what the receivers of a fan-out benchmark get during a measuring window: the distinct packets of each
 * source (duplicates and retransmitted copies count once; packets sent before or after the window are
 * ignored), and for each the latency receive time − send time. The send time is when the sender handed the
 * packet to the socket, which its track remembers by the number in the payload's tag (SyntheticTrack.sentAt),
 * or else the time written in the tag. Loss is what was sent in the window and never arrived at a receiver
 * that should have got it.
 */

import { arrivals } from './arrivals.js';
import { SampleBuffer } from './stats.js';
import { readTag, type SyntheticTrack } from './synthRtp.js';

/** A measuring window: per source, its first and (once closed) last number, and what arrived. */
interface MeterWindow {
  first: Map<number, number>;
  last: Map<number, number> | null;
  received: number;
  sources: Map<number, WindowSource>;
}

/** A receiver's state for one source. */
interface ReceiverSource {
  window: MeterWindow | null;
  first: number;
  source: WindowSource | null;
  bits: Uint32Array;
}

/** One receiver of a Meter: records what it gets. */
export interface MeterReceiver {
  /** Sources this receiver has had at least one packet of, ever (to know media flows). */
  flowing: Set<number>;
  record(payload: Buffer, at?: number): void;
  recordTag(sourceId: number, number: number, sentAt: number, at: number): void;
}

/** A window's totals ({@link Meter.totals}). */
export interface MeterTotals {
  sent: number;
  expected: number;
  received: number;
  latencies: Float64Array;
  preparation: number[];
  firstArrival: number[];
  betweenArrivals: number[];
}

export class Meter {
  /** Per source id: the receivers that should get it (their count). */
  private readonly audience = new Map<number, number>();
  private window: MeterWindow | null = null;
  private readonly samples = new SampleBuffer(1 << 16);

  /**
   * A new receiver, counting its distinct packets per source. `record(payload, at)` takes a payload with a
   * tag; `recordTag(sourceId, number, sentAt, at)` the tag's fields, already read (the light receivers).
   */
  receiver(): MeterReceiver {
    // The receivers' hot path reads the meter's state directly, as one closure.
    const meter = this;
    /** Per source: the window it was last reset for, the window's first number, and a bit per number seen. */
    const sources = new Map<number, ReceiverSource>();
    let lastSourceId = -1;
    let last: ReceiverSource | undefined;
    const r: MeterReceiver = {
      flowing: new Set(),
      record(payload, at = performance.now()) {
        const tag = readTag(payload);
        if (tag !== null) r.recordTag(tag.sourceId, tag.number, tag.sentAt, at);
      },
      recordTag(sourceId, number, sentAt, at) {
        let s = sourceId === lastSourceId ? last : sources.get(sourceId);
        if (s === undefined) {
          // Not a source of this run (a garbled tag) unless some track declared it.
          if (!meter.audience.has(sourceId)) return;
          s = { window: null, first: 0, source: null, bits: new Uint32Array(64) };
          sources.set(sourceId, s);
          r.flowing.add(sourceId);
        }
        lastSourceId = sourceId;
        last = s;
        const w = meter.window;
        if (w === null) return;
        if (s.window !== w) {
          s.window = w;
          s.first = w.first.get(sourceId) ?? 0;
          s.source = w.sources.get(sourceId) ?? null;
          s.bits.fill(0);
        }
        const i = number - s.first;
        if (s.first === 0 || i < 0) return;
        if (w.last !== null && number > (w.last.get(sourceId) ?? 0)) return;
        const word = i >>> 5;
        if (word >= s.bits.length) {
          const grown = new Uint32Array(Math.max(word + 1, s.bits.length * 2));
          grown.set(s.bits);
          s.bits = grown;
        }
        const bit = 1 << (i & 31);
        if ((s.bits[word] & bit) !== 0) return;
        s.bits[word] |= bit;
        w.received += 1;
        const source = s.source;
        if (source === null) return;
        const sent = source.track.sentAt(number) ?? sentAt;
        meter.samples.push(at - sent);
        source.arrive(i, sent, at);
      },
    };
    return r;
  }

  /** Declares that `count` more receivers should get source `sourceId`. */
  expect(sourceId: number, count = 1): void {
    this.audience.set(sourceId, (this.audience.get(sourceId) ?? 0) + count);
  }

  /** Opens a window: from now on, packets after each track's current number count. */
  begin(tracks: readonly SyntheticTrack[]): void {
    this.samples.clear();
    this.window = {
      first: new Map(tracks.map((t) => [t.sourceId, t.number + 1])),
      last: null,
      received: 0,
      sources: new Map(tracks.map((t) => [t.sourceId, new WindowSource(t)])),
    };
  }

  /** Closes the window's sending side: packets numbered after each track's current number are ignored. */
  end(tracks: readonly SyntheticTrack[]): void {
    if (this.window === null) throw new Error('no window is open');
    this.window.last = new Map(tracks.map((t) => [t.sourceId, t.number]));
  }

  /**
   * The window's totals: packets sent (per receiver that should get them), received, the latencies; per
   * packet sent, the time from its tag to its hand-off to the socket (the bench's, left out of the latency);
   * and per packet that reached two receivers or more, the time to its first arrival (`firstArrival`: the
   * path through the forwarder to the first receiver) and the mean time between its arrivals
   * (`betweenArrivals`: what each further receiver of a burst adds, the forwarder's cost per send unless the
   * receiving bench is slower).
   */
  totals(): MeterTotals {
    // Packets read and not yet handled count too (lib/arrivals.ts).
    arrivals.flush();
    const w = this.window;
    if (w === null) throw new Error('no window is open');
    let expected = 0;
    let sent = 0;
    const preparation: number[] = [];
    const firstArrival: number[] = [];
    const betweenArrivals: number[] = [];
    for (const [sourceId, first] of w.first) {
      const last = w.last?.get(sourceId) ?? first - 1;
      const n = last - first + 1;
      sent += n;
      expected += n * (this.audience.get(sourceId) ?? 0);
      const source = w.sources.get(sourceId);
      if (source === undefined) continue;
      for (let number = first; number <= last; number++) {
        const ms = source.track.preparationMs(number);
        if (ms !== null) preparation.push(ms);
      }
      for (let i = 0; i < Math.min(n, source.count.length); i++) {
        const count = source.count[i];
        if (count < 2) continue;
        firstArrival.push(source.firstAt[i] - source.sentAt[i]);
        betweenArrivals.push((source.lastAt[i] - source.firstAt[i]) / (count - 1));
      }
    }
    return {
      sent,
      expected,
      received: w.received,
      latencies: this.samples.values(),
      preparation,
      firstArrival,
      betweenArrivals,
    };
  }
}

/**
 * One source's packets in a window, by index from the window's first number: when each was sent, its first
 * and last arrival over all receivers, and at how many receivers (typed arrays, grown as needed: nothing is
 * allocated per packet on the receivers' path).
 */
class WindowSource {
  readonly track: SyntheticTrack;
  sentAt: Float64Array;
  firstAt: Float64Array;
  lastAt: Float64Array;
  count: Uint32Array;

  constructor(track: SyntheticTrack) {
    this.track = track;
    this.sentAt = new Float64Array(256);
    this.firstAt = new Float64Array(256);
    this.lastAt = new Float64Array(256);
    this.count = new Uint32Array(256);
  }

  /** Packet `i` of the window, sent at `sent`, arrived at one more receiver at `at`. */
  arrive(i: number, sent: number, at: number): void {
    if (i >= this.count.length) this.grow(i + 1);
    if (this.count[i] === 0) {
      this.sentAt[i] = sent;
      this.firstAt[i] = at;
      this.lastAt[i] = at;
    } else if (at < this.firstAt[i]) this.firstAt[i] = at;
    else if (at > this.lastAt[i]) this.lastAt[i] = at;
    this.count[i] += 1;
  }

  private grow(length: number): void {
    const size = Math.max(length, this.count.length * 2);
    for (const name of ['sentAt', 'firstAt', 'lastAt'] as const) {
      const grown = new Float64Array(size);
      grown.set(this[name]);
      this[name] = grown;
    }
    const count = new Uint32Array(size);
    count.set(this.count);
    this.count = count;
  }
}
