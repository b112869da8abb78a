/**
 * A small structural validator for untrusted JSON. Each `Schema<T>` checks a value and returns it typed, or
 * throws a {@link SchemaError} naming the path. Only what the protocol needs: no coercion, no defaults
 * besides `optional(…, default)`.
 */
export class SchemaError extends Error {
  constructor(
    readonly path: string,
    readonly expected: string,
  ) {
    super(`${path || 'value'}: expected ${expected}`);
    this.name = 'SchemaError';
  }
}

export type Schema<T> = (value: unknown, path: string) => T;
export type Infer<S> = S extends Schema<infer T> ? T : never;

export const str =
  (maxLength = 1 << 16): Schema<string> =>
  (v, path) => {
    if (typeof v !== 'string') throw new SchemaError(path, 'a string');
    if (v.length > maxLength) throw new SchemaError(path, `at most ${maxLength} characters`);
    return v;
  };

/** Any string, unchecked here because a semantic check with its own Express code follows. */
export const raw: Schema<unknown> = (v) => v;

export const int =
  (min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER): Schema<number> =>
  (v, path) => {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
      throw new SchemaError(path, `an integer in ${min}..${max}`);
    }
    return v;
  };

export const bool: Schema<boolean> = (v, path) => {
  if (typeof v !== 'boolean') throw new SchemaError(path, 'a boolean');
  return v;
};

export const literal =
  <L extends string>(...values: L[]): Schema<L> =>
  (v, path) => {
    if (typeof v !== 'string' || !(values as string[]).includes(v)) {
      throw new SchemaError(path, values.map((x) => JSON.stringify(x)).join(' | '));
    }
    return v as L;
  };

export const arr =
  <T>(item: Schema<T>, maxItems: number): Schema<T[]> =>
  (v, path) => {
    if (!Array.isArray(v)) throw new SchemaError(path, 'an array');
    if (v.length > maxItems) throw new SchemaError(path, `at most ${maxItems} items`);
    return v.map((x, i) => item(x, `${path}[${i}]`));
  };

/** An optional field: `undefined` (or absent) becomes `fallback`. */
export const optional =
  <T, D extends T | undefined>(inner: Schema<T>, fallback: D): Schema<T | D> =>
  (v, path) =>
    v === undefined ? fallback : inner(v, path);

type Shape = Record<string, Schema<unknown>>;
export type ObjectOf<S extends Shape> = { [K in keyof S]: Infer<S[K]> };

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** An object with exactly these fields checked; unknown extra fields are ignored (forward compatibility). */
export const obj =
  <S extends Shape>(shape: S): Schema<ObjectOf<S>> =>
  (v, path) => {
    if (!isPlainObject(v)) throw new SchemaError(path, 'an object');
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(shape)) {
      out[key] = shape[key]!(v[key], path ? `${path}.${key}` : key);
    }
    return out as ObjectOf<S>;
  };

/** One of several object shapes chosen by the string field `tag`. */
export const union =
  <T>(tag: string, variants: Record<string, Schema<T>>): Schema<T> =>
  (v, path) => {
    if (!isPlainObject(v)) throw new SchemaError(path, 'an object');
    const kind = v[tag];
    if (typeof kind !== 'string' || !Object.hasOwn(variants, kind)) {
      throw new SchemaError(path ? `${path}.${tag}` : tag, Object.keys(variants).join(' | '));
    }
    return variants[kind]!(v, path);
  };
