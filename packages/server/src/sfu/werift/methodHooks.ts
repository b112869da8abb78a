/**
 * Hooks around the werift methods that read or write the fields the forwarding fast path keeps apart: the
 * fast path learns of werift's writes, and hands werift what it counted, at the werift methods that make or
 * need them — instead of through accessors installed on werift's objects.
 *
 * Why not accessors: redefining an existing data field of an object as an accessor puts the whole object in
 * V8's dictionary mode (a hash table of every property in place of a shared hidden class). For werift's
 * `RTCRtpSender` (about seventy fields) that is 3.1 KiB per sender, measured: 20,000 senders took 7.7 KiB
 * each as werift makes them and 11.0 KiB each with the nine checked fields and seven counters redefined; the
 * DTLS transport, the ICE connection and the nominated candidate pair cost 1.6 KiB each the same way, about
 * 7.9 KiB per player transport in a heap snapshot of the bench server. Adding a property (the symbol below)
 * keeps an object's hidden class shared.
 *
 * A class's hooked methods are wrapped once, on its prototype; an instance opts in by holding its
 * {@link MethodHooks} under the class's symbol, and an instance without one runs werift's method as it is.
 * Which methods must be hooked is not a list kept by hand: {@link methodsTouching} reads werift's own
 * methods' source, and the start-up shape check (checkWeriftShapes.ts) refuses a werift whose methods
 * writing a checked field or reading a counter are not exactly the hooked ones.
 */

/** What an instance's hooked methods call around werift's own code. */
export interface MethodHooks {
  /** Before werift's method runs: add what the fast path counted to werift's own counters, which it may read. */
  beforeWerift(): void;
  /** After it returned (an async method: after its synchronous part, where werift assigns these fields). */
  afterWerift(): void;
}

/** The methods wrapped so far, by prototype, with the key each calls. */
const wrapped = new WeakMap<object, Map<string, symbol>>();
/** The source of werift's method behind each wrapper (what {@link methodsTouching} reads). */
const originals = new WeakMap<(...args: unknown[]) => unknown, string>();

/**
 * Wraps `methods` of `proto` (own methods of the prototype or of one it inherits from; each wrapped on the
 * prototype that defines it, once) to call the hooks an instance holds under `key`. Throws if one is missing,
 * not a plain method, or hooked already under another key (one method calls one kind of hooks).
 */
export function hookMethods(proto: object, key: symbol, methods: readonly string[]): void {
  for (const name of methods) {
    const owner = definingPrototype(proto, name);
    const done = wrapped.get(owner) ?? new Map<string, symbol>();
    wrapped.set(owner, done);
    const hookedWith = done.get(name);
    if (hookedWith === key) continue;
    if (hookedWith !== undefined) throw new Error(`werift's ${name} is hooked already, for other hooks`);
    const descriptor = Object.getOwnPropertyDescriptor(owner, name)!;
    const original = descriptor.value as (...args: unknown[]) => unknown;
    if (typeof original !== 'function') throw new Error(`werift's ${name} is not a method`);
    const hooked = function (this: Record<symbol, MethodHooks | undefined>, ...args: unknown[]): unknown {
      const hooks = this[key];
      if (hooks === undefined) return original.apply(this, args);
      hooks.beforeWerift();
      try {
        return original.apply(this, args);
      } finally {
        hooks.afterWerift();
      }
    };
    originals.set(hooked as (...args: unknown[]) => unknown, Function.prototype.toString.call(original));
    Object.defineProperty(owner, name, { ...descriptor, value: hooked });
    done.set(name, key);
  }
}

/** The source of `fn` as werift wrote it: for a hooked method, the original's, not the wrapper's. */
export function sourceOf(fn: (...args: unknown[]) => unknown): string {
  return originals.get(fn) ?? Function.prototype.toString.call(fn);
}

/** Whether `proto`'s method `name` is hooked (for the start-up check). */
export function isHooked(proto: object, name: string): boolean {
  try {
    return wrapped.get(definingPrototype(proto, name))?.has(name) ?? false;
  } catch {
    return false;
  }
}

function definingPrototype(proto: object, name: string): object {
  for (let p: object | null = proto; p !== null && p !== Object.prototype; p = Object.getPrototypeOf(p)) {
    if (Object.hasOwn(p, name)) return p;
  }
  throw new Error(`werift has no method ${name}`);
}

/**
 * The methods and accessors of `proto` and the prototypes it inherits from (up to Object.prototype, the
 * constructor left out: it runs before any hook is in place) whose source writes (`this.f =`, `+=`, `++`…)
 * or, with `reads`, also reads `this.f` for one of `fields`. Names of accessors are given as `get name` or
 * `set name`. Read from werift's compiled JavaScript: a name that only appears in a comment or a string
 * counts too, which can only add a method.
 */
export function methodsTouching(proto: object, fields: readonly string[], reads: boolean): string[] {
  const pattern = touching(fields, reads);
  const found: string[] = [];
  for (let p: object | null = proto; p !== null && p !== Object.prototype; p = Object.getPrototypeOf(p)) {
    for (const [label, source] of memberSources(p)) {
      pattern.lastIndex = 0;
      if (pattern.test(source) && !found.includes(label)) found.push(label);
    }
  }
  return found.sort();
}

/**
 * How many writes (or, with `reads`, accesses) of `this.f` for one of `fields` the source of class `cls` has
 * outside its prototype's methods and accessors: in its constructor or in functions it makes per instance,
 * which no prototype hook reaches. 0 when every one is in a method {@link methodsTouching} finds.
 */
export function touchesOutsideMethods(
  cls: { prototype: object },
  fields: readonly string[],
  reads: boolean,
): number {
  const pattern = touching(fields, reads);
  const count = (source: string): number => source.match(pattern)?.length ?? 0;
  let inMembers = 0;
  for (const [, source] of memberSources(cls.prototype)) inMembers += count(source);
  return count(Function.prototype.toString.call(cls)) - inMembers;
}

/** The pattern of a write (`this.f =`, `+=`, `++`…) or, with `reads`, any access of `this.f`. */
function touching(fields: readonly string[], reads: boolean): RegExp {
  const f = `this\\.(?:${fields.map((name) => name.replace(/[$]/g, '\\$')).join('|')})`;
  return reads
    ? new RegExp(`${f}\\b`, 'g')
    : new RegExp(
        `${f}\\s*(?:[-+*/%&|^]|<<|>>>?|\\?\\?|&&|\\|\\|)?=(?!=)|(?:\\+\\+|--)\\s*${f}\\b|${f}\\s*(?:\\+\\+|--)`,
        'g',
      );
}

/**
 * The source of each own method and accessor of `proto` (`name`, `get name`, `set name`), constructor aside, as
 * werift wrote it: a hooked method's original, not the wrapper's.
 */
export function memberSources(proto: object): [string, string][] {
  const out: [string, string][] = [];
  for (const name of Object.getOwnPropertyNames(proto)) {
    if (name === 'constructor') continue;
    const d = Object.getOwnPropertyDescriptor(proto, name)!;
    for (const [label, fn] of [
      [name, d.value],
      [`get ${name}`, d.get],
      [`set ${name}`, d.set],
    ] as const) {
      if (typeof fn === 'function') out.push([label, sourceOf(fn as (...args: unknown[]) => unknown)]);
    }
  }
  return out;
}
