/** The scripts of streams: claim (with the same user's takeover), update, removal. */
import { StreamDeleteReason } from '@parley/protocol';
import { lua } from './common.js';

/**
 * ARGV: P, origin, appID, stream JSON. Returns {1} when claimed, {0, holder JSON} when another user's session
 * holds the streamID, or when the holder or the claim is a stream of the server API; {2} when a server stream's
 * room has no members.
 */
export const CLAIM_STREAM = lua(`
local app, json = ARGV[3], ARGV[4]
local s = cjson.decode(json)
local es = enc(s.streamID)
local held = redis.call('GET', stream_key(app, es))
if held then
  local h = cjson.decode(held)
  -- A stream of the server API (AddStream) is never taken over, and never takes another over or itself again.
  if h.nodeID == '@server' or s.nodeID == '@server' then return { 0, held } end
  if h.sessionID ~= s.sessionID then
    if h.userID ~= s.userID then return { 0, held } end
    -- The same user logged in again: the old session's stream leaves the room's view.
    remove_streams(app, enc(h.roomID), { { json = held, s = h } }, ${StreamDeleteReason.RepeatLogin}, ORIGIN)
  else
    redis.call('SREM', room_key(app, enc(h.roomID)) .. ':s', es)
    redis.call('SREM', node_key(h.nodeID, 's'), app .. ':' .. es)
  end
end
if s.nodeID == '@server' and redis.call('HLEN', room_key(app, enc(s.roomID)) .. ':m') == 0 then return { 2 } end
put_stream(app, json, s, ORIGIN)
return { 1 }
`);

/**
 * ARGV: P, origin, appID, streamID, sessionID, patch JSON. Publishes streamAdd when the stream becomes
 * announced, streamUpdate when an announced stream's extra info changes. Returns 1 if the stream was the
 * session's.
 */
export const UPDATE_STREAM = lua(`
local app, es = ARGV[3], enc(ARGV[4])
local json = redis.call('GET', stream_key(app, es))
if not json then return 0 end
local e = cjson.decode(json)
if e.sessionID ~= ARGV[5] then return 0 end
local patch = cjson.decode(ARGV[6])
local becomes = patch.announced == true and not e.announced
local extra_changed = patch.extraInfo ~= nil and patch.extraInfo ~= e.extraInfo
for _, k in ipairs({ 'extraInfo', 'announced', 'audio', 'video' }) do
  if patch[k] ~= nil then e[k] = patch[k] end
end
json = cjson.encode(e)
redis.call('SET', stream_key(app, es), json)
local er = enc(e.roomID)
if redis.call('EXISTS', room_key(app, er)) == 0 then return 1 end
if becomes then
  publish(app, er, ORIGIN, '{"kind":"streamAdd","streams":[' .. json .. ']}')
elseif extra_changed and e.announced then
  publish(app, er, ORIGIN, '{"kind":"streamUpdate","streams":[' .. json .. ']}')
end
return 1
`);

/**
 * ARGV: P, origin, appID, roomID, sessionID, reason, streamID… Removes those of the streams the session owns in
 * the room; one streamDelete of the announced ones. Returns the streamIDs it removed.
 */
export const REMOVE_STREAMS = lua(`
local app, room, session = ARGV[3], ARGV[4], ARGV[5]
local list, seen = {}, {}
for i = 7, #ARGV do
  local es = enc(ARGV[i])
  local json = not seen[es] and redis.call('GET', stream_key(app, es))
  seen[es] = true
  if json then
    local s = cjson.decode(json)
    if s.sessionID == session and s.roomID == room then table.insert(list, { json = json, s = s }) end
  end
end
remove_streams(app, enc(room), list, ARGV[6], ORIGIN)
local ids = {}
for _, e in ipairs(list) do table.insert(ids, e.s.streamID) end
return ids
`);
