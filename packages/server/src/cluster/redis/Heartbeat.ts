/**
 * A node's heartbeat: every `intervalMs` it tells Redis it is alive and then reaps the nodes that stopped telling.
 * A beat that finds the node unregistered (Redis restarted, or another node reaped this one while it was silent)
 * reports it once, so that the owner restores its entries; a beat while the store is away does nothing.
 */
import type { Logger } from '../../log.js';

export interface HeartbeatHost {
  /** True while the store can be reached. */
  readonly available: boolean;
  /** Refreshes this node's heartbeat; false when the node is not registered. */
  beat(): Promise<boolean>;
  /** The store is reachable but this node is not registered. */
  unregistered(): void;
  /** Removes the nodes that missed their heartbeats. */
  reapDeadNodes(): Promise<string[]>;
  /** The store is not available: try to resume. */
  resume(): Promise<void>;
}

export class Heartbeat {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;

  constructor(
    private readonly host: HeartbeatHost,
    private readonly intervalMs: number,
    private readonly log: Logger,
  ) {}

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.tick(), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** One beat and reap, now; a beat still running is awaited instead of starting another. */
  tick(): Promise<void> {
    this.running ??= this.beatAndReap().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private async beatAndReap(): Promise<void> {
    try {
      if (!this.host.available) {
        await this.host.resume();
        return;
      }
      if (!(await this.host.beat())) {
        this.host.unregistered();
        return;
      }
      await this.host.reapDeadNodes();
    } catch (error) {
      // The store went away mid-beat: the connection's own events tell the owner; the next beat tries again.
      this.log.debug('heartbeat failed', { error: String(error) });
    }
  }
}
