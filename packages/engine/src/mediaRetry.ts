/**
 * What publishers and players share about getting a media connection up and keeping it: waiting for it to
 * connect within a deadline, telling retryable failures from final ones, and the retry schedule.
 */
import { ErrorCode, ParleyError, type TypedEmitter } from '@parley/protocol';
import { guarded } from './guarded.js';
import type { EngineLogger } from './Logger.js';
import type { MediaConnectionEvents } from './MediaBackend.js';
import { ExponentialBackoffPolicy, nextRetryDelay, type ReconnectPolicy } from './ReconnectPolicy.js';

/** Timing of media connections. */
export interface MediaTiming {
  /** From sending the offer or answer to connected; past it the attempt fails (1103030 / 1104030). */
  connectTimeoutMs: number;
  /** When to retry a failed attempt, and when to give up (1103051 / 1104031). */
  retryPolicy: ReconnectPolicy;
}

export const DEFAULT_MEDIA_TIMING: MediaTiming = {
  connectTimeoutMs: 10_000,
  retryPolicy: new ExponentialBackoffPolicy({ initialDelayMs: 500, maxDelayMs: 4000, giveUpAfterMs: 30_000 }),
};

/**
 * Resolves when `conn` emits `connected`; rejects with `timeoutCode` after `timeoutMs`, or when it emits
 * `failed`, or when `abort` resolves first (then with 0: the caller stopped).
 */
export function whenConnected(
  conn: TypedEmitter<MediaConnectionEvents>,
  timeoutMs: number,
  timeoutCode: number,
  log: EngineLogger,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = (): void => {
      clearTimeout(timer);
      conn.off('connected', onConnected);
      conn.off('failed', onFailed);
    };
    const onConnected = (): void => {
      done();
      resolve();
    };
    const onFailed = (reason: string): void => {
      done();
      reject(ParleyError.of(timeoutCode, `media connection failed: ${reason}`));
    };
    const timedOut = ParleyError.of(timeoutCode, `media connection not up within ${timeoutMs} ms`);
    // Rejected even if detaching from a misbehaving connection throws: the attempt must not wait forever.
    const timer = setTimeout(
      guarded(
        log,
        'the media connect timeout',
        () => {
          done();
          reject(timedOut);
        },
        () => reject(timedOut),
      ),
      timeoutMs,
    );
    conn.on('connected', onConnected);
    conn.on('failed', onFailed);
  });
}

/** Codes after which trying again may succeed: transport trouble, a busy server, a stream not there yet. */
const RETRYABLE = new Set<number>([
  ErrorCode.NETWORK_TIMEOUT,
  ErrorCode.PUBLISH_NEGOTIATION_TIMEOUT,
  ErrorCode.PLAY_NEGOTIATION_FAILED,
  ErrorCode.PLAY_STREAM_NOT_FOUND,
  ErrorCode.MEDIA_SERVER_BUSY,
]);

export function isRetryable(code: number): boolean {
  return RETRYABLE.has(code);
}

/** A retry schedule for one publish or play: when the current outage began and how many attempts it had. */
export class RetrySchedule {
  private outageStartedAt: number | null = null;
  private retries = 0;

  constructor(
    private readonly policy: ReconnectPolicy,
    private readonly log: EngineLogger,
  ) {}

  /** The connection is up: the next failure starts a new outage with a full budget. */
  reset(): void {
    this.outageStartedAt = null;
    this.retries = 0;
  }

  /** The delay before the next attempt, or null when the budget is spent (or the policy failed: see nextRetryDelay). */
  nextDelay(): number | null {
    const now = Date.now();
    this.outageStartedAt ??= now;
    const delay = nextRetryDelay(
      this.policy,
      { retryCount: this.retries, elapsedMs: now - this.outageStartedAt },
      this.log,
      'the media retry policy',
    );
    this.retries += 1;
    return delay;
  }
}
