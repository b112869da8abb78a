/**
 * Callbacks the SDK hands to timers, to werift's events and to emitters run outside any call of the app: an
 * error thrown there would reach the process as an uncaught exception and end it. Every such callback is
 * wrapped in {@link guarded}, which logs the error through the SDK's logger and lets the owner turn it into a
 * state its API reports (a failed source, a failed connection).
 */
import type { EngineLogger, ListenerErrorHook } from '@parley/engine';

function asError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}

/**
 * `fn`, made safe to hand to a timer or an event: what it throws is logged as "`what` threw" and passed to
 * `onError`, never rethrown. An `onError` that throws itself is logged too.
 * @example
 * this.timer = setInterval(guarded(log, 'the stats timer', () => this.poll(), (err) => this.fail(err)), 1000);
 */
export function guarded<A extends unknown[]>(
  log: EngineLogger,
  what: string,
  fn: (...args: A) => void,
  onError?: (error: Error) => void,
): (...args: A) => void {
  return (...args: A): void => {
    try {
      fn(...args);
    } catch (err) {
      const error = asError(err);
      log.error(`${what} threw`, { err: error.message, stack: error.stack });
      if (!onError) return;
      try {
        onError(error);
      } catch (again) {
        log.error(`handling what ${what} threw threw too`, { err: asError(again).message });
      }
    }
  };
}

/**
 * The `onListenerError` hook of a TypedEmitter whose listeners belong to the app or to the engine: it logs what a
 * listener threw (the emitter itself goes on with its other listeners).
 * @example
 * super(logListenerErrors(log, 'the frame sink of s1'));
 */
export function logListenerErrors(log: EngineLogger, owner: string): ListenerErrorHook {
  return (err, event) => {
    const error = asError(err);
    log.error(`a listener of ${owner} threw`, { event, err: error.message, stack: error.stack });
  };
}
