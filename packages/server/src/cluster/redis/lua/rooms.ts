/** The scripts of rooms: membership, snapshots, extra info, broadcast messages and commands. */
import { lua } from './common.js';

/** The room as {seq, members, streams, extraInfo} (JSON texts), read atomically. */
const SNAPSHOT_LUA = `
local function snapshot(app, er)
  local base = room_key(app, er)
  local seq = tonumber(redis.call('HGET', base, 'seq') or '0')
  local streams = {}
  for _, es in ipairs(redis.call('SMEMBERS', base .. ':s')) do
    local json = redis.call('GET', stream_key(app, es))
    if json then table.insert(streams, json) end
  end
  return { seq, redis.call('HVALS', base .. ':m'), streams, redis.call('HVALS', base .. ':x') }
end
`;

/** ARGV: P, origin, appID, roomID. Returns the snapshot. */
export const SNAPSHOT = lua(`${SNAPSHOT_LUA}
return snapshot(ARGV[3], enc(ARGV[4]))
`);

/**
 * ARGV: P, origin, appID, roomID, member JSON, maxMemberCount.
 * Returns {0} when the room is full, else {1, replaced member JSON or '', snapshot}.
 */
export const JOIN = lua(`${SNAPSHOT_LUA}
local app, er = ARGV[3], enc(ARGV[4])
local json = ARGV[5]
local m = cjson.decode(json)
local eu = enc(m.userID)
local base = room_key(app, er)
local count = redis.call('HLEN', base .. ':m')
local previous = redis.call('HGET', base .. ':m', eu)
local created = count == 0 and 1 or 0
if count == 0 then
  -- The first member makes the room (one kept only by a stream or a message has no limit of its own yet).
  redis.call('HSET', base, 'max', ARGV[6])
else
  local max = tonumber(redis.call('HGET', base, 'max') or '0')
  if max > 0 and count >= max and not previous then return { 0 } end
end
local replaced = 'null'
if previous then
  local p = cjson.decode(previous)
  if p.sessionID ~= m.sessionID then replaced = previous end
  redis.call('SREM', node_key(p.nodeID, 'm'), app .. ':' .. er .. ':' .. eu)
end
redis.call('HSET', base .. ':m', eu, json)
redis.call('SADD', node_key(m.nodeID, 'm'), app .. ':' .. er .. ':' .. eu)
publish(app, er, ORIGIN, '{"kind":"join","member":' .. json .. ',"replaced":' .. replaced .. '}')
return { 1, replaced == 'null' and '' or replaced, snapshot(app, er), created }
`);

/**
 * ARGV: P, origin, appID, roomID, userID, sessionID, reason. Returns {0} if nothing was removed, else {1, the
 * leave's seq, 1 if the room was forgotten}.
 */
export const LEAVE = lua(`
local seq, closed = leave_member(ARGV[3], enc(ARGV[4]), enc(ARGV[5]), ARGV[6], nil, ARGV[7], ORIGIN)
if not seq then return { 0 } end
return { 1, seq, closed and 1 or 0 }
`);

/** ARGV: P, origin, appID, roomID, key, info JSON, maxKeys. Returns 1 if set. */
export const SET_EXTRA_INFO = lua(`
local app, er = ARGV[3], enc(ARGV[4])
local base = room_key(app, er)
if redis.call('EXISTS', base) == 0 then return 0 end
if redis.call('HEXISTS', base .. ':x', ARGV[5]) == 0 and redis.call('HLEN', base .. ':x') >= tonumber(ARGV[7]) then
  return 0
end
redis.call('HSET', base .. ':x', ARGV[5], ARGV[6])
publish(app, er, ORIGIN, '{"kind":"extraInfo","info":' .. ARGV[6] .. '}')
return 1
`);

/**
 * ARGV: P, origin, appID, roomID, broadcast event JSON without messageID. Returns the messageID. A room nobody is
 * in is not kept for a message.
 */
export const BROADCAST = lua(`
local app, er = ARGV[3], enc(ARGV[4])
local base = room_key(app, er)
local id = redis.call('HINCRBY', base, 'msg', 1)
publish(app, er, ORIGIN, '{' .. string.sub(ARGV[5], 2, -2) .. ',"messageID":' .. id .. '}')
if redis.call('HLEN', base .. ':m') == 0 and redis.call('SCARD', base .. ':s') == 0 then
  redis.call('DEL', base, base .. ':x')
end
return id
`);

/** ARGV: P, origin, appID, roomID, event JSON. Publishes it if the room exists; returns 1 if it did. */
export const PUBLISH_ROOM = lua(`
local app, er = ARGV[3], enc(ARGV[4])
if redis.call('EXISTS', room_key(app, er)) == 0 then return 0 end
publish(app, er, ORIGIN, ARGV[5])
return 1
`);
