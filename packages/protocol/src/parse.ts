/**
 * Validation of untrusted frames at the edge. The server runs every client frame through
 * {@link parseClientFrame} once; what comes out is typed and within the limits of express-api.md §1.
 * The parser is total: whatever the text, it returns a result and never throws, and its error messages name
 * a bad value's kind and size, never its content (see schema.ts for why).
 */
import { ErrorCode, errorMessage } from './errors.js';
import {
  checkAppId,
  checkMessage,
  checkRoomExtraInfo,
  checkRoomId,
  checkStreamExtraInfo,
  checkStreamId,
  checkUserId,
  checkUserName,
  Limits,
} from './limits.js';
import type { ClientFrame, ClientRequest, ServerFrame } from './messages.js';
import {
  arr,
  bool,
  describeValue,
  int,
  isPlainObject,
  literal,
  obj,
  optional,
  raw,
  type Schema,
  SchemaError,
  str,
  union,
} from './schema.js';

export type ParseResult<T> =
  | { ok: true; value: T }
  | { ok: false; id: number | null; code: number; msg: string };

const MAX_TOKEN_CHARS = 4096;
const MAX_REQUEST_ID = 2 ** 31 - 1;
/** An SDP offer or answer; real ones are 2–8 KB. */
const MAX_SDP_CHARS = 32 * 1024;

const trackState = literal('OPEN', 'MUTE');

const user = obj({ userID: raw, userName: raw });

/** Structural shapes of the requests; fields with their own Express codes are `raw` and checked after. */
const requestSchemas = {
  login: obj({
    t: literal('login'),
    id: int(1, MAX_REQUEST_ID),
    appID: raw,
    roomID: raw,
    user,
    auth: union<{ kind: 'token'; token: string } | { kind: 'appSign'; proof: string }>('kind', {
      token: obj({ kind: literal('token'), token: str(MAX_TOKEN_CHARS) }),
      appSign: obj({ kind: literal('appSign'), proof: str(128) }),
    }),
    config: optional(
      obj({ userUpdate: optional(bool, false), maxMemberCount: optional(int(0, 1_000_000), 0) }),
      undefined,
    ),
  }),
  resume: obj({
    t: literal('resume'),
    id: int(1, MAX_REQUEST_ID),
    sessionID: str(64),
    resumeKey: str(128),
    lastSeq: int(0),
  }),
  logout: obj({ t: literal('logout'), id: int(1, MAX_REQUEST_ID), roomID: raw }),
  renewToken: obj({
    t: literal('renewToken'),
    id: int(1, MAX_REQUEST_ID),
    roomID: raw,
    token: str(MAX_TOKEN_CHARS),
  }),
  publish: obj({
    t: literal('publish'),
    id: int(1, MAX_REQUEST_ID),
    roomID: raw,
    streamID: raw,
    extraInfo: raw,
    sdp: optional(str(MAX_SDP_CHARS), undefined),
    audio: optional(trackState, undefined),
    video: optional(trackState, undefined),
  }),
  play: obj({ t: literal('play'), id: int(1, MAX_REQUEST_ID), streamID: raw }),
  playAnswer: obj({
    t: literal('playAnswer'),
    id: int(1, MAX_REQUEST_ID),
    streamID: raw,
    sdp: str(MAX_SDP_CHARS),
  }),
  stopPlay: obj({ t: literal('stopPlay'), id: int(1, MAX_REQUEST_ID), streamID: raw }),
  streamMediaState: obj({
    t: literal('streamMediaState'),
    id: int(1, MAX_REQUEST_ID),
    streamID: raw,
    audio: optional(trackState, undefined),
    video: optional(trackState, undefined),
  }),
  unpublish: obj({ t: literal('unpublish'), id: int(1, MAX_REQUEST_ID), streamID: raw }),
  setStreamExtraInfo: obj({
    t: literal('setStreamExtraInfo'),
    id: int(1, MAX_REQUEST_ID),
    streamID: raw,
    extraInfo: raw,
  }),
  broadcast: obj({ t: literal('broadcast'), id: int(1, MAX_REQUEST_ID), roomID: raw, message: raw }),
  customCommand: obj({
    t: literal('customCommand'),
    id: int(1, MAX_REQUEST_ID),
    roomID: raw,
    command: raw,
    toUserIDs: arr(raw, Limits.customCommandTargets),
  }),
  setRoomExtraInfo: obj({
    t: literal('setRoomExtraInfo'),
    id: int(1, MAX_REQUEST_ID),
    roomID: raw,
    key: raw,
    value: raw,
  }),
} satisfies Record<ClientRequest['t'], Schema<unknown>>;

class CodedError extends Error {
  constructor(
    readonly code: number,
    msg: string,
  ) {
    super(msg);
  }
}

function need(code: number, what: string): void {
  if (code !== 0) throw new CodedError(code, `${errorMessage(code)} (${what})`);
}

