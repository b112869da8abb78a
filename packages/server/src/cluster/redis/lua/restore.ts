/**
 * The restore script: a node writes back what it holds after Redis lost it (a restart, or this node was reaped
 * while it could not beat), then removes what is still indexed under it but it no longer holds, and is alive
 * again once all of that is done.
 *
 * What another node holds now wins over this node's memory of it: a userID, a membership or a streamID that a
 * session of another node took while this node was cut off is left to that session. Entries that were missing
 * are written with their `join`/`streamAdd`/`extraInfo` events; entries that are there already are refreshed
 * without an event (a `streamAdd` or `streamUpdate` if the announcement or the extra info changed meanwhile).
 * Entries this node no longer holds are removed with reason StoppedPublishing: their sessions ended while their
 * removal could not reach Redis.
 */
import { StreamDeleteReason } from '@parley/protocol';
import { lua } from './common.js';

/**
 * ARGV: P, nodeID, holdings JSON:
 * `{u: [[appID, userID, holder JSON]], m: [[appID, roomID, maxMemberCount, member JSON]],
 *   s: [[appID, stream JSON]], x: [[appID, roomID, key, info JSON]]}` (appIDs as strings).
 * Returns {written, removed}.
 */
export const RESTORE = lua(`
local h = cjson.decode(ARGV[3])
local keep = { u = {}, m = {}, s = {} }
local written = 0

for _, u in ipairs(h.u) do
  local app, eu, json = u[1], enc(u[2]), u[3]
  local holder = cjson.decode(json)
  local current = redis.call('GET', user_key(app, eu))
  local c = current and cjson.decode(current)
  if not c or c.nodeID == ORIGIN then
    if not c or c.sessionID ~= holder.sessionID then written = written + 1 end
    redis.call('SET', user_key(app, eu), json)
    redis.call('SADD', node_key(ORIGIN, 'u'), app .. ':' .. eu)
    keep.u[app .. ':' .. eu] = true
  end
end

for _, entry in ipairs(h.m) do
  local app, er, json = entry[1], enc(entry[2]), entry[4]
  local m = cjson.decode(json)
  local eu = enc(m.userID)
  local base = room_key(app, er)
  local current = redis.call('HGET', base .. ':m', eu)
  local c = current and cjson.decode(current)
  if not c or c.nodeID == ORIGIN then
    if redis.call('HLEN', base .. ':m') == 0 then redis.call('HSET', base, 'max', entry[3]) end
    redis.call('HSET', base .. ':m', eu, json)
    redis.call('SADD', node_key(ORIGIN, 'm'), app .. ':' .. er .. ':' .. eu)
    keep.m[app .. ':' .. er .. ':' .. eu] = true
    if not c or c.sessionID ~= m.sessionID then
      publish(app, er, ORIGIN, '{"kind":"join","member":' .. json .. ',"replaced":' .. (current or 'null') .. '}')
      written = written + 1
    end
  end
end

for _, entry in ipairs(h.s) do
  local app, json = entry[1], entry[2]
  local s = cjson.decode(json)
  local es = enc(s.streamID)
  local current = redis.call('GET', stream_key(app, es))
  local c = current and cjson.decode(current)
  if not c then
    put_stream(app, json, s, ORIGIN)
    written = written + 1
  elseif c.sessionID == s.sessionID and c.roomID == s.roomID then
    local er = enc(s.roomID)
    redis.call('SET', stream_key(app, es), json)
    redis.call('SADD', room_key(app, er) .. ':s', es)
    redis.call('SADD', node_key(ORIGIN, 's'), app .. ':' .. es)
    if s.announced and not c.announced then
      publish(app, er, ORIGIN, '{"kind":"streamAdd","streams":[' .. json .. ']}')
    elseif s.announced and c.extraInfo ~= s.extraInfo then
      publish(app, er, ORIGIN, '{"kind":"streamUpdate","streams":[' .. json .. ']}')
    end
  elseif c.nodeID == ORIGIN then
    -- An older session of this node: the one this node holds now replaces it.
    remove_streams(app, enc(c.roomID), { { json = current, s = c } }, ${StreamDeleteReason.RepeatLogin}, ORIGIN)
    put_stream(app, json, s, ORIGIN)
    written = written + 1
  end
  if not c or c.nodeID == ORIGIN then keep.s[app .. ':' .. es] = true end
end

for _, entry in ipairs(h.x) do
  local app, er, key, json = entry[1], enc(entry[2]), entry[3], entry[4]
  local base = room_key(app, er)
  if redis.call('EXISTS', base) == 1 and redis.call('HEXISTS', base .. ':x', key) == 0 then
    redis.call('HSET', base .. ':x', key, json)
    publish(app, er, ORIGIN, '{"kind":"extraInfo","info":' .. json .. '}')
    written = written + 1
  end
end

local removed = remove_node_entries(ORIGIN, ${StreamDeleteReason.StoppedPublishing}, ORIGIN, keep)
redis.call('ZADD', NODES, now_ms(), ORIGIN)
return { written, removed }
`);
