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
