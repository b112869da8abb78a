/**
 * The werift methods a {@link PairRoute} runs around: those of the ICE connection that write its `nominated`
 * pair, after which the route resolves again, and those that read a candidate pair's `packetsSent` or
 * `bytesSent`, before which the route adds what it counted to the pair's own fields. The route used to learn
 * both through accessors installed on the connection and on the pair, which kept each of them in V8's
 * dictionary mode (1.6 KiB apiece, methodHooks.ts); with these hooks werift's objects keep their hidden class.
 *
 * The lists are werift 0.25.2's. {@link pairHookProblems} reads werift's own sources at start-up and names
 * every write of `nominated` and every read of a pair's counter that no hooked method covers — one in a method
 * left off these lists, or one in a constructor or an instance function, which no prototype hook can reach —
 * so that a werift upgrade that moved one stops the server instead of leaving a route on a stale pair or
 * werift's statistics short.
 */
import { CandidatePair, Connection, RTCIceTransport } from 'werift';
import {
  hookMethods,
  isHooked,
  type MethodHooks,
  memberSources,
  methodsTouching,
  touchesOutsideMethods,
} from './methodHooks.js';

/** The ICE connection's methods that write `nominated` (werift 0.25.2); each in its synchronous part. */
export const NOMINATION_WRITERS = ['checkComplete', 'close', 'resetNominatedPair', 'restart'] as const;

/** The ICE transport's methods that read a candidate pair's counters: `getStats`, of `connection.candidatePairs`. */
export const PAIR_COUNTER_READERS = ['getStats'] as const;

/** werift's candidate-pair statistics a route counts beside the pair. */
export const PAIR_COUNTERS = ['packetsSent', 'bytesSent'] as const;

/** Under this symbol werift's ICE connection holds the hooks of its route (its ICE transport reads them there). */
const ROUTE_HOOKS = Symbol('parley.routeHooks');

/** The classes whose sources are searched, each with the methods hooked on it. */
const HOOKED: readonly { name: string; cls: { prototype: object }; methods: readonly string[] }[] = [
  { name: 'Connection', cls: Connection, methods: NOMINATION_WRITERS },
  { name: 'RTCIceTransport', cls: RTCIceTransport, methods: PAIR_COUNTER_READERS },
  { name: 'CandidatePair', cls: CandidatePair, methods: [] },
];

/** A property access `.packetsSent` or `.bytesSent`, on any object. */
const COUNTER_ACCESS = /\.(?:packetsSent|bytesSent)\b/g;
/** What follows an access that adds to the field: a read-modify-write, exact whoever counted first. */
const ADDS = /^\s*(?:\+\+|--|[-+]=)/;

/** The source of each method and accessor of a class's prototype, and of the whole class. */
interface Sources {
  members: Map<string, string>;
  text: string;
}

const installProblems: string[] = [];
let installed = false;

/** The sources of the hooked classes as werift wrote them (a hooked method's original, see memberSources). */
function weriftSources(): Map<string, Sources> {
  const sources = new Map<string, Sources>();
  for (const { name, cls } of HOOKED) {
    sources.set(name, {
      members: new Map(memberSources(cls.prototype)),
      text: Function.prototype.toString.call(cls),
    });
  }
  return sources;
}

/**
 * Wraps the methods listed above on werift's prototypes (once; an instance without a route runs them as
 * werift wrote them). Called before the first route is made, and before followNomination.ts binds
 * `checkComplete`, so that its bound method is the hooked one. A method werift no longer has is left out and
 * reported by {@link pairHookProblems}, not thrown here.
 */
export function installPairHooks(): void {
  if (installed) return;
  installed = true;
  // An ICE transport's hooks are its connection's route: one accessor on the prototype, nothing per transport.
  Object.defineProperty(RTCIceTransport.prototype, ROUTE_HOOKS, {
    configurable: true,
    get(this: { connection?: Record<symbol, MethodHooks | undefined> }) {
      return this.connection?.[ROUTE_HOOKS];
    },
  });
  for (const { name, cls, methods } of HOOKED) {
    for (const method of methods) {
      try {
        hookMethods(cls.prototype, ROUTE_HOOKS, [method]);
      } catch (error) {
        installProblems.push(`${name}.${method} cannot be hooked: ${(error as Error).message}`);
      }
    }
  }
}

/**
 * Makes werift's ICE connection `connection` call `hooks` around its hooked methods, and its ICE transport
 * around `getStats` (which finds them through its `connection`).
 */
export function holdRouteHooks(connection: object, hooks: MethodHooks): void {
  (connection as Record<symbol, MethodHooks>)[ROUTE_HOOKS] = hooks;
}

/**
 * What keeps the routes from following werift exactly, one line each (empty when nothing does): a method
 * writing `nominated` or reading a pair's counter that is not hooked, a hooked one that no longer does, or such
 * a write or read outside any prototype method. For the start-up shape check (checkWeriftShapes.ts).
 */
export function pairHookProblems(): string[] {
  installPairHooks();
  const problems = [...installProblems];
  const all = weriftSources();

  const writers = methodsTouching(Connection.prototype, ['nominated'], false);
  for (const name of writers) {
    if (!(NOMINATION_WRITERS as readonly string[]).includes(name))
      problems.push(`Connection.${name} writes nominated, unhooked: a route would miss the new pair`);
  }
  for (const name of NOMINATION_WRITERS) {
    if (!writers.includes(name))
      problems.push(`Connection.${name} is hooked, but no longer writes nominated`);
    else if (!isHooked(Connection.prototype, name)) problems.push(`Connection.${name} is not hooked`);
  }
  const outside = touchesOutsideMethods(Connection, ['nominated'], false);
  if (outside > 0) {
    problems.push(
      `Connection writes nominated ${outside}× outside its methods (constructor or instance function)`,
    );
  }

  for (const { name, methods } of HOOKED) {
    const { members, text } = all.get(name)!;
    const readers = [...members].filter(([, s]) => counterReads(s) > 0).map(([label]) => label);
    for (const label of readers) {
      if (!methods.includes(label))
        problems.push(`${name}.${label} reads a pair's ${PAIR_COUNTERS.join('/')}, unhooked: a short count`);
    }
    if (name === 'RTCIceTransport') {
      for (const method of methods) {
        if (!readers.includes(method))
          problems.push(`${name}.${method} is hooked, but no longer reads the counters`);
      }
    }
    const reads = counterReads(text) - sum(members, counterReads);
    if (reads > 0) {
      problems.push(
        `${name} reads ${PAIR_COUNTERS.join('/')} ${reads}× outside its methods (constructor or instance function)`,
      );
    }
  }
  return problems;
}

/**
 * The reads of `.packetsSent` or `.bytesSent` in `source` that are not additions (`+= n`, `++`): werift's
 * `pair.packetsSent++` adds to the route's flushed count and needs no hook. A plain assignment counts as a read,
 * since it would drop what the route adds later; so does a prefix `++x.packetsSent`, which can only report a
 * read too many.
 */
function counterReads(source: string): number {
  let reads = 0;
  for (const match of source.matchAll(COUNTER_ACCESS)) {
    if (!ADDS.test(source.slice(match.index + match[0].length, match.index + match[0].length + 8)))
      reads += 1;
  }
  return reads;
}

function sum(members: Map<string, string>, f: (source: string) => number): number {
  let total = 0;
  for (const source of members.values()) total += f(source);
  return total;
}
