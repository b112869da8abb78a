/**
 * When to retry after the signaling socket dropped. Injected into the engine, so apps (and tests) choose
 * their own timing.
 */
import type { EngineLogger } from './Logger.js';

/** What the policy knows when it decides. */
export interface ReconnectContext {
  /** Attempts made so far in this outage (0 before the first). */
  retryCount: number;
  /** Milliseconds since the socket was lost. */
  elapsedMs: number;
}

/**
 * Decides the delay before the next reconnect attempt.
 * @example
 * const threeQuickTries: ReconnectPolicy = {
 *   nextRetryDelayInMs: ({ retryCount }) => (retryCount < 3 ? 100 : null),
 * };
 */
export interface ReconnectPolicy {
  /** Milliseconds to wait before the next attempt, or null to give up (rooms end as RECONNECT_FAILED). */
  nextRetryDelayInMs(context: ReconnectContext): number | null;
}

export interface BackoffOptions {
  /** Delay of the second attempt; the first is immediate. Default 300 ms. */
  initialDelayMs?: number;
  /** Largest delay. Default 5,000 ms. */
  maxDelayMs?: number;
  /** Give up once this long has passed since the socket was lost. Default 60,000 ms. */
  giveUpAfterMs?: number;
}

/**
 * The default policy: retry at once, then after 300, 600, 1200… ms, capped at 5 s; give up after 60 s.
 * @example
 * new ZegoExpressEngine(appID, server, { reconnectPolicy: new ExponentialBackoffPolicy({ giveUpAfterMs: 30_000 }) });
 */
export class ExponentialBackoffPolicy implements ReconnectPolicy {
  private readonly initialDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly giveUpAfterMs: number;

  constructor(options: BackoffOptions = {}) {
    this.initialDelayMs = options.initialDelayMs ?? 300;
    this.maxDelayMs = options.maxDelayMs ?? 5000;
    this.giveUpAfterMs = options.giveUpAfterMs ?? 60_000;
    for (const [name, v] of Object.entries({
      initialDelayMs: this.initialDelayMs,
      maxDelayMs: this.maxDelayMs,
      giveUpAfterMs: this.giveUpAfterMs,
    })) {
      if (typeof v !== 'number' || !(v >= 0)) throw new TypeError(`${name} must be a number >= 0`);
    }
  }

  nextRetryDelayInMs({ retryCount, elapsedMs }: ReconnectContext): number | null {
    if (elapsedMs >= this.giveUpAfterMs) return null;
    if (retryCount <= 0) return 0;
    // 2 ** 30 already exceeds any sane cap; clamping the exponent keeps the arithmetic finite.
    const delay = this.initialDelayMs * 2 ** Math.min(retryCount - 1, 30);
    const remaining = this.giveUpAfterMs - elapsedMs;
    return Math.min(delay, this.maxDelayMs, remaining);
  }
}

/**
 * Asks `policy` for the next delay on behalf of the engine. The policy is the app's code, run from the engine's
 * timers and failure handlers: a policy that throws, or answers something other than null or a finite number,
 * gives up (logged as an error), the documented outcome of a policy that returns null. A negative delay is 0.
 * @example
 * const delay = nextRetryDelay(policy, { retryCount, elapsedMs }, log, 'the reconnect policy');
 */
export function nextRetryDelay(
  policy: ReconnectPolicy,
  context: ReconnectContext,
  log: EngineLogger,
  what: string,
): number | null {
  let delay: unknown;
  try {
    delay = policy.nextRetryDelayInMs(context);
  } catch (err) {
    log.error(`${what} threw; giving up`, { err: err instanceof Error ? err.message : String(err) });
    return null;
  }
  if (delay === null) return null;
  if (typeof delay !== 'number' || !Number.isFinite(delay)) {
    log.error(`${what} answered neither null nor a finite number; giving up`, { delay: String(delay) });
    return null;
  }
  return Math.max(0, delay);
}
