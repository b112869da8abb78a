/**
 * Validation of untrusted frames at the edge. The server runs every client frame through
 * {@link parseClientFrame} once; what comes out is typed and within the limits of express-api.md §1.
 * The parser is total: whatever the text, it returns a result and never throws, and its error messages name
 * a bad value's kind and size, never its content (see schema.ts for why).
 */
import { ErrorCode } from './errors.js';
import type { ClientFrame, ServerFrame } from './messages.js';
import { type ClientRequestType, MAX_REQUEST_ID, requestSchemas } from './requests.js';
import { describeValue, isPlainObject, SchemaError } from './schema.js';

export type ParseResult<T> =
  | { ok: true; value: T }
  | { ok: false; id: number | null; code: number; msg: string };

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
  try {
    return { ok: true, value: requestSchemas[type as ClientRequestType](data, '') };
  } catch (err) {
    if (err instanceof SchemaError) {
      return fail(id, err.code, err.expected === null ? err.message : `${type}: ${err.message}`);
    }
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
