/** The script of fixed-window counters (SharedState.takeFromWindow): what the server API's rate limits count. */
import { lua } from './common.js';

/**
 * ARGV: P, origin, the window's key (keys.ts `window`), the window's length in ms. Counts one call; the first
 * call of a window gives the key its expiry, so the window ends `ms` after it opened. Returns the count.
 */
export const TAKE_FROM_WINDOW = lua(`
local count = redis.call('INCR', ARGV[3])
if count == 1 then redis.call('PEXPIRE', ARGV[3], ARGV[4]) end
return count
`);
