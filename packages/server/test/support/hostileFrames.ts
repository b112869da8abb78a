/**
 * Hostile frames for the live-server fuzz test, generated with fast-check from a fixed seed: random JSON and
 * text, nesting as deep as a frame allows, prototype keys, lone surrogates, and valid-looking requests aimed at
 * the legitimate users' room and stream with one field mutated. Every frame fits the server's frame limit.
 */
import fc from 'fast-check';

export const LEGIT_ROOM = 'legit';
export const LEGIT_STREAM = 'legitStream';
export const LEGIT_USERS = ['alice', 'bob'] as const;

/** Requests that name the legitimate room, stream and users, as a hostile client would send them. */
export const TARGETED: Record<string, unknown>[] = [
  { t: 'broadcast', id: 11, roomID: LEGIT_ROOM, message: 'spoofed' },
  { t: 'customCommand', id: 12, roomID: LEGIT_ROOM, command: 'spoofed', toUserIDs: [...LEGIT_USERS] },
  { t: 'setRoomExtraInfo', id: 13, roomID: LEGIT_ROOM, key: 'k', value: 'spoofed' },
  { t: 'publish', id: 14, roomID: LEGIT_ROOM, streamID: LEGIT_STREAM, extraInfo: 'spoofed' },
  { t: 'play', id: 15, streamID: LEGIT_STREAM },
  { t: 'playAnswer', id: 16, streamID: LEGIT_STREAM, sdp: 'v=0' },
  { t: 'stopPlay', id: 17, streamID: LEGIT_STREAM },
  { t: 'unpublish', id: 18, streamID: LEGIT_STREAM },
  { t: 'setStreamExtraInfo', id: 19, streamID: LEGIT_STREAM, extraInfo: 'spoofed' },
  { t: 'streamMediaState', id: 20, streamID: LEGIT_STREAM, audio: 'MUTE', video: 'MUTE' },
  { t: 'logout', id: 21, roomID: LEGIT_ROOM },
  { t: 'renewToken', id: 22, roomID: LEGIT_ROOM, token: '04AAAA' },
  { t: 'resume', id: 23, sessionID: 'guess', resumeKey: 'guess', lastSeq: 0 },
  {
    t: 'login',
    id: 24,
    appID: 1234567,
    roomID: LEGIT_ROOM,
    user: { userID: 'alice', userName: 'alice' },
    auth: { kind: 'token', token: '04AAAA' },
    config: { userUpdate: true, maxMemberCount: 0 },
  },
  { t: 'hb', ack: 1 },
];

const PROTOTYPE_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'valueOf', 'hasOwnProperty'];

/** Any UTF-16 code unit: strings with lone surrogates, which the socket sends as U+FFFD. */
const anyCodeUnit = fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c));

const oddString = fc.oneof(
  fc.string({ unit: anyCodeUnit, maxLength: 40 }),
  fc.constantFrom('\ud800', 'a\udfffb', '\u2028', '\ufeff', '\u0000', '', ...PROTOTYPE_KEYS, ...LEGIT_USERS),
  fc.constantFrom(LEGIT_ROOM, LEGIT_STREAM, 'x'.repeat(2000), '\u4e2d'.repeat(400)),
);

const hostileValue: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.jsonValue({ maxDepth: 2 }),
    oddString,
    fc.constantFrom(0, -1, 0.5, 2 ** 31, 2 ** 53, 1e308, null, true),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(fc.oneof(oddString, fc.constantFrom(...PROTOTYPE_KEYS)), tie('value'), { maxKeys: 4 }),
  ),
})).value;

/** Nesting built as text (JSON.stringify of it would overflow the stack), up to about `maxBytes`. */
export function deepText(maxBytes: number, kind: 'array' | 'object' | 'mixed'): string {
  const [open, close] = kind === 'array' ? ['[', ']'] : kind === 'object' ? ['{"a":', '}'] : ['[{"t":', '}]'];
  const depth = Math.max(1, Math.floor((maxBytes - 4) / (open.length + close.length)));
  return `${open.repeat(depth)}0${close.repeat(depth)}`;
}

const deep = (limit: number): fc.Arbitrary<string> =>
  fc
    .tuple(
      fc.integer({ min: 1, max: limit - 64 }),
      fc.constantFrom('array' as const, 'object' as const, 'mixed' as const),
    )
    .map(([bytes, kind]) => deepText(bytes, kind));

/** A targeted request with one field replaced (by a hostile or deep value) or deleted, or a prototype key. */
const mutated = (limit: number): fc.Arbitrary<string> =>
  fc.constantFrom(...TARGETED).chain((frame) =>
    fc
      .tuple(
        fc.constantFrom(...Object.keys(frame), ...PROTOTYPE_KEYS),
        fc.oneof(
          hostileValue.map((value) => ({ value })),
          deep(limit - 400).map((text) => ({ text })),
          fc.constant(null),
        ),
      )
      .map(([key, change]) => {
        const copy: Record<string, unknown> = { ...frame };
        if (change === null) {
          delete copy[key];
          return JSON.stringify(copy);
        }
        // defineProperty gives an own `__proto__` key, as a client's JSON would, instead of a prototype.
        const slot = '\u0000slot\u0000';
        const value = 'value' in change ? change.value : slot;
        Object.defineProperty(copy, key, { value, enumerable: true, configurable: true, writable: true });
        const text = JSON.stringify(copy);
        return 'text' in change ? text.replace(JSON.stringify(slot), change.text) : text;
      }),
  );

/** Every kind of hostile text frame, each at most `limit` bytes once UTF-8 encoded. */
export function hostileText(limit: number): fc.Arbitrary<string> {
  return fc
    .oneof(
      fc.json(),
      fc.string({ unit: anyCodeUnit, maxLength: 100 }),
      hostileValue.map((v) => JSON.stringify(v) ?? 'null'),
      hostileValue.map((t) => JSON.stringify({ t, id: 5 })),
      deep(limit),
      deep(limit - 20).map((d) => `{"t":${d},"id":6}`),
      mutated(limit),
      mutated(limit),
    )
    .filter((text) => Buffer.byteLength(text) <= limit);
}

/** Deterministic samples of an arbitrary: the same frames on every run. */
export function sample<T>(arb: fc.Arbitrary<T>, count: number, seed: number): T[] {
  return fc.sample(arb, { numRuns: count, seed });
}
