/**
 * A small structural validator for untrusted JSON. Each `Schema<T>` checks a value and returns it typed, or
 * throws a {@link SchemaError} naming the path. Only what the protocol needs: no coercion, no defaults
 * besides `optional(…, default)`.
 *
 * The input is hostile, so the work done on it is bounded by the schema, never by the input: a schema
 * visits only the fields its shape names (own fields only, so `__proto__` or `constructor` keys are plain
 * data), checks an array's length before its items, and `raw` hands a value on without looking inside it.
 * Error messages describe a bad value by its kind and size ({@link describeValue}), never by its content.
 *
 * The protocol's request types are inferred from these schemas ({@link Infer}), and fields with an Express code
 * of their own are checked inside them ({@link coded}), so what the server validates and what the SDKs send
 * cannot drift apart.
 */
import { ErrorCode, errorMessage } from './errors.js';

export class SchemaError extends Error {
  /**
   * @param expected what the value should have been (a structural failure), or null for a failed semantic
   *   check, whose message is then its code's own.
   * @param code the Express code of the refusal: 1100001 for structure, the check's own code otherwise.
   */
  constructor(
    readonly path: string,
    readonly expected: string | null,
    value: unknown,
    readonly code: number = ErrorCode.INPUT_PARAMETER,
  ) {
    super(
      expected === null
        ? `${errorMessage(code)} (${path || 'value'})`
        : `${path || 'value'}: expected ${expected}, got ${describeValue(value)}`,
    );
    this.name = 'SchemaError';
  }
}

/**
 * A short description of a value by its kind and size, never by its content, for error messages about
 * untrusted input: it costs O(1) whatever the value holds (stringifying a deeply nested array overflows the
 * stack), and it echoes nothing a client sent into replies or logs.
 * @example
 * describeValue([[1], 2]); // 'an array of 2 items'
 */
export function describeValue(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return `an array of ${plural(v.length, 'item')}`;
  switch (typeof v) {
    case 'string':
      return `a string of ${plural(v.length, 'character')}`;
    case 'number':
      return Number.isInteger(v) ? 'an integer' : 'a non-integer number';
    case 'boolean':
      return 'a boolean';
    case 'object':
      return isRecord(v) ? 'an object' : 'a non-plain object';
    default:
      return `a ${typeof v}`;
  }
}

function plural(n: number, unit: string): string {
  return `${n} ${unit}${n === 1 ? '' : 's'}`;
}

export type Schema<T> = (value: unknown, path: string) => T;
export type Infer<S> = S extends Schema<infer T> ? T : never;

export const str =
  (maxLength = 1 << 16): Schema<string> =>
  (v, path) => {
    if (typeof v !== 'string') throw new SchemaError(path, 'a string', v);
    if (v.length > maxLength) throw new SchemaError(path, `at most ${maxLength} characters`, v);
    return v;
  };

/**
 * A value passed on unchecked and unvisited, because a semantic check with its own Express code follows; that
 * check must accept only strings or numbers, so no nested structure from a client travels past the parser.
 */
export const raw: Schema<unknown> = (v) => v;

/**
 * A value accepted by a semantic check of limits.ts (`checkRoomId`, `checkMessage`, …), which answers 0 or the
 * value's own Express code and accepts only strings (or numbers), so nothing nested passes. `coded` is for
 * strings, `codedNumber` for numbers (`checkAppId`). Two names rather than a type parameter: inside an object
 * shape the parameter would be inferred from the shape's `Schema<unknown>` and lose the type.
 */
export const coded =
  (check: (value: unknown) => number): Schema<string> =>
  (v, path) => {
    const code = check(v);
    if (code !== 0) throw new SchemaError(path, null, v, code);
    return v as string;
  };

export const codedNumber =
  (check: (value: unknown) => number): Schema<number> =>
  (v, path) => {
    const code = check(v);
    if (code !== 0) throw new SchemaError(path, null, v, code);
    return v as number;
  };

