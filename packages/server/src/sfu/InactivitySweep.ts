/**
 * The inactivity deadline of every connected transport of a router, checked by one timer.
 *
 * An ICE-lite agent sends no checks of its own, so a peer that vanished without a DTLS close is noticed only
 * by its silence: no STUN consent check, RTP or RTCP for `inactivityMs`. Each transport used to check that
 * with an interval of its own (every `inactivityMs / 4`). Those timers started at different moments, so they
 * fired at different moments, each waking the event loop on its own: about 53 wake-ups a second at rest with
 * 200 players. A lone wake-up of an otherwise idle Node process costs this machine 100–450 µs of CPU, where
 * the same work run hot costs under 20 µs (a STUN answer timed both ways, 2026-12-06), so those checks were a
 * fair part of what a node spends with its players connected and no media flowing. One sweep at the same
 * period finds the same transports silent (within `inactivityMs` + one period, as before) with one wake-up.
 */

/** What the sweep needs of a transport. */
export interface Watched {
  /** performance.now() of the peer's last STUN check, RTP or RTCP. */
  lastActivity(): number;
  /** The deadline passed: close the transport (it unwatches itself). */
  expire(): void;
}

export class InactivitySweep {
  private readonly watched = new Set<Watched>();
  private timer: NodeJS.Timeout | null = null;
  private readonly periodMs: number;

  constructor(private readonly inactivityMs: number) {
    this.periodMs = Math.max(50, Math.floor(inactivityMs / 4));
  }

  /** Starts watching `entry` (a transport that just connected). */
  watch(entry: Watched): void {
    this.watched.add(entry);
    if (this.timer === null) {
      this.timer = setInterval(() => this.sweep(), this.periodMs);
      this.timer.unref();
    }
  }

  /** Stops watching `entry` (it closed). */
  unwatch(entry: Watched): void {
    this.watched.delete(entry);
    if (this.watched.size === 0) this.stopTimer();
  }

  /** Expires every entry silent for longer than the deadline. @internal (the timer calls it; tests may) */
  sweep(now = performance.now()): void {
    const expired: Watched[] = [];
    for (const entry of this.watched) {
      if (now - entry.lastActivity() > this.inactivityMs) expired.push(entry);
    }
    for (const entry of expired) {
      this.unwatch(entry);
      try {
        entry.expire();
      } catch {
        // One transport failing to close must not stop the sweep (or, from a timer, the process).
      }
    }
  }

  /** Transports being watched. */
  get size(): number {
    return this.watched.size;
  }

  close(): void {
    this.watched.clear();
    this.stopTimer();
  }

  private stopTimer(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }
}
