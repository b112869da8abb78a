/**
 * How the rooms layer calls the cluster's shared state: a refused call's failure as the client sees it (1002099
 * while the store cannot be reached), and writes whose failure leaves nothing to undo.
 */
import { ErrorCode, ParleyError } from '@parley/protocol';
import { SharedStateUnavailable } from '../cluster/SharedState.js';
import type { Logger } from '../log.js';

/** A shared-state failure as the client sees it; anything else as it is. */
export function clusterError(err: unknown): unknown {
  return err instanceof SharedStateUnavailable ? ParleyError.of(ErrorCode.CLUSTER_UNAVAILABLE) : err;
}

/** Awaits a shared-state operation, its unavailability as 1002099. */
export async function inCluster<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (err) {
    throw clusterError(err);
  }
}

/** Runs a shared-state write whose failure leaves nothing to undo: the next rebuild writes the truth back. */
export async function quietly(log: Logger, work: Promise<unknown>): Promise<void> {
  try {
    await work;
  } catch (err) {
    log.debug('cluster write failed', { error: String(err) });
  }
}
