/**
 * The privilege payload of a "strict" Token04: which room, which actions and which streams the token allows.
 *
 * ZEGO's form, a JSON string inside the token's `payload` claim:
 *
 *     {"room_id":"room1","privilege":{"1":1,"2":0},"stream_id_list":null}
 *
 * Key "1" = may log in, key "2" = may publish; value 1 allows, 0 denies. An empty room_id means any room; a null
 * or empty stream_id_list means any stream. A token with an empty payload has no restrictions.
 */
import { TokenError } from './errors.js';

/** What a token's privilege payload allows. */
export interface Token04Privilege {
  /** The only room the token may be used in; '' = any room. */
  roomId: string;
  /** Privilege key 1: may log in to the room. */
  canLogin: boolean;
  /** Privilege key 2: may publish streams. */
  canPublish: boolean;
  /** The only streams that may be published; null = any stream (an empty list is reported as null). */
  streamIdList: string[] | null;
}

/** Input of {@link makePrivilegePayload}; `roomId` defaults to '' (any room), `streamIdList` to null (any). */
export interface PrivilegePayloadInput {
  roomId?: string;
  canLogin: boolean;
  canPublish: boolean;
  streamIdList?: readonly string[] | null;
}

/** ZEGO's privilege keys (`PrivilegeKeyLogin`, `PrivilegeKeyPublish`). */
const KEY_LOGIN = '1';
const KEY_PUBLISH = '2';
const ALLOW = 1;
const DENY = 0;

/**
 * Parses a token's payload. '' → null (no restrictions: login and publish in any room). A payload that is not a
 * JSON object of the form above throws a {@link TokenError} (1102016, reason `payload`).
 *
 * A present payload is read conservatively: a missing or null `privilege`, or a missing key in it, denies that
 * action; unknown privilege keys and unknown top-level fields are ignored.
 *
 * @example
 * parsePrivilegePayload('{"room_id":"room1","privilege":{"1":1,"2":0},"stream_id_list":null}');
 * // → { roomId: 'room1', canLogin: true, canPublish: false, streamIdList: null }
 */
export function parsePrivilegePayload(payload: string): Token04Privilege | null {
  if (typeof payload !== 'string') throw invalid('not a string');
  if (payload === '') return null;
  let value: unknown;
  try {
    value = JSON.parse(payload);
  } catch {
    throw invalid('not JSON');
  }
  if (!isObject(value)) throw invalid('not a JSON object');

  const room = value['room_id'];
  let roomId = '';
  if (room !== undefined && room !== null) {
    if (typeof room !== 'string') throw invalid('room_id is not a string');
    roomId = room;
  }

  const bits = value['privilege'];
  let privilege: Record<string, unknown> = {};
  if (bits !== undefined && bits !== null) {
    if (!isObject(bits)) throw invalid('privilege is not an object');
    privilege = bits;
  }
  const canLogin = privilegeBit(privilege, KEY_LOGIN);
  const canPublish = privilegeBit(privilege, KEY_PUBLISH);

  const list = value['stream_id_list'];
  let streamIdList: string[] | null = null;
  if (list !== undefined && list !== null) {
    if (!Array.isArray(list)) throw invalid('stream_id_list is not an array');
    const ids: string[] = [];
    for (const id of list as unknown[]) {
      if (typeof id !== 'string') throw invalid('stream_id_list holds a non-string');
      ids.push(id);
    }
    streamIdList = ids.length === 0 ? null : ids;
  }
  return { roomId, canLogin, canPublish, streamIdList };
}

/**
 * Builds a privilege payload string, in ZEGO's field order, to pass as `payload` to {@link generateToken04}.
 * Throws `TypeError` on arguments of the wrong type.
 *
 * @example
 * const payload = makePrivilegePayload({ roomId: 'room1', canLogin: true, canPublish: false });
 * // '{"room_id":"room1","privilege":{"1":1,"2":0},"stream_id_list":null}'
 * const token = generateToken04(appId, 'user1', secret, 3600, payload);
 */
export function makePrivilegePayload(input: PrivilegePayloadInput): string {
  const { roomId = '', canLogin, canPublish, streamIdList = null } = input;
  if (typeof roomId !== 'string') throw new TypeError('roomId must be a string');
  if (typeof canLogin !== 'boolean' || typeof canPublish !== 'boolean') {
    throw new TypeError('canLogin and canPublish must be booleans');
  }
  if (
    streamIdList !== null &&
    (!Array.isArray(streamIdList) || streamIdList.some((s) => typeof s !== 'string'))
  ) {
    throw new TypeError('streamIdList must be an array of strings or null');
  }
  return JSON.stringify({
    room_id: roomId,
    privilege: { [KEY_LOGIN]: canLogin ? ALLOW : DENY, [KEY_PUBLISH]: canPublish ? ALLOW : DENY },
    stream_id_list: streamIdList === null || streamIdList.length === 0 ? null : [...streamIdList],
  });
}

function privilegeBit(privilege: Record<string, unknown>, key: string): boolean {
  const bit = privilege[key];
  if (bit === undefined || bit === null) return false;
  if (bit === ALLOW) return true;
  if (bit === DENY) return false;
  throw invalid(`privilege "${key}" must be 0 or 1`);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function invalid(detail: string): TokenError {
  return TokenError.invalid('payload', `malformed privilege payload: ${detail}`);
}
