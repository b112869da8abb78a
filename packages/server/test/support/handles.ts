/**
 * What a test sees of the handles its process holds, and a wait for them to come back to a baseline. Shared by
 * the server's tests and the Node SDK's (which import it as `@parley/server/test/handles`).
 *
 * Why a wait and not a comparison: a socket closed with `dgram.Socket.close()` emits 'close' on the next tick,
 * but Node drops its handle from `process.getActiveResourcesInfo()` only in libuv's close phase, later in that
 * loop turn or the next. Parley's own close() promises (transports, media connections) wait for that phase; but a
 * test also closes things whose release nobody awaits (a client's werift peer, a STUN responder), and it must
 * neither race them nor sleep a fixed time.
 */
import { udpSocketCount } from './udpSockets.js';

/** The handles of some kinds that a process held at one moment. */
export interface HandleSnapshot {
  /** The resource kinds compared, e.g. `UDPWrap`, `Timeout`. */
  readonly kinds: readonly string[];
  /** The process's active resources of those kinds, sorted. */
  readonly handles: readonly string[];
  /** UDP sockets among the process's file descriptors (Linux /proc), which unref'd sockets do not hide from; null elsewhere. */
  readonly udpSockets: number | null;
}

/**
 * The handles of `kinds` (default: UDP sockets and ref'd timers) this process holds now. Unref'd timers do not
 * show: they cannot keep a process alive.
 */
export function handleSnapshot(kinds: readonly string[] = ['UDPWrap', 'Timeout']): HandleSnapshot {
  const handles = process
    .getActiveResourcesInfo()
    .filter((r) => kinds.includes(r))
    .sort();
  return { kinds: [...kinds], handles, udpSockets: udpSocketCount() };
}

function same(a: HandleSnapshot, b: HandleSnapshot): boolean {
  return (
    a.udpSockets === b.udpSockets &&
    a.handles.length === b.handles.length &&
    a.handles.every((h, i) => h === b.handles[i])
  );
}

function describe(s: HandleSnapshot): string {
  return `[${s.handles.join(', ')}], ${s.udpSockets ?? 'unknown'} UDP sockets`;
}

/**
 * Resolves once the process holds exactly the handles of `baseline` again (same kinds, same counts, same number
 * of UDP sockets), polling every 5 ms; rejects after `timeoutMs` with what is left over.
 * @example
 * const baseline = handleSnapshot();
 * // ... open and close peers ...
 * await untilHandlesSettle(baseline);
 */
export async function untilHandlesSettle(baseline: HandleSnapshot, timeoutMs = 5000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  let now = handleSnapshot(baseline.kinds);
  while (!same(now, baseline)) {
    if (performance.now() > deadline) {
      throw new Error(
        `handles did not settle in ${timeoutMs} ms: have ${describe(now)}, want ${describe(baseline)}`,
      );
    }
    // The poll's own timer has fired by the time the snapshot is taken, so it is not among the handles.
    await new Promise((resolve) => setTimeout(resolve, 5));
    now = handleSnapshot(baseline.kinds);
  }
}
