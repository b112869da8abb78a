/**
 * What the primary of `parley serve --workers` and its workers tell each other over the IPC channel of
 * `node:cluster` (advanced serialization: structured clone).
 */
import type { AnnouncedOrigin, ResolvedConfig } from '@parley/server/config';

/** The primary to a worker. */
export type ToWorker =
  /** Start the node with these settings; the worker answers `ready` or `failed`. */
  | { type: 'start'; index: number; settings: ResolvedConfig }
  /** Drain (tell the clients to reconnect), then exit with 0. */
  | { type: 'drain' }
  /** Close at once, then exit with 0. */
  | { type: 'stop' };

/** A worker to the primary. */
export type FromWorker =
  /**
   * The worker listens for messages now. A message sent before would be lost (a process drops the messages
   * that arrive before it has a listener), so the primary sends `start` only on this.
   */
  | { type: 'waiting' }
  /** The node listens. */
  | {
      type: 'ready';
      httpUrl: string;
      url: string;
      media: { announcedAddresses: string[]; origin: AnnouncedOrigin };
    }
  /** The node could not start; the worker exits after sending this. */
  | { type: 'failed'; message: string };

/** True for a message of the primary; `node:cluster` delivers its own internal messages too. */
export function isToWorker(message: unknown): message is ToWorker {
  const type = (message as { type?: unknown } | null)?.type;
  return type === 'start' || type === 'drain' || type === 'stop';
}

/** True for a message of a worker. */
export function isFromWorker(message: unknown): message is FromWorker {
  const type = (message as { type?: unknown } | null)?.type;
  return type === 'waiting' || type === 'ready' || type === 'failed';
}
