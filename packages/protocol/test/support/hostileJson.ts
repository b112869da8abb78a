/**
 * fast-check arbitraries for hostile frame text: random JSON, nesting far deeper than any stack, huge arrays,
 * prototype keys, lone surrogates, and valid frames with one field mutated. Each text may carry a canary, a
 * string the parser must never echo back in an error message.
 */
import fc from 'fast-check';

/** Contains '<' and ':', which no type name has, so even a refused `t` holding it is never echoed. */
export const CANARY = '<canary:7f3e>';

/** Frames the parser accepts, one per message type; mutations start from these. */
export const VALID_FRAMES: Record<string, Record<string, unknown>> = {
  hb: { t: 'hb', ack: 0 },
  login: {
    t: 'login',
    id: 1,
    appID: 42,
    roomID: 'room-1',
    user: { userID: 'u1', userName: 'Ann' },
    auth: { kind: 'token', token: '04abc' },
    config: { userUpdate: true, maxMemberCount: 3 },
  },
  resume: { t: 'resume', id: 1, sessionID: 's1', resumeKey: 'k1', lastSeq: 0 },
  logout: { t: 'logout', id: 1, roomID: 'r' },
  renewToken: { t: 'renewToken', id: 1, roomID: 'r', token: '04abc' },
  publish: { t: 'publish', id: 1, roomID: 'r', streamID: 's', extraInfo: '', sdp: 'v=0', audio: 'OPEN' },
  play: { t: 'play', id: 1, streamID: 's' },
  playAnswer: { t: 'playAnswer', id: 1, streamID: 's', sdp: 'v=0' },
  stopPlay: { t: 'stopPlay', id: 1, streamID: 's' },
  streamMediaState: { t: 'streamMediaState', id: 1, streamID: 's', audio: 'MUTE', video: 'OPEN' },
  unpublish: { t: 'unpublish', id: 1, streamID: 's' },
  setStreamExtraInfo: { t: 'setStreamExtraInfo', id: 1, streamID: 's', extraInfo: 'x' },
  broadcast: { t: 'broadcast', id: 1, roomID: 'r', message: 'hi' },
  customCommand: { t: 'customCommand', id: 1, roomID: 'r', command: 'c', toUserIDs: ['u2', 'u3'] },
  setRoomExtraInfo: { t: 'setRoomExtraInfo', id: 1, roomID: 'r', key: 'k', value: 'v' },
};

export const PROTOTYPE_KEYS = [
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'valueOf',
  'hasOwnProperty',
  'isPrototypeOf',
  '__defineGetter__',
];

/** Any UTF-16 code unit, lone surrogates included, so strings need not be well-formed Unicode. */
const anyCodeUnit = fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c));

export const oddString = fc.oneof(
  fc.string({ unit: anyCodeUnit, maxLength: 64 }),
  fc.string({ unit: 'binary', maxLength: 64 }),
  fc.constantFrom('\ud800', '\udfff', 'a\ud800b', '\u2028\u2029', '\ufeff', '\u0000', 'é'.normalize('NFD')),
  fc.constantFrom(...PROTOTYPE_KEYS),
  fc.constant(CANARY),
  fc.string({ maxLength: 8 }).map((s) => `${s}${CANARY}${s}`),
);

/**
 * Nested values as JSON text, built by concatenation: JSON.stringify of such a value would itself overflow
 * the stack. Depths go well past the depth at which JSON.stringify overflows V8's stack (about 10,000).
 */
export const deepText = fc
  .record({
    depth: fc.oneof(fc.integer({ min: 1, max: 100 }), fc.integer({ min: 5_000, max: 25_000 })),
    kind: fc.constantFrom('array', 'object', 'mixed', 'protoChain'),
  })
  .map(({ depth, kind }) => nest(depth, kind));

export function nest(depth: number, kind: string): string {
  switch (kind) {
    case 'array':
      return `${'['.repeat(depth)}"${CANARY}"${']'.repeat(depth)}`;
    case 'object':
      return `${'{"a":'.repeat(depth)}"${CANARY}"${'}'.repeat(depth)}`;
    case 'protoChain':
      return `${'{"__proto__":'.repeat(depth)}"${CANARY}"${'}'.repeat(depth)}`;
    default:
      return `${'[{"t":'.repeat(depth)}"${CANARY}"${'}]'.repeat(depth)}`;
  }
}

/** A JSON value that JSON.stringify can handle, with hostile strings and keys mixed in. */
export const hostileValue: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.jsonValue({ maxDepth: 3 }),
    oddString,
    fc.constantFrom(0, -1, 1.5, 2 ** 31, 2 ** 53, Number.MAX_VALUE, -0, null, true, false),
    fc.array(tie('value'), { maxLength: 5 }),
    fc.dictionary(fc.oneof(oddString, fc.constantFrom(...PROTOTYPE_KEYS)), tie('value'), { maxKeys: 5 }),
  ),
})).value;

