/**
 * The private Redis kept running for as long as the workers run: when it dies it is started again on the same
 * socket, so the workers' Redis clients find it at the same address, guarded against crash loops as the
 * workers are. The nodes rebuild the shared state themselves once it is back.
 */
import { CliError } from '../errors.js';
import { CrashLoopGuard } from './CrashLoopGuard.js';
import { PrivateRedis, type PrivateRedisOptions } from './PrivateRedis.js';

export class KeptRedis {
  private restart: NodeJS.Timeout | null = null;
  /** A start after a death, while it runs. */
  private starting: Promise<void> | null = null;
  private closed = false;
  private giveUp!: (error: CliError) => void;
  /** Resolves with the reason when Redis keeps dying and is given up. */
  readonly gaveUp = new Promise<CliError>((resolve) => {
    this.giveUp = resolve;
  });

  private constructor(
    private redis: PrivateRedis,
    private readonly options: PrivateRedisOptions,
    private readonly guard: CrashLoopGuard,
  ) {
    this.watch(redis);
  }

  /** Starts the private Redis; see {@link PrivateRedis.start} for what it throws. */
  static async start(options: PrivateRedisOptions, guard = new CrashLoopGuard()): Promise<KeptRedis> {
    return new KeptRedis(await PrivateRedis.start(options), options, guard);
  }

  /** The `unix:` URL of its socket; the same across restarts. */
  get url(): string {
    return this.redis.url;
  }

  /** The Redis running now. */
  get current(): PrivateRedis {
    return this.redis;
  }

  /** Stops Redis for good. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.restart !== null) clearTimeout(this.restart);
    await this.starting;
    await this.redis.close();
  }

  private watch(redis: PrivateRedis): void {
    const startedAt = Date.now();
    redis.once('died', (description) => {
      if (this.closed) return;
      const delay = this.guard.died(0, Date.now() - startedAt);
      if (delay === null) {
        this.giveUp(CliError.failure(`the private Redis keeps dying; the last time ${description}`));
        return;
      }
      this.options.log(`The private Redis died (${description}); starting it again\n`);
      this.restart = setTimeout(() => {
        this.restart = null;
        this.starting = PrivateRedis.start(this.options).then(
          (next) => {
            this.redis = next;
            this.starting = null;
            if (!this.closed) this.watch(next);
          },
          (err: unknown) => {
            this.starting = null;
            this.giveUp(err instanceof CliError ? err : CliError.failure(String(err)));
          },
        );
      }, delay);
    });
  }
}