/** Semantic checks, each failing with its own Express code; returns the typed request. */
function check(type: ClientRequest['t'], v: Record<string, unknown>): ClientRequest {
  if ('roomID' in v) need(checkRoomId(v['roomID']), 'roomID');
  if ('streamID' in v) need(checkStreamId(v['streamID']), 'streamID');
  switch (type) {
    case 'login': {
      const u = v['user'] as { userID: unknown; userName: unknown };
      need(checkAppId(v['appID']), 'appID');
      need(checkUserId(u.userID), 'user.userID');
      need(checkUserName(u.userName), 'user.userName');
      const config = (v['config'] as { userUpdate: boolean; maxMemberCount: number } | undefined) ?? {
        userUpdate: false,
        maxMemberCount: 0,
      };
      return {
        ...(v as unknown as ClientRequest & { t: 'login' }),
        user: { userID: u.userID as string, userName: (u.userName as string | undefined) ?? '' },
        config,
      };
    }
    case 'publish':
      if (v['extraInfo'] === undefined) v['extraInfo'] = '';
      need(checkStreamExtraInfo(v['extraInfo']), 'extraInfo');
      break;
    case 'setStreamExtraInfo':
      need(checkStreamExtraInfo(v['extraInfo']), 'extraInfo');
      break;
    case 'broadcast':
      need(checkMessage(v['message']), 'message');
      break;
    case 'customCommand':
      need(checkMessage(v['command']), 'command');
      for (const to of v['toUserIDs'] as unknown[]) need(checkUserId(to), 'toUserIDs');
      break;
    case 'setRoomExtraInfo':
      need(checkRoomExtraInfo(v['key'], v['value']), 'key/value');
      break;
    default:
      break;
  }
  return v as unknown as ClientRequest;
}

/**
 * Parses and validates one text frame from a client.
 * @example
 * const r = parseClientFrame('{"t":"hb","ack":3}');
 * if (r.ok) handle(r.value); else reply(r.id, r.code, r.msg);
 */
export function parseClientFrame(text: string): ParseResult<ClientFrame> {
  let data: unknown;
  try {
    // V8 parses without recursion, so even a frame nested a million deep parses (see parseFuzz.test.ts);
    // anything it throws is still a refusal of this frame.
    data = JSON.parse(text);
  } catch (err) {
    const what = err instanceof SyntaxError ? 'malformed JSON' : 'undecodable JSON';
    return fail(null, ErrorCode.INPUT_PARAMETER, `${what} (${text.length} characters)`);
  }
  if (!isPlainObject(data)) {
    return fail(null, ErrorCode.INPUT_PARAMETER, `a frame must be a JSON object, got ${describeValue(data)}`);
  }
  const type = data['t'];
  if (type === 'hb') {
    const ack = data['ack'];
    if (typeof ack !== 'number' || !Number.isInteger(ack) || ack < 0) {
      return fail(
        null,
        ErrorCode.INPUT_PARAMETER,
        `hb.ack: expected an integer >= 0, got ${describeValue(ack)}`,
      );
    }
    return { ok: true, value: { t: 'hb', ack } };
  }
  const rawId = data['id'];
  const id =
    typeof rawId === 'number' && Number.isInteger(rawId) && rawId >= 1 && rawId <= MAX_REQUEST_ID
      ? rawId
      : null;
  if (typeof type !== 'string') {
    return fail(id, ErrorCode.INPUT_PARAMETER, `t: expected a message type, got ${describeValue(type)}`);
  }
  if (!Object.hasOwn(requestSchemas, type)) {
    return fail(id, ErrorCode.INPUT_PARAMETER, `unknown message type ${describeType(type)}`);
  }
  const requestType = type as ClientRequest['t'];
  try {
    const shaped = requestSchemas[requestType](data, '') as Record<string, unknown>;
    return { ok: true, value: check(requestType, shaped) };
  } catch (err) {
    if (err instanceof CodedError) return fail(id, err.code, err.message);
    if (err instanceof SchemaError) return fail(id, ErrorCode.INPUT_PARAMETER, `${type}: ${err.message}`);
    // Not reachable with the schemas above; a refusal still beats an exception thrown into the socket layer.
    return fail(id, ErrorCode.INPUT_PARAMETER, `${type}: the request could not be checked`);
  }
}

/** An unknown type is echoed only if it looks like a type name, so a reply never carries a client's payload. */
function describeType(type: string): string {
  return /^[A-Za-z][A-Za-z0-9_]{0,31}$/.test(type) ? `"${type}"` : `(${describeValue(type)})`;
}

const SERVER_FRAME_TYPES = new Set(['hello', 'reply', 'hb', 'error', 'evt']);

/**
 * Parses a frame from the server. The client trusts the server's shapes but never crashes on a bad frame:
 * anything that is not an object with a known `t` is refused.
 */
export function parseServerFrame(text: string): ParseResult<ServerFrame> {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return fail(null, ErrorCode.INPUT_PARAMETER, 'malformed JSON from server');
  }
  if (!isPlainObject(data) || typeof data['t'] !== 'string' || !SERVER_FRAME_TYPES.has(data['t'])) {
    return fail(null, ErrorCode.INPUT_PARAMETER, 'unknown frame from server');
  }
  if (data['t'] === 'evt' && (!isPlainObject(data['ev']) || typeof data['seq'] !== 'number')) {
    return fail(null, ErrorCode.INPUT_PARAMETER, 'malformed event from server');
  }
  if (data['t'] === 'reply' && (typeof data['id'] !== 'number' || typeof data['code'] !== 'number')) {
    return fail(null, ErrorCode.INPUT_PARAMETER, 'malformed reply from server');
  }
  return { ok: true, value: data as unknown as ServerFrame };
}

function fail(
  id: number | null,
  code: number,
  msg: string,
): { ok: false; id: number | null; code: number; msg: string } {
  return { ok: false, id, code, msg };
}
