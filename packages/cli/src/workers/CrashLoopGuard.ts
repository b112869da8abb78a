/**
 * When a worker that died is started again: at once after a long healthy run, with a growing delay after each
 * death soon after its start, and not at all once it has died soon after its start too many times in a row —
 * then something is wrong that another start will not fix (a bad setting, a port taken, Redis unreachable),
 * and the primary says so instead of spinning.
 */

/** The policy's numbers. */
export interface CrashLoopOptions {
  /** A worker that ran at least this long before it died had a healthy run; its death is not counted. */
  minUptimeMs: number;
  /** Deaths soon after the start, in a row, after which the worker is given up. */
  maxQuickDeaths: number;
  /** The delay after the first death soon after the start; it doubles with each further one. */
  firstDelayMs: number;
  /** The longest delay. */
  maxDelayMs: number;
}

export const CRASH_LOOP_DEFAULTS: CrashLoopOptions = {
  minUptimeMs: 10_000,
  maxQuickDeaths: 5,
  firstDelayMs: 250,
  maxDelayMs: 8_000,
};

/** The crash-loop guard of a set of workers, each by its index. */
export class CrashLoopGuard {
  private readonly options: CrashLoopOptions;
  private readonly quickDeaths = new Map<number, number>();

  constructor(options: Partial<CrashLoopOptions> = {}) {
    this.options = { ...CRASH_LOOP_DEFAULTS, ...options };
  }

  /**
   * Records the death of worker `index`.
   * @param uptimeMs how long it had been ready, or null if it died before it was ready.
   * @returns the delay before it is started again, or null to give it up.
   */
  died(index: number, uptimeMs: number | null): number | null {
    const { minUptimeMs, maxQuickDeaths, firstDelayMs, maxDelayMs } = this.options;
    if (uptimeMs !== null && uptimeMs >= minUptimeMs) {
      this.quickDeaths.delete(index);
      return 0;
    }
    const count = (this.quickDeaths.get(index) ?? 0) + 1;
    this.quickDeaths.set(index, count);
    if (count > maxQuickDeaths) return null;
    return Math.min(maxDelayMs, firstDelayMs * 2 ** (count - 1));
  }

  /** Deaths of worker `index` soon after its start, in a row. */
  quickDeathsOf(index: number): number {
    return this.quickDeaths.get(index) ?? 0;
  }

  /** The most quick deaths in a row the policy allows, for messages. */
  get limit(): number {
    return this.options.maxQuickDeaths;
  }

  /** The uptime below which a death counts, for messages. */
  get minUptimeMs(): number {
    return this.options.minUptimeMs;
  }
}
