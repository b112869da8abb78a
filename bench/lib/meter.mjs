/**
 * Counts what the receivers of a fan-out benchmark get during a measuring window: the distinct packets of each
 * source (duplicates and retransmitted copies count once; packets sent before or after the window are
 * ignored), and for each the latency receive time − send time, read from the tag the sender wrote in the
 * payload. Loss is what was sent in the window and never arrived at a receiver that should have got it.
 */

import { SampleBuffer } from './stats.mjs';
import { readTag } from './synthRtp.mjs';

export class Meter {
  constructor() {
    /** Per source id: the receivers that should get it (their count), and whether anyone got any packet. */
    this.audience = new Map();
    this.window = null;
    this.samples = new SampleBuffer(1 << 16);
  }

  /** A new receiver, counting its distinct packets per source. `record(payload, at)` is its input. */
  receiver() {
    const meter = this;
    const r = {
      /** Sources this receiver has had at least one packet of, ever (to know media flows). */
      flowing: new Set(),
      /** Per source: the packet numbers seen in the current window. */
      seen: new Map(),
      record(payload, at = performance.now()) {
        const tag = readTag(payload);
        if (tag === null) return;
        r.flowing.add(tag.sourceId);
        const w = meter.window;
        if (w === null) return;
        const first = w.first.get(tag.sourceId);
        if (first === undefined || tag.number < first) return;
        const last = w.last?.get(tag.sourceId);
        if (last !== undefined && tag.number > last) return;
        let got = r.seen.get(tag.sourceId);
        if (got === undefined) {
          got = new Set();
          r.seen.set(tag.sourceId, got);
        }
        if (got.has(tag.number)) return;
        got.add(tag.number);
        w.received += 1;
        meter.samples.push(at - tag.sentAt);
      },
    };
    return r;
  }

  /** Declares that `count` more receivers should get source `sourceId`. */
  expect(sourceId, count = 1) {
    this.audience.set(sourceId, (this.audience.get(sourceId) ?? 0) + count);
  }

  /** Opens a window: from now on, packets after each track's current number count. */
  begin(tracks, receivers) {
    for (const r of receivers) r.seen.clear();
    this.samples.clear();
    this.window = { first: new Map(tracks.map((t) => [t.sourceId, t.number + 1])), last: null, received: 0 };
  }

  /** Closes the window's sending side: packets numbered after each track's current number are ignored. */
  end(tracks) {
    this.window.last = new Map(tracks.map((t) => [t.sourceId, t.number]));
  }

  /** The window's totals: packets sent (per receiver that should get them), received, and the latencies. */
  totals() {
    const w = this.window;
    let expected = 0;
    let sent = 0;
    for (const [sourceId, first] of w.first) {
      const n = (w.last?.get(sourceId) ?? first - 1) - first + 1;
      sent += n;
      expected += n * (this.audience.get(sourceId) ?? 0);
    }
    return { sent, expected, received: w.received, latencies: this.samples.values() };
  }
}
