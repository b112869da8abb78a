/**
 * The bench's players read a packet's arrival time at once and handle the packet (its tag's decryption, the
 * meter, a light receiver's statistics and NACKs) once the burst it came in has passed: one queue per bench
 * process, emptied when no packet has arrived for {@link QUIET_MS}, or when its oldest packet has waited
 * {@link MAX_WAIT_MS} (continuous load), or before the meter adds up a window.
 *
 * Why: a forwarder sends one packet to N players one after another, and the bench, on one core, reads them
 * one after another. When handling each took the bench longer than the forwarder's send, the arrivals measured
 * the bench: traced on this machine (2026-12-06, 200 audio players, `perf` on the `sendmsg` and `recvmsg`
 * system calls), the baseline relay sent one every 9.9 µs and the bench read one every 12.9–13.4 µs; Parley
 * sent one every 12.1–12.5 µs and the bench read one every 16.6–16.8 µs. Reading a packet and noting the time
 * costs the bench less than either forwarder's send, so the time between arrivals, and the latency, is the
 * forwarder's. The work is the same, done later: both sides' players go through this queue alike.
 */

/** What handles a packet later, with the time it was read. */
export type ArrivalHandler = (packet: Buffer, at: number) => void;

/** A packet handled this long after the last arrival: the burst has passed. */
export const QUIET_MS = 0.5;
/** No packet waits longer than this (a load that leaves no quiet moment). */
export const MAX_WAIT_MS = 20;
/** No more packets than this wait. */
export const MAX_WAITING = 8192;

/** Packets read and not yet handled, in the order they were read. */
export class ArrivalQueue {
  private readonly handlers: (ArrivalHandler | null)[] = [];
  private readonly packets: (Buffer | null)[] = [];
  private readonly times = new Float64Array(MAX_WAITING);
  private length = 0;
  private timer: NodeJS.Timeout | null = null;
  private readonly quietMs: number;
  private readonly maxWaitMs: number;

  constructor({
    quietMs = QUIET_MS,
    maxWaitMs = MAX_WAIT_MS,
  }: { quietMs?: number; maxWaitMs?: number } = {}) {
    this.quietMs = quietMs;
    this.maxWaitMs = maxWaitMs;
  }

  /** Packets waiting. */
  get waiting(): number {
    return this.length;
  }

  /** Queues `packet`, read at `at`, for `handler`. */
  push(handler: ArrivalHandler, packet: Buffer, at: number): void {
    if (this.length === MAX_WAITING) this.flush();
    const i = this.length++;
    this.handlers[i] = handler;
    this.packets[i] = packet;
    this.times[i] = at;
    if (this.timer === null) this.arm();
  }

  /** Handles every waiting packet now, in the order read. A handler only handles: it reads no packet. */
  flush(): void {
    const n = this.length;
    this.length = 0;
    for (let i = 0; i < n; i++) {
      const handler = this.handlers[i]!;
      const packet = this.packets[i]!;
      this.handlers[i] = null;
      this.packets[i] = null;
      handler(packet, this.times[i]!);
    }
    if (this.timer !== null) {
      clearTimeout(this.timer);
      this.timer = null;
    }
  }

  private arm(): void {
    this.timer = setTimeout(this.check, 1);
    this.timer.unref();
  }

  private readonly check = (): void => {
    this.timer = null;
    if (this.length === 0) return;
    const now = performance.now();
    if (now - this.times[this.length - 1]! >= this.quietMs || now - this.times[0]! >= this.maxWaitMs)
      this.flush();
    if (this.length > 0 && this.timer === null) this.arm();
  };
}

/** The bench process's queue. */
export const arrivals = new ArrivalQueue();