/** A further check of a whole value that already has its shape (answers 0 or the Express code). */
export const refine =
  <T>(inner: Schema<T>, check: (value: T) => number, what: string): Schema<T> =>
  (v, path) => {
    const value = inner(v, path);
    const code = check(value);
    if (code !== 0) throw new SchemaError(path ? `${path}.${what}` : what, null, v, code);
    return value;
  };

export const int =
  (min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER): Schema<number> =>
  (v, path) => {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
      throw new SchemaError(path, `an integer in ${min}..${max}`, v);
    }
    return v;
  };

export const bool: Schema<boolean> = (v, path) => {
  if (typeof v !== 'boolean') throw new SchemaError(path, 'a boolean', v);
  return v;
};

export const literal =
  <L extends string>(...values: L[]): Schema<L> =>
  (v, path) => {
    if (typeof v !== 'string' || !(values as string[]).includes(v)) {
      throw new SchemaError(path, values.map((x) => JSON.stringify(x)).join(' | '), v);
    }
    return v as L;
  };

export const arr =
  <T>(item: Schema<T>, maxItems: number): Schema<T[]> =>
  (v, path) => {
    if (!Array.isArray(v)) throw new SchemaError(path, 'an array', v);
    // The length first: the items are visited only once their number is known to be small.
    if (v.length > maxItems) throw new SchemaError(path, `at most ${maxItems} items`, v);
    const out: T[] = [];
    for (let i = 0; i < v.length; i++) out.push(item(v[i], `${path}[${i}]`));
    return out;
  };

/** An optional field: `undefined` (or absent) becomes `fallback`. */
export const optional =
  <T, D extends T | undefined>(inner: Schema<T>, fallback: D): Schema<T | D> =>
  (v, path) =>
    v === undefined ? fallback : inner(v, path);

type Shape = Record<string, Schema<unknown>>;
/** The keys of a shape whose schema accepts `undefined`: optional in the inferred type. */
type OptionalKeys<S extends Shape> = {
  [K in keyof S]: undefined extends Infer<S[K]> ? K : never;
}[keyof S];
type Flatten<T> = { [K in keyof T]: T[K] };
export type ObjectOf<S extends Shape> = Flatten<
  { [K in Exclude<keyof S, OptionalKeys<S>>]: Infer<S[K]> } & { [K in OptionalKeys<S>]?: Infer<S[K]> }
>;

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A plain object as JSON.parse makes them (prototype Object.prototype or null), not a Map, Date or class. */
function isRecord(v: unknown): v is Record<string, unknown> {
  if (!isPlainObject(v)) return false;
  const proto: unknown = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/** An own field only: an absent field is absent, even if `Object.prototype` has a property of that name. */
function field(v: Record<string, unknown>, key: string): unknown {
  return Object.hasOwn(v, key) ? v[key] : undefined;
}

/** An object with exactly these fields checked; unknown extra fields are ignored (forward compatibility). */
export const obj =
  <S extends Shape>(shape: S): Schema<ObjectOf<S>> =>
  (v, path) => {
    if (!isRecord(v)) throw new SchemaError(path, 'an object', v);
    // Only the shape's keys are visited, so a frame with a million keys costs what one with three does.
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(shape)) {
      out[key] = shape[key]!(field(v, key), path ? `${path}.${key}` : key);
    }
    return out as ObjectOf<S>;
  };

/** One of several object shapes chosen by the string field `tag`. */
export const union =
  <T>(tag: string, variants: Record<string, Schema<T>>): Schema<T> =>
  (v, path) => {
    if (!isRecord(v)) throw new SchemaError(path, 'an object', v);
    const kind = field(v, tag);
    if (typeof kind !== 'string' || !Object.hasOwn(variants, kind)) {
      throw new SchemaError(path ? `${path}.${tag}` : tag, Object.keys(variants).join(' | '), kind);
    }
    return variants[kind]!(v, path);
  };