/** A placeholder replaced by nested text after JSON.stringify, so deep values can sit in any field. */
const DEEP_SLOT = '\u0000deep-slot\u0000';

type Replacement = { kind: 'value'; value: unknown } | { kind: 'deep'; text: string } | { kind: 'delete' };

const replacement: fc.Arbitrary<Replacement> = fc.oneof(
  { weight: 3, arbitrary: hostileValue.map((value) => ({ kind: 'value' as const, value })) },
  { weight: 1, arbitrary: deepText.map((text) => ({ kind: 'deep' as const, text })) },
  { weight: 1, arbitrary: fc.constant({ kind: 'delete' as const }) },
  {
    weight: 1,
    arbitrary: fc
      .integer({ min: 201, max: 20_000 })
      .map((n) => ({ kind: 'value' as const, value: new Array<string>(n).fill('u') })),
  },
);

/** Paths into a frame: its own fields plus the nested ones of login and customCommand. */
function pathsOf(frame: Record<string, unknown>): string[][] {
  const paths: string[][] = [];
  for (const [key, v] of Object.entries(frame)) {
    paths.push([key]);
    if (v && typeof v === 'object') for (const inner of Object.keys(v)) paths.push([key, inner]);
  }
  return paths;
}

function mutate(frame: Record<string, unknown>, path: string[], r: Replacement): string {
  const copy = structuredClone(frame);
  let target = copy as Record<string, unknown>;
  for (const key of path.slice(0, -1)) target = target[key] as Record<string, unknown>;
  const last = path[path.length - 1]!;
  if (r.kind === 'delete') delete target[last];
  else target[last] = r.kind === 'deep' ? DEEP_SLOT : r.value;
  const text = JSON.stringify(copy);
  return r.kind === 'deep' ? text.replace(JSON.stringify(DEEP_SLOT), r.text) : text;
}

/** A valid frame of any type with one field (or nested field) replaced, deleted, or made deep. */
export const mutatedFrame: fc.Arbitrary<string> = fc
  .constantFrom(...Object.values(VALID_FRAMES))
  .chain((frame) =>
    fc.tuple(fc.constantFrom(...pathsOf(frame)), replacement).map(([path, r]) => mutate(frame, path, r)),
  );

/** A valid frame with a prototype key added at the top or inside a nested object, holding a hostile value. */
export const protoKeyFrame: fc.Arbitrary<string> = fc
  .tuple(
    fc.constantFrom(...Object.values(VALID_FRAMES)),
    fc.constantFrom(...PROTOTYPE_KEYS),
    hostileValue,
    fc.boolean(),
  )
  .map(([frame, key, value, nested]) => {
    const copy = structuredClone(frame);
    const inner = Object.values(copy).find((v) => v && typeof v === 'object' && !Array.isArray(v));
    const target = (nested && inner ? inner : copy) as Record<string, unknown>;
    // defineProperty makes an own `__proto__` key, as JSON.parse does, instead of setting the prototype.
    Object.defineProperty(target, key, { value, enumerable: true, configurable: true, writable: true });
    return JSON.stringify(copy);
  });

/** Valid frame text with a few characters inserted, removed or replaced. */
export const corruptedText: fc.Arbitrary<string> = fc
  .tuple(
    fc.constantFrom(...Object.values(VALID_FRAMES)).map((f) => JSON.stringify(f)),
    fc.array(fc.tuple(fc.nat(), fc.nat(3), fc.string({ unit: anyCodeUnit, maxLength: 3 })), {
      minLength: 1,
      maxLength: 4,
    }),
  )
  .map(([text, edits]) => {
    let out = text;
    for (const [at, remove, insert] of edits) {
      const i = at % (out.length + 1);
      out = out.slice(0, i) + insert + out.slice(i + remove);
    }
    return out;
  });

/** Every kind of hostile frame text above, plus plain random JSON and random strings. */
export const hostileFrameText: fc.Arbitrary<string> = fc.oneof(
  fc.json(),
  fc.string({ unit: anyCodeUnit, maxLength: 200 }),
  hostileValue.map((v) => JSON.stringify(v) ?? 'undefined'),
  hostileValue.map((t) => JSON.stringify({ t, id: 1 }) ?? ''),
  deepText,
  deepText.map((d) => `{"t":${d},"id":3}`),
  mutatedFrame,
  protoKeyFrame,
  corruptedText,
);
