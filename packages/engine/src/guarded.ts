/**
 * Callbacks the SDK hands to timers, to sockets, to promises and to emitters run outside any call of the app: an
 * error thrown there (or a promise rejected there) would reach the process as an uncaught exception or an
 * unhandled rejection and end it. Every such callback is wrapped in {@link guarded}, which logs the error through
 * the SDK's logger and lets the owner turn it into a state its API reports (a failed stream, a dropped socket).
 * Environment-free, like the rest of the engine: both SDKs use this one copy.
 */
import type { ListenerErrorHook } from '@parley/protocol';
import type { EngineLogger } from './Logger.js';

function asError(err: unknown): Error {
  if (err instanceof Error) return err;
  try {
    return new Error(String(err));
  } catch {
    // A value whose conversion to text throws (a hostile toString, a revoked proxy).
    return new Error('a value that cannot be shown');
  }
}

/** Writes an error line; a logger that throws is ignored, since there is nobody left to tell. */
function logError(log: EngineLogger, msg: string, fields: Record<string, unknown>): void {
  try {
    log.error(msg, fields);
  } catch {
    // The app's logger failed: the error is dropped rather than thrown into the process.
  }
}

/**
 * `fn`, made safe to hand to a timer, a socket, a promise or an event: what it throws — or, when it returns a
 * promise, what that promise rejects with — is logged as "`what` threw" and passed to `onError`, never rethrown.
 * An `onError` that throws itself is logged too.
 * @example
 * this.timer = setInterval(guarded(log, 'the stats timer', () => this.poll(), (err) => this.fail(err)), 1000);
 * guarded(log, 'a publish attempt', () => this.attempt(stream), (err) => this.fail(stream, err))(); // async, run now
 */
export function guarded<A extends unknown[]>(
  log: EngineLogger,
  what: string,
  fn: (...args: A) => unknown,
  onError?: (error: Error) => void,
): (...args: A) => void {
  const handle = (err: unknown): void => {
    const error = asError(err);
    logError(log, `${what} threw`, { err: error.message, stack: error.stack });
    if (!onError) return;
    try {
      onError(error);
    } catch (again) {
      logError(log, `handling what ${what} threw threw too`, { err: asError(again).message });
    }
  };
  return (...args: A): void => {
    try {
      const result = fn(...args);
      if (isThenable(result)) result.then(undefined, handle);
    } catch (err) {
      handle(err);
    }
  };
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  );
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
    logError(log, `a listener of ${owner} threw`, { event, err: error.message, stack: error.stack });
  };
}
