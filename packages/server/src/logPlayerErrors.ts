/**
 * The server's log line for the SFU's player errors (SfuRouter's `playerError`): a player's path threw on a
 * packet — a bug — and the other players still got it. One error line per report (at most one a second per
 * track), with the count of errors it stands for.
 */
import type { Logger } from './log.js';
import type { SfuRouter } from './sfu/index.js';

export function logPlayerErrors(sfu: SfuRouter, logger: Logger): void {
  sfu.on('playerError', (error, count, producer) => {
    logger.error('a player failed on a packet; the other players got it', { producer, count, error });
  });
}
