/** Node's timers overflow past 2^31-1 ms (about 24.8 days) and then fire at once; this one doesn't. */
const MAX_DELAY = 2 ** 31 - 1;

export type Cancel = () => void;

/** Calls `fn` at the absolute time `atMs` (epoch ms), however far away; returns a cancel function. */
export function setTimeoutAt(atMs: number, fn: () => void, now: () => number = Date.now): Cancel {
  let timer: NodeJS.Timeout | undefined;
  const arm = (): void => {
    const delay = atMs - now();
    if (delay <= 0) {
      timer = undefined;
      fn();
      return;
    }
    timer = setTimeout(arm, Math.min(delay, MAX_DELAY));
    timer.unref?.();
  };
  arm();
  return () => {
    if (timer) clearTimeout(timer);
    timer = undefined;
  };
}
