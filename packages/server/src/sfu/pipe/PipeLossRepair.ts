/**
 * Repair of packets lost on a pipe, at the remote node: a gap in a track's sequence numbers is NACKed to the
 * origin at once, and again every `retryMs` while the packets stay missing, up to `maxTries` times; the
 * origin answers from its producer's retransmission buffer. Every kind is repaired, audio too: a loss on the
 * pipe is a loss for every player of the remote node, which none of them can repair (WebRTC players NACK
 * video only, and only the hop they see), and on a link between nodes a repair comes back within the
 * players' jitter buffers. A packet that arrives twice (a late original and its repair) is dropped by the
 * remote producer, which knows what it already has.
 */
import { seqAdd, seqDiff } from '@parley/rtp';

/** Tuning of a {@link PipeLossRepair}. */
export interface PipeLossRepairOptions {
  /** Time between two NACKs of the same packet. */
  retryMs: number;
  /** NACKs per lost packet, at most. */
  maxTries: number;
  /** A jump forward wider than this is a new numbering (a sender reset), not a loss. */
  maxGap: number;
}

const DEFAULTS: PipeLossRepairOptions = { retryMs: 50, maxTries: 4, maxGap: 512 };

/**
 * One track's loss repair.
 * @example
 * const repair = new PipeLossRepair((ssrc, lost) => endpoint.sendRtcp(nack(endpoint.ssrc, ssrc, lost)));
 * repair.received(packet.header.ssrc, packet.header.sequenceNumber);
 */
export class PipeLossRepair {
  private readonly options: PipeLossRepairOptions;
  private ssrc: number | null = null;
  private highest = 0;
  /** Missing sequence numbers: how often NACKed so far, and when last. */
  private readonly missing = new Map<number, { tries: number; at: number }>();
  private timer: NodeJS.Timeout | null = null;
  private closed = false;

  constructor(
    private readonly sendNack: (ssrc: number, lost: number[]) => void,
    options: Partial<PipeLossRepairOptions> = {},
  ) {
    this.options = { ...DEFAULTS, ...options };
  }

  /** Packets currently missing (NACKed, not yet arrived). */
  get missingCount(): number {
    return this.missing.size;
  }

  /** Notes the arrival of packet `seq` of stream `ssrc`, and NACKs the gap it reveals. */
  received(ssrc: number, seq: number): void {
    if (this.closed) return;
    if (ssrc !== this.ssrc) {
      // A new stream (first packet, or the origin's publisher restarted): nothing of the old one is wanted.
      this.ssrc = ssrc;
      this.highest = seq;
      this.forget();
      return;
    }
    const d = seqDiff(seq, this.highest);
    if (d <= 0) {
      this.missing.delete(seq); // a repair, or a late packet
      return;
    }
    const gap = d - 1;
    this.highest = seq;
    if (gap === 0) return;
    if (gap > this.options.maxGap) {
      this.forget();
      return;
    }
    const now = performance.now();
    const lost: number[] = [];
    for (let i = 1; i <= gap; i++) {
      const q = seqAdd(seq, -i);
      lost.unshift(q);
      this.missing.set(q, { tries: 1, at: now });
    }
    this.sendNack(ssrc, lost);
    this.schedule();
  }

  /** Stops retrying. */
  close(): void {
    this.closed = true;
    this.forget();
  }

  private forget(): void {
    this.missing.clear();
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private schedule(): void {
    if (this.timer || this.missing.size === 0) return;
    this.timer = setTimeout(() => this.retry(), this.options.retryMs);
    this.timer.unref();
  }

  /** NACKs again what is still missing and due; gives up on what was asked for `maxTries` times. */
  private retry(): void {
    this.timer = null;
    if (this.closed || this.ssrc === null) return;
    const now = performance.now();
    const lost: number[] = [];
    for (const [seq, entry] of this.missing) {
      if (now - entry.at < this.options.retryMs) continue;
      if (entry.tries >= this.options.maxTries) {
        this.missing.delete(seq);
        continue;
      }
      entry.tries += 1;
      entry.at = now;
      lost.push(seq);
    }
    // Map order is insertion order; a NACK wants its sequence numbers in order from the oldest.
    lost.sort((a, b) => seqDiff(a, this.highest) - seqDiff(b, this.highest));
    if (lost.length > 0) this.sendNack(this.ssrc, lost);
    this.schedule();
  }
}
