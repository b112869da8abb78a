/**
 * The Lua every script starts with: key names (as keys.ts builds them), the room event publisher and the removals
 * that several scripts share. Each script runs atomically in Redis, so a change and the event it publishes can
 * never be seen apart, and the events of a room go out in the order of its changes.
 *
 * Conventions: ARGV[1] is the cluster's key prefix, ARGV[2] the nodeID that runs the script (the events' origin);
 * a script's own arguments follow. Scripts build the names of the keys they touch from the data they read (a
 * dead node's index, a stream's room), so they run on one Redis (or one shard), not across a Redis Cluster.
 * Entries are stored as the JSON the nodes wrote; events are spliced from those texts, so what a node receives is
 * exactly what was written.
 */
export const COMMON_LUA = `
if redis.replicate_commands then pcall(redis.replicate_commands) end
local P = ARGV[1]
local ORIGIN = ARGV[2]

-- keys.ts encodeId: every byte but [0-9A-Za-z_.~-] as %XX.
local function enc(s)
  return (string.gsub(s, '[^0-9A-Za-z_.~%-]', function(c) return string.format('%%%02X', string.byte(c)) end))
end

local function room_key(app, er) return P .. 'r:' .. app .. ':' .. er end
local function stream_key(app, es) return P .. 's:' .. app .. ':' .. es end
local function user_key(app, eu) return P .. 'u:' .. app .. ':' .. eu end
local function node_key(node, kind) return P .. 'n:' .. enc(node) .. ':' .. kind end
local NODES = P .. 'nodes'

-- Redis's own clock, in ms: every node measures liveness by the same clock.
local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end

-- When a script sets it to a table, publish() also collects there what it published: {app, er, event, closed}
-- (REAP returns them to the reaper, the only node told what its reap removed).
local collected = nil

-- Numbers an event with the room's next seq and publishes it; body is the event's JSON object without origin
-- and seq. Returns the seq.
local function publish(app, er, origin, body)
  local seq = redis.call('HINCRBY', room_key(app, er), 'seq', 1)
  local event = '{"origin":' .. cjson.encode(origin) .. ',"seq":' .. seq .. ',' .. string.sub(body, 2)
  redis.call('PUBLISH', P .. 'ch:r:' .. app .. ':' .. er, event)
  if collected then table.insert(collected, { app, er, event, 0 }) end
  return seq
end

-- Forgets an empty room with whatever it still has (extra info, a stream left by a dead session).
local function forget_room(app, er)
  local base = room_key(app, er)
  for _, es in ipairs(redis.call('SMEMBERS', base .. ':s')) do
    local json = redis.call('GET', stream_key(app, es))
    if json then
      local s = cjson.decode(json)
      if enc(s.roomID) == er then
        redis.call('DEL', stream_key(app, es))
        redis.call('SREM', node_key(s.nodeID, 's'), app .. ':' .. es)
      end
    end
  end
  redis.call('DEL', base, base .. ':m', base .. ':s', base .. ':x')
end

-- Removes the member eu of a room if it is still of session (or of node, when given); publishes leave and
-- forgets the room once it is empty. Returns false if it removed nothing, else the leave's seq and whether the
-- room was forgotten.
local function leave_member(app, er, eu, session, node, reason, origin)
  local base = room_key(app, er)
  local json = redis.call('HGET', base .. ':m', eu)
  if not json then return false end
  local m = cjson.decode(json)
  if (session and m.sessionID ~= session) or (node and m.nodeID ~= node) then return false end
  redis.call('HDEL', base .. ':m', eu)
  redis.call('SREM', node_key(m.nodeID, 'm'), app .. ':' .. er .. ':' .. eu)
  local seq = publish(app, er, origin, '{"kind":"leave","member":' .. json .. ',"reason":' .. reason .. '}')
  local closed = redis.call('HLEN', base .. ':m') == 0
  if closed then
    forget_room(app, er)
    if collected then collected[#collected][4] = 1 end
  end
  return seq, closed
end

-- Removes streams of one room (a list of {json = text, s = decoded}); publishes one streamDelete of the
-- announced ones and forgets the room if nobody is in it.
local function remove_streams(app, er, list, reason, origin)
  if #list == 0 then return end
  local base = room_key(app, er)
  local exists = redis.call('EXISTS', base) == 1
  local announced = {}
  for _, e in ipairs(list) do
    local es = enc(e.s.streamID)
    redis.call('DEL', stream_key(app, es))
    redis.call('SREM', base .. ':s', es)
    redis.call('SREM', node_key(e.s.nodeID, 's'), app .. ':' .. es)
    if e.s.announced then table.insert(announced, e.json) end
  end
  if not exists then return end
  if #announced > 0 then
    local body = '{"kind":"streamDelete","streams":[' .. table.concat(announced, ',') .. '],"reason":' .. reason .. '}'
    publish(app, er, origin, body)
  end
  if redis.call('HLEN', base .. ':m') == 0 then forget_room(app, er) end
end

-- Stores a stream (its room is created if it has none) and publishes streamAdd when it is announced. A stream
-- of the server API ('@server', which no node can be) is indexed under no node: no exit, reap or restore sees it.
local function put_stream(app, json, s, origin)
  local es = enc(s.streamID)
  local er = enc(s.roomID)
  local base = room_key(app, er)
  redis.call('HSETNX', base, 'max', 0)
  redis.call('SET', stream_key(app, es), json)
  redis.call('SADD', base .. ':s', es)
  if s.nodeID ~= '@server' then redis.call('SADD', node_key(s.nodeID, 's'), app .. ':' .. es) end
  if s.announced then publish(app, er, origin, '{"kind":"streamAdd","streams":[' .. json .. ']}') end
end

-- The streams of a node's index that are still the node's, grouped by room: {app, er, list}.
local function node_streams(node, skip)
  local groups, order = {}, {}
  for _, entry in ipairs(redis.call('SMEMBERS', node_key(node, 's'))) do
    local app = string.match(entry, '^([^:]*):')
    local json = redis.call('GET', P .. 's:' .. entry)
    local s = json and cjson.decode(json)
    if s and s.nodeID == node and not (skip and skip[entry]) then
      local er = enc(s.roomID)
      local g = groups[app .. ':' .. er]
      if not g then
        g = { app = app, er = er, list = {} }
        groups[app .. ':' .. er] = g
        table.insert(order, g)
      end
      table.insert(g.list, { json = json, s = s })
    elseif not s or s.nodeID ~= node then
      redis.call('SREM', node_key(node, 's'), entry)
    end
  end
  return order
end

-- Removes the entries of a node's index that are still the node's (streams, then memberships, then users), with
-- their events; skip (optional) names index entries to keep. Returns how many entries it removed.
local function remove_node_entries(node, reason, origin, skip)
  local removed = 0
  for _, g in ipairs(node_streams(node, skip and skip.s)) do
    remove_streams(g.app, g.er, g.list, reason, origin)
    removed = removed + #g.list
  end
  for _, entry in ipairs(redis.call('SMEMBERS', node_key(node, 'm'))) do
    if not (skip and skip.m[entry]) then
      local app, er, eu = string.match(entry, '^([^:]*):([^:]*):([^:]*)$')
      if leave_member(app, er, eu, nil, node, reason, origin) then removed = removed + 1 end
      redis.call('SREM', node_key(node, 'm'), entry)
    end
  end
  for _, entry in ipairs(redis.call('SMEMBERS', node_key(node, 'u'))) do
    if not (skip and skip.u[entry]) then
      local json = redis.call('GET', P .. 'u:' .. entry)
      if json and cjson.decode(json).nodeID == node then
        redis.call('DEL', P .. 'u:' .. entry)
        removed = removed + 1
      end
      redis.call('SREM', node_key(node, 'u'), entry)
    end
  end
  return removed
end
`;

/** A script: the common Lua above, then its own body. */
export function lua(body: string): string {
  return COMMON_LUA + body;
}
