/**
 * Property tests of the parser against hostile input: whatever the text, parseClientFrame returns (never
 * throws), refuses with a code from the registry and a short message that echoes nothing of the input, and
 * what it accepts holds no nested structure from the client. The seed is fixed so a run is reproducible;
 * PARLEY_FUZZ_SEED explores others.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  arr,
  ErrorCode,
  int,
  isKnownErrorCode,
  literal,
  obj,
  optional,
  type ParseResult,
  parseClientFrame,
  raw,
  SchemaError,
  str,
  union,
} from '../src/index.js';
import {
  CANARY,
  deepText,
  hostileFrameText,
  hostileValue,
  mutatedFrame,
  nest,
  PROTOTYPE_KEYS,
  protoKeyFrame,
  VALID_FRAMES,
} from './support/hostileJson.js';

const SEED = Number(process.env['PARLEY_FUZZ_SEED'] ?? 20261213);
/** Longest error message the parser may produce: a sentence, not a payload. */
const MAX_MSG = 160;
const MAX_REQUEST_ID = 2 ** 31 - 1;

/** Depth of a value, counted without recursion and given up past `cap`. */
function depth(value: unknown, cap: number): number {
  let deepest = 0;
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [v, d] = stack.pop()!;
    deepest = Math.max(deepest, d);
    if (deepest > cap) return deepest;
    if (v && typeof v === 'object') for (const inner of Object.values(v)) stack.push([inner, d + 1]);
  }
  return deepest;
}

/** The checks every result of every property must pass. */
function checkResult(text: string, r: ParseResult<unknown>): void {
  if (r.ok) {
    // Accepted frames carry the client's strings and numbers only, in the protocol's own fixed shapes.
    assert.ok(depth(r.value, 2) <= 2, 'an accepted frame holds a nested client structure');
    return;
  }
  assert.ok(isKnownErrorCode(r.code) && r.code !== ErrorCode.OK, `code ${r.code} is not in the registry`);
  assert.equal(typeof r.msg, 'string');
  assert.ok(r.msg.length <= MAX_MSG, `message of ${r.msg.length} characters: ${r.msg.slice(0, 200)}`);
  assert.ok(!r.msg.includes('canary'), `the message echoes input: ${r.msg}`);
  assert.ok(r.id === null || (Number.isInteger(r.id) && r.id >= 1 && r.id <= MAX_REQUEST_ID));
  if (text.length > MAX_MSG) assert.ok(!r.msg.includes(text.slice(0, MAX_MSG)));
}

/** Runs a property with the fixed seed and returns how many inputs it checked. */
function run<T>(arb: fc.Arbitrary<T>, numRuns: number, predicate: (v: T) => void): number {
  let count = 0;
  fc.assert(
    fc.property(arb, (v) => {
      count++;
      predicate(v);
    }),
    { seed: SEED, numRuns },
  );
  return count;
}

