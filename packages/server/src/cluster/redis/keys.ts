/**
 * The names of the keys and channels of one cluster in Redis. Every name starts with the cluster's prefix, so
 * several clusters can share one database, and every ID in a name is encoded (see {@link encodeId}) so that no
 * ID a user chooses (roomIDs and userIDs may hold `:` and most punctuation) can reach another key.
 *
 * The Lua scripts build the same names (lua/common.ts); the tests check that both encode alike.
 *
 * Keys, for prefix `P`, AppID `a` and encoded IDs:
 * - `P u:a:user` — who holds a userID: `{"nodeID","sessionID"}`.
 * - `P r:a:room` — a room's counters (hash: `max` members, `seq` of its events, `msg` last messageID); the room
 *   exists while this key does. `…:m` its members (hash: encoded userID → MemberEntry JSON), `…:s` its streams
 *   (set of encoded streamIDs), `…:x` its extra info (hash: key → WireRoomExtraInfo JSON).
 * - `P s:a:stream` — a stream: StreamEntry JSON.
 * - `P f:a:stream` — a forbidden streamID (SharedState.forbidStream); no node owns it, so no reap removes it.
 * - `P o:key` — a key claimed once until its expiry (SharedState.claimOnce; API nonces).
 * - `P w:key` — the count of a fixed window until the window ends (SharedState.takeFromWindow; API rate limits).
 * - `P nodes` — the live nodes (sorted set: nodeID → last heartbeat, Redis time in ms).
 * - `P n:node:u`, `…:m`, `…:s` — what a node holds (sets of `a:user`, `a:room:user`, `a:stream`), so that a
 *   dead node's entries can be found and removed.
 * Channels: `P ch:r:a:room` carries a room's events, `P ch:n:node` the messages to one node.
 */

/** The characters an encoded ID keeps as they are; every other byte of its UTF-8 form becomes `%XX`. */
const PLAIN = /^[0-9A-Za-z_.~-]$/;

/**
 * Encodes an ID for a key name: each UTF-8 byte outside `[0-9A-Za-z_.~-]` as `%XX` (upper-case hex). The result
 * holds no `:`, so the parts of a name never run into each other, and distinct IDs stay distinct.
 */
export function encodeId(id: string): string {
  let out = '';
  for (const byte of Buffer.from(id, 'utf8')) {
    const c = String.fromCharCode(byte);
    out += byte < 0x80 && PLAIN.test(c) ? c : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** The ID that {@link encodeId} encoded. */
export function decodeId(encoded: string): string {
  const bytes: number[] = [];
  for (let i = 0; i < encoded.length; i++) {
    if (encoded[i] === '%') {
      bytes.push(Number.parseInt(encoded.slice(i + 1, i + 3), 16));
      i += 2;
    } else bytes.push(encoded.charCodeAt(i));
  }
  return Buffer.from(bytes).toString('utf8');
}

/** The names of one cluster's keys and channels. */
export class RedisKeys {
  constructor(readonly prefix: string) {}

  /** The sorted set of live nodes. */
  get nodes(): string {
    return `${this.prefix}nodes`;
  }

  user(appID: number, userID: string): string {
    return `${this.prefix}u:${appID}:${encodeId(userID)}`;
  }

  stream(appID: number, streamID: string): string {
    return `${this.prefix}s:${appID}:${encodeId(streamID)}`;
  }

  /** The room's counters; its members, streams and extra info are this name plus `:m`, `:s`, `:x`. */
  room(appID: number, roomID: string): string {
    return `${this.prefix}r:${appID}:${encodeId(roomID)}`;
  }

  /** A forbidden streamID of an AppID (SharedState.forbidStream). */
  forbidden(appID: number, streamID: string): string {
    return `${this.prefix}f:${appID}:${encodeId(streamID)}`;
  }

  /** A key claimed once for a while (SharedState.claimOnce), such as an API request's nonce. */
  once(key: string): string {
    return `${this.prefix}o:${encodeId(key)}`;
  }

  /** The counter of a fixed window (SharedState.takeFromWindow), such as an API rate limit's. */
  window(key: string): string {
    return `${this.prefix}w:${encodeId(key)}`;
  }

  roomChannel(appID: number, roomID: string): string {
    return `${this.prefix}ch:r:${appID}:${encodeId(roomID)}`;
  }

  nodeChannel(nodeID: string): string {
    return `${this.prefix}ch:n:${encodeId(nodeID)}`;
  }
}
