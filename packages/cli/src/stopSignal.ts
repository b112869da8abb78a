/** How a long-running command learns that it should stop. */

/**
 * Resolves once the command should stop: when `signal` aborts, or, without a signal, on the first SIGINT or
 * SIGTERM. The process listeners are removed at once, so a second Ctrl+C during a slow shutdown ends the process.
 * @returns what stopped it: `abort`, `SIGINT` or `SIGTERM`.
 */
export function waitForStop(signal?: AbortSignal): Promise<string> {
  if (signal !== undefined) {
    if (signal.aborted) return Promise.resolve('abort');
    return new Promise((resolve) => signal.addEventListener('abort', () => resolve('abort'), { once: true }));
  }
  return new Promise((resolve) => {
    const stop = (name: NodeJS.Signals): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve(name);
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}

/** The first and the second request to stop, for a command whose graceful stop can be cut short. */
export interface StopRequests {
  /** Resolves on the first SIGINT or SIGTERM (or when `signal` aborts) with its name, or `abort`. */
  first: Promise<string>;
  /** Resolves on the second SIGINT or SIGTERM; never when stopped by `signal`. */
  second: Promise<string>;
  /** Removes the process listeners. */
  dispose(): void;
}

/**
 * Listens for two requests to stop: the first starts a graceful stop, the second cuts it short. From the third
 * on, the signals are the process's again (their default ends it).
 */
export function stopRequests(signal?: AbortSignal): StopRequests {
  if (signal !== undefined)
    return { first: waitForStop(signal), second: new Promise(() => {}), dispose() {} };
  const resolvers: Array<(name: string) => void> = [];
  const first = new Promise<string>((resolve) => resolvers.push(resolve));
  const second = new Promise<string>((resolve) => resolvers.push(resolve));
  const dispose = (): void => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  };
  let count = 0;
  function onSignal(name: NodeJS.Signals): void {
    resolvers[count]!(name);
    count += 1;
    if (count === resolvers.length) dispose();
  }
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return { first, second, dispose };
}