describe('parseClientFrame under hostile input', () => {
  it('accepts the unmutated frames the mutations start from', () => {
    for (const frame of Object.values(VALID_FRAMES)) {
      const r = parseClientFrame(JSON.stringify(frame));
      assert.ok(r.ok, r.ok ? '' : r.msg);
    }
  });

  it('never throws, refuses with registry codes, and keeps messages short and free of input', (t) => {
    const n = run(hostileFrameText, 2000, (text) => checkResult(text, parseClientFrame(text)));
    t.diagnostic(`${n} hostile frames parsed`);
  });

  it('refuses valid frames with one field replaced, deleted or nested deep, without throwing', (t) => {
    const n = run(mutatedFrame, 1000, (text) => checkResult(text, parseClientFrame(text)));
    t.diagnostic(`${n} mutated frames parsed`);
  });

  it('describes a deep or large `t` by its kind, not its content', (t) => {
    const n = run(deepText, 100, (d) => {
      const r = parseClientFrame(`{"t":${d},"id":9}`);
      checkResult(d, r);
      assert.ok(!r.ok && r.code === ErrorCode.INPUT_PARAMETER && r.id === 9);
      assert.match(r.msg, /^t: expected a message type, got (an array of 1 item|an object)$/);
    });
    t.diagnostic(`${n} deep frames parsed`);
    // The reported crash: a 100,000-deep array as the type. And a frame far deeper than any stack.
    const crash = parseClientFrame(`{"t":${nest(100_000, 'array')}}`);
    assert.deepEqual(crash, {
      ok: false,
      id: null,
      code: ErrorCode.INPUT_PARAMETER,
      msg: 't: expected a message type, got an array of 1 item',
    });
    const million = parseClientFrame(nest(1_000_000, 'mixed'));
    assert.deepEqual(million, {
      ok: false,
      id: null,
      code: ErrorCode.INPUT_PARAMETER,
      msg: 'a frame must be a JSON object, got an array of 1 item',
    });
  });

  it('checks huge arrays by their length before their items, and ignores huge key counts', () => {
    const many = new Array(100_000).fill('u');
    const r = parseClientFrame(JSON.stringify({ ...VALID_FRAMES['customCommand'], toUserIDs: many }));
    assert.deepEqual(r, {
      ok: false,
      id: 1,
      code: ErrorCode.INPUT_PARAMETER,
      msg: 'customCommand: toUserIDs: expected at most 200 items, got an array of 100000 items',
    });
    // Extra fields are ignored, however many: only the shape's fields are visited and come out.
    const wide: Record<string, unknown> = { t: 'play', id: 4, streamID: 's' };
    for (let i = 0; i < 50_000; i++) wide[`k${i}`] = [i];
    assert.deepEqual(parseClientFrame(JSON.stringify(wide)), {
      ok: true,
      value: { t: 'play', id: 4, streamID: 's' },
    });
    const longType = parseClientFrame(JSON.stringify({ t: 'x'.repeat(60_000) }));
    assert.ok(!longType.ok);
    assert.equal(longType.msg, 'unknown message type (a string of 60000 characters)');
  });

  it('treats prototype keys as plain data and never pollutes Object.prototype', (t) => {
    const n = run(protoKeyFrame, 500, (text) => checkResult(text, parseClientFrame(text)));
    t.diagnostic(`${n} frames with prototype keys parsed`);
    // A user given only through `__proto__` has no userID; an inherited field never counts as sent.
    const hidden = parseClientFrame(
      '{"t":"login","id":1,"appID":42,"roomID":"r","user":{"__proto__":{"userID":"u1"}},"auth":{"kind":"token","token":"x"}}',
    );
    assert.ok(!hidden.ok && hidden.code === ErrorCode.USER_ID_EMPTY, JSON.stringify(hidden));
    for (const key of PROTOTYPE_KEYS) {
      const r = parseClientFrame(JSON.stringify({ t: key, id: 2 }));
      assert.ok(!r.ok && r.code === ErrorCode.INPUT_PARAMETER && r.id === 2);
    }
    assert.deepEqual(Object.keys(Object.prototype), []);
    assert.equal(({} as Record<string, unknown>)['userID'], undefined);
  });

  it('names wrong types by kind and keeps a plain type name readable', () => {
    const cases: [string, string][] = [
      ['{"t":{"a":1}}', 't: expected a message type, got an object'],
      ['{"t":5}', 't: expected a message type, got an integer'],
      ['{}', 't: expected a message type, got nothing'],
      ['{"t":"shutdown"}', 'unknown message type "shutdown"'],
      [`{"t":"${CANARY}"}`, 'unknown message type (a string of 13 characters)'],
      ['{"t":"hb","ack":"x"}', 'hb.ack: expected an integer >= 0, got a string of 1 character'],
      ['[1,2]', 'a frame must be a JSON object, got an array of 2 items'],
      ['{"t":"play","id":3,"streamID":"s","x":1', 'malformed JSON (39 characters)'],
      [
        JSON.stringify({ ...VALID_FRAMES['login'], user: [[CANARY]] }),
        'login: user: expected an object, got an array of 1 item',
      ],
    ];
    for (const [text, msg] of cases) {
      const r = parseClientFrame(text);
      assert.ok(!r.ok);
      assert.equal(r.msg, msg);
      assert.equal(r.code, ErrorCode.INPUT_PARAMETER);
    }
  });
});

describe('schema toolkit under any JavaScript value', () => {
  const schema = obj({
    kind: literal('a', 'b'),
    n: optional(int(0, 10), 0),
    s: optional(str(8), ''),
    list: optional(arr(str(4), 3), []),
    tagged: optional(union('k', { x: obj({ k: literal('x'), v: raw }) }), undefined),
  });

  it('only ever throws SchemaError, with short messages, for Maps, Dates, sparse arrays and the like', (t) => {
    const anything = fc.oneof(
      fc.anything({
        withBoxedValues: true,
        withMap: true,
        withSet: true,
        withDate: true,
        withTypedArray: true,
        withSparseArray: true,
        withNullPrototype: true,
        withObjectString: true,
      }),
      hostileValue,
      fc.record({ kind: fc.constantFrom('a', 'b'), list: fc.array(hostileValue), tagged: hostileValue }),
    );
    const n = run(anything, 1000, (v) => {
      try {
        schema(v, '');
      } catch (err) {
        assert.ok(err instanceof SchemaError, String(err));
        assert.ok(err.message.length <= MAX_MSG, err.message);
      }
    });
    t.diagnostic(`${n} values checked against a schema`);
  });
});
