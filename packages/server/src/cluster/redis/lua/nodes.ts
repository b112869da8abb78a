/** The scripts of node liveness: registration, heartbeats, reaping dead nodes and a clean exit. */
import { StreamDeleteReason } from '@parley/protocol';
import { lua } from './common.js';

/**
 * ARGV: P, nodeID. A node starts: entries still indexed under its nodeID are an earlier run's (one that died
 * without a clean exit) and are removed with their events; then the node is alive. Returns how many it removed.
 */
export const REGISTER = lua(`
local removed = remove_node_entries(ORIGIN, ${StreamDeleteReason.HeartbeatTimeout}, ORIGIN, nil)
redis.call('ZADD', NODES, now_ms(), ORIGIN)
return removed
`);

/**
 * ARGV: P, nodeID. Refreshes the node's heartbeat if it is still registered; returns 0 when it is not (Redis lost
 * it, or another node reaped it while this one was silent): only restore() registers it again.
 */
export const HEARTBEAT = lua(`
if not redis.call('ZSCORE', NODES, ORIGIN) then return 0 end
redis.call('ZADD', NODES, now_ms(), ORIGIN)
return 1
`);

/** ARGV: P, nodeID, timeoutMs. The other nodes whose last heartbeat is older than the timeout. */
export const DEAD_NODES = lua(`
local dead = {}
for _, node in ipairs(redis.call('ZRANGEBYSCORE', NODES, '-inf', '(' .. (now_ms() - tonumber(ARGV[3])))) do
  if node ~= ORIGIN then table.insert(dead, node) end
end
return dead
`);

/**
 * ARGV: P, reaper nodeID, dead nodeID, timeoutMs. Removes the dead node's entries with their events (reason
 * HeartbeatTimeout, origin the dead node) if it is still registered and still silent; returns {0} if it did not,
 * else {1, then app, encoded roomID, event JSON and 1 if the room closed (else 0) for each event it published},
 * so each dead node is reaped once and only its reaper learns what was removed.
 */
export const REAP = lua(`
local dead = ARGV[3]
local beat = redis.call('ZSCORE', NODES, dead)
if not beat or tonumber(beat) >= now_ms() - tonumber(ARGV[4]) then return { 0 } end
redis.call('ZREM', NODES, dead)
collected = {}
remove_node_entries(dead, ${StreamDeleteReason.HeartbeatTimeout}, dead, nil)
local reply = { 1 }
for _, e in ipairs(collected) do
  table.insert(reply, e[1])
  table.insert(reply, e[2])
  table.insert(reply, e[3])
  table.insert(reply, e[4])
end
return reply
`);

/** ARGV: P, nodeID. A clean exit: the node's entries go with their events (reason StoppedPublishing). */
export const UNREGISTER = lua(`
redis.call('ZREM', NODES, ORIGIN)
return remove_node_entries(ORIGIN, ${StreamDeleteReason.StoppedPublishing}, ORIGIN, nil)
`);
