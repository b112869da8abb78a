/** Awaiting events instead of sleeping. */

/** Anything with `on(event, cb)` / `off(event, cb)`: both faces of ZegoExpressEngine, the TypedEmitter. */
export interface Subscribable {
  on(event: any, cb: (...args: any[]) => void): unknown;
  off(event: any, cb?: (...args: any[]) => void): unknown;
}

/**
 * Resolves with the arguments of the first `event` whose arguments satisfy `predicate`; rejects after
 * `timeoutMs`. Subscribe before triggering the action:
 * @example
 * const logined = waitFor(zg, 'roomStateChanged', (_r, reason) => reason === 'LOGINED');
 * await zg.loginRoom(...);
 * await logined;
 */
export function waitFor(
  emitter: Subscribable,
  event: string,
  predicate: (...args: any[]) => boolean = () => true,
  timeoutMs = 5000,
): Promise<any[]> {
  return new Promise<any[]>((resolve, reject) => {
    const listener = (...args: any[]): void => {
      let ok = false;
      try {
        ok = predicate(...args);
      } catch (err) {
        cleanup();
        reject(err);
        return;
      }
      if (ok) {
        cleanup();
        resolve(args);
      }
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`timed out after ${timeoutMs} ms waiting for ${event}`));
    }, timeoutMs);
    const cleanup = (): void => {
      clearTimeout(timer);
      emitter.off(event, listener);
    };
    emitter.on(event, listener);
  });
}

/** Records every listed event of an emitter, in order, as `[event, ...args]`. */
export class EventLog {
  readonly entries: any[][] = [];

  constructor(emitter: Subscribable, events: string[]) {
    for (const event of events) emitter.on(event, (...args: any[]) => this.entries.push([event, ...args]));
  }

  /** The entries of one event, without the event name. */
  of(event: string): any[][] {
    return this.entries.filter((e) => e[0] === event).map((e) => e.slice(1));
  }

  clear(): void {
    this.entries.length = 0;
  }
}

/**
 * Polls `condition` every 10 ms until it holds; rejects after `timeoutMs` naming `what`. For state only visible
 * by asking (server counters over HTTP, stats); everything that has an event waits on the event instead.
 */
export async function until(
  condition: () => boolean | Promise<boolean>,
  what: () => string,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!(await condition())) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what()}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
