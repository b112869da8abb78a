/** The scripts of userIDs: which session holds each. */
import { lua } from './common.js';

/** ARGV: P, origin, appID, userID, holder JSON. Returns the holder it replaced (JSON), or '' if none. */
export const CLAIM_USER = lua(`
local app, eu = ARGV[3], enc(ARGV[4])
local holder = cjson.decode(ARGV[5])
local previous = redis.call('GET', user_key(app, eu))
if previous then
  local p = cjson.decode(previous)
  redis.call('SREM', node_key(p.nodeID, 'u'), app .. ':' .. eu)
  if p.sessionID == holder.sessionID then previous = '' end
end
redis.call('SET', user_key(app, eu), ARGV[5])
redis.call('SADD', node_key(holder.nodeID, 'u'), app .. ':' .. eu)
return previous or ''
`);

/** ARGV: P, origin, appID, userID, sessionID. Frees the userID if the session still holds it; returns 1 if so. */
export const RELEASE_USER = lua(`
local app, eu = ARGV[3], enc(ARGV[4])
local current = redis.call('GET', user_key(app, eu))
if not current then return 0 end
local c = cjson.decode(current)
if c.sessionID ~= ARGV[5] then return 0 end
redis.call('DEL', user_key(app, eu))
redis.call('SREM', node_key(c.nodeID, 'u'), app .. ':' .. eu)
return 1
`);
