/**
 * One reconnection run: after the socket dropped, attempts to resume the session on a new socket, timed by
 * the {@link ReconnectPolicy}, until an attempt succeeds, the server refuses the session (1002053), the policy
 * gives up, or the run is cancelled.
 */
import { ErrorCode, ParleyError } from '@parley/protocol';
import { guarded } from './guarded.js';
import type { EngineLogger } from './Logger.js';
import { nextRetryDelay, type ReconnectPolicy } from './ReconnectPolicy.js';

const FINAL_CODES = new Set<number>([
  ErrorCode.RECONNECT_FAILED,
  ErrorCode.KICKED_REPEAT_LOGIN,
  ErrorCode.KICKED_BY_SERVER,
]);

/**
 * Runs `attempt` until it succeeds. `done` resolves with its result, or rejects with a ParleyError 1002053.
 * @example
 * const run = new Reconnector(policy, () => resumeOnNewSocket(), logger);
 * run.done.then(onReconnected, onReconnectFailed);
 */
export class Reconnector<T> {
  readonly done: Promise<T>;
  private cancelled = false;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private wake: (() => void) | null = null;
  private readonly startedAt = Date.now();

  constructor(
    private readonly policy: ReconnectPolicy,
    private readonly attempt: () => Promise<T>,
    private readonly log: EngineLogger,
  ) {
    this.done = this.run();
  }

  get isCancelled(): boolean {
    return this.cancelled;
  }

  /** Stops the run; `done` rejects with 1002053. */
  cancel(): void {
    this.cancelled = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.wake?.();
  }

  private async run(): Promise<T> {
    for (let retryCount = 0; ; retryCount++) {
      const elapsedMs = Date.now() - this.startedAt;
      const delay = nextRetryDelay(this.policy, { retryCount, elapsedMs }, this.log, 'the reconnect policy');
      if (delay === null || this.cancelled) {
        throw ParleyError.of(
          ErrorCode.RECONNECT_FAILED,
          this.cancelled ? 'cancelled' : `gave up after ${retryCount} attempts`,
        );
      }
      await this.sleep(delay);
      if (this.cancelled) throw ParleyError.of(ErrorCode.RECONNECT_FAILED, 'cancelled');
      try {
        return await this.attempt();
      } catch (err) {
        // The server's final answers: the session is gone, or was kicked out while we were away.
        if (err instanceof ParleyError && FINAL_CODES.has(err.code)) throw err;
        this.log.info('reconnect attempt failed', { retryCount, err: String(err) });
      }
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      this.wake = () => {
        this.wake = null;
        resolve();
      };
      // Waking the run is all the timer does; guarded all the same, as every timer of the engine is.
      this.timer = setTimeout(
        guarded(this.log, 'the reconnect back-off timer', () => {
          this.timer = null;
          this.wake?.();
        }),
        ms,
      );
    });
  }
}
