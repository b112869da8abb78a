/**
 * Replaces the per-instance arrow functions of werift's event objects with shared methods, once a peer
 * connection is up.
 *
 * werift's `Event` (common/src/event.ts) defines its ten methods (`execute`, `subscribe`, `once`, …) as arrow
 * functions in class fields, so every instance carries ten closures and a context of its own: about 600 bytes
 * before anything subscribes. A peer connection with one transceiver has about 52 of them (ICE, DTLS, SRTP,
 * sender, receiver, track, connection states), most never subscribed to: a heap snapshot of the bench server
 * counted ~38 KiB per player transport in them. The shared methods below do what werift's arrows do, with
 * `this` for the instance; werift and Parley call them on the event (`event.execute(…)`, `pc.onX.subscribe(…)`),
 * so the receiver is the event. A closure someone took before the swap (`socket.on('message', ev.execute)`)
 * keeps working: it is werift's own, bound to its instance, and stays alive only as long as its holder does.
 * The swap is made only while werift's event is the one these methods were written from (checked once by its
 * methods' source, {@link weriftEventIsKnown}); any other version keeps its own.
 */
import { createHash } from 'node:crypto';
import { Event } from 'werift';
import { flattenUuids } from './flatUuids.js';
import { type EventItem, WERIFT_EVENT_SOURCE_SHA256, type WeriftEvent } from './shapes.js';

/** The methods werift's event defines per instance, replaced by the shared ones. */
const METHODS = [
  'execute',
  'complete',
  'error',
  'allUnsubscribe',
  'subscribe',
  'queuingSubscribe',
  'once',
  'watch',
  'asPromise',
] as const;

function noop(): void {}

/**
 * The subscriber list of every swapped event's empty lists, and the state of every swapped event without a
 * subscriber and ids to keep (see {@link shareIdleState}). The list is frozen: only the shared methods add
 * subscribers, and they give an event a list of its own first. The state is not: a subscription taken with
 * werift's own `subscribe` before the swap may still be unsubscribed, and werift's `unSubscribe` then assigns
 * the filtered list, empty, to the state's `stack`; no method ever adds to the idle state's lists.
 */
const NO_ITEMS = Object.freeze([]) as unknown as EventItem[];
const IDLE: WeriftEvent['event'] = { stack: NO_ITEMS, promiseStack: NO_ITEMS, eventId: 0 };

/** `ev`'s state, made its own first if it was the shared idle one. */
function ownState(ev: WeriftEvent): WeriftEvent['event'] {
  if (ev.event === IDLE) ev.event = { stack: NO_ITEMS, promiseStack: NO_ITEMS, eventId: 0 };
  return ev.event;
}

/** werift's `subscribe` and `queuingSubscribe` (the latter removes from `stack`, as werift's does). */
function subscribeTo(ev: WeriftEvent, queued: boolean, item: Omit<EventItem, 'id'>) {
  const state = ownState(ev);
  const id = state.eventId;
  // A literal of werift's own shape: a copy made by spread would get a hidden class of its own in V8.
  const entry: EventItem = { execute: item.execute, id, complete: item.complete, error: item.error };
  if (queued) {
    if (state.promiseStack === NO_ITEMS) state.promiseStack = [];
    state.promiseStack.push(entry);
  } else {
    if (state.stack === NO_ITEMS) state.stack = [];
    state.stack.push(entry);
  }
  state.eventId++;
  const unSubscribe = (): void => {
    // An empty list stays as it is (werift's filter would put an equal empty list in its place).
    if (ev.event.stack.length === 0) return;
    ev.event.stack = ev.event.stack.filter((i) => i.id !== id && i);
  };
  const disposer = (disposer2: (() => void)[]): void => {
    disposer2.push(unSubscribe);
  };
  return { unSubscribe, disposer };
}

/** The shared methods, each werift 0.25.2's arrow with `this` for the event. */
const SHARED: { [K in (typeof METHODS)[number]]: (this: WeriftEvent, ...args: never[]) => unknown } = {
  execute(this: WeriftEvent, ...args: unknown[]): void {
    if (this.ended) return;
    for (const item of this.event.stack) item.execute(...args);
    // werift runs the queued subscribers in an async function; with none queued it does nothing observable.
    const queued = this.event.promiseStack;
    if (queued.length === 0) return;
    (async () => {
      for (const item of queued) await item.execute(...args);
    })().catch((e: unknown) => {
      this.onerror(e);
    });
  },
  complete(this: WeriftEvent): void {
    if (this.ended) return;
    for (const item of this.event.stack) item.complete?.();
    this.allUnsubscribe();
    this.ended = true;
    if (this.onended) {
      this.onended();
      this.onended = undefined;
    }
  },
  error(this: WeriftEvent, e: unknown): void {
    if (this.ended) return;
    for (const item of this.event.stack) item.error?.(e);
    this.allUnsubscribe();
  },
  allUnsubscribe(this: WeriftEvent): void {
    if (this.ended) return;
    // werift's fresh state: no subscribers, ids from 0.
    this.event = IDLE;
  },
  subscribe(
    this: WeriftEvent,
    execute: EventItem['execute'],
    complete?: () => void,
    error?: (e: unknown) => void,
  ) {
    return subscribeTo(this, false, { execute, complete, error });
  },
  queuingSubscribe(
    this: WeriftEvent,
    execute: EventItem['execute'],
    complete?: () => void,
    error?: (e: unknown) => void,
  ) {
    if (this.ended) throw new Error('event completed');
    return subscribeTo(this, true, { execute, complete, error });
  },
  once(
    this: WeriftEvent,
    execute: EventItem['execute'],
    complete?: () => void,
    error?: (e: unknown) => void,
  ) {
    const off = this.subscribe(
      (...args: unknown[]) => {
        off.unSubscribe();
        execute(...args);
      },
      complete,
      error,
    );
  },
  watch(this: WeriftEvent, cb: (...args: unknown[]) => unknown, timeLimit?: number) {
    return new Promise((resolve, reject) => {
      const timeout = timeLimit && setTimeout(() => reject('Event watch timeout'), timeLimit);
      const { unSubscribe } = this.subscribe((...args: unknown[]) => {
        if (cb(...args)) {
          if (timeout) clearTimeout(timeout);
          unSubscribe();
          resolve(args);
        }
      });
    });
  },
  asPromise(this: WeriftEvent, timeLimit?: number) {
    return new Promise((resolve, reject) => {
      const timeout = timeLimit && setTimeout(() => reject('Event asPromise timeout'), timeLimit);
      this.once(
        (...args: unknown[]) => {
          if (timeout) clearTimeout(timeout);
          resolve(args);
        },
        () => {
          if (timeout) clearTimeout(timeout);
          resolve([]);
        },
        (err: unknown) => {
          if (timeout) clearTimeout(timeout);
          reject(err);
        },
      );
    });
  },
};

/** The source of a fresh werift event's methods (and default `onerror`), in {@link METHODS} order. */
function eventSource(ev: WeriftEvent): string {
  return [...METHODS, 'onerror'].map((m) => String((ev as unknown as Record<string, unknown>)[m])).join('\n');
}

/** The SHA-256 of `ev`'s methods' source ({@link eventSource}). */
function sourceDigest(ev: WeriftEvent): string {
  return createHash('sha256').update(eventSource(ev)).digest('hex');
}

let known: { defaultOnError: string } | null | undefined;

/** Whether the installed werift's event is the one the shared methods were written from (checked once). */
export function weriftEventIsKnown(): boolean {
  if (known === undefined) {
    const fresh = new Event() as unknown as WeriftEvent;
    known =
      sourceDigest(fresh) === WERIFT_EVENT_SOURCE_SHA256 ? { defaultOnError: String(fresh.onerror) } : null;
  }
  return known !== null;
}

/** The source digest of the installed werift's event (for the shape test's message). */
export function weriftEventSourceDigest(): string {
  return sourceDigest(new Event() as unknown as WeriftEvent);
}

/** Swaps one event's closures for the shared methods; false if it had been swapped already. */
export function leanEvent(ev: WeriftEvent): boolean {
  if (!weriftEventIsKnown() || ev.execute === SHARED.execute) return false;
  const own = ev as unknown as Record<string, unknown>;
  for (const m of METHODS) own[m] = SHARED[m];
  // Only werift's default no-op is shared; a handler someone set stays.
  if (String(ev.onerror) === known?.defaultOnError) ev.onerror = noop;
  shareIdleState(ev);
  return true;
}

/**
 * Gives a swapped event's empty subscriber lists, and the whole state of an event with no subscriber whose
 * ids start from 0 again, the shared ones ({@link NO_ITEMS}, {@link IDLE}). Each list took 32 bytes and each
 * state 48 more; a heap snapshot of 60 audio players counted 52 events per player transport, 20 of them never
 * subscribed to and most of the others with no queued subscriber; measured after the change, 3.4 KiB less per
 * transport. Only the swapped methods write the lists (werift's `unSubscribe`, which may outlive the swap,
 * only replaces `stack` with a filtered copy), and they make an event's state and lists its own before they
 * add to them. An empty list can be swapped at any time: an `execute` under way has nothing left to read in it.
 * An event whose ids have started keeps its own state, so that an id handed out before is never handed out
 * again (an unsubscriber kept from before would remove the new subscriber).
 */
function shareIdleState(ev: WeriftEvent): void {
  const state = ev.event;
  if (state.stack.length === 0 && state.promiseStack.length === 0 && state.eventId === 0) {
    ev.event = IDLE;
    return;
  }
  if (state.stack.length === 0) state.stack = NO_ITEMS;
  if (state.promiseStack.length === 0) state.promiseStack = NO_ITEMS;
}

/** Objects visited at most per peer connection (a connection's werift state is a few thousand). */
const MAX_OBJECTS = 20_000;

/**
 * Swaps the closures of every werift event reachable from `root` through its own properties and arrays
 * (not through Maps, Sets, functions, buffers or `stop` objects: another peer connection, shared sockets),
 * and returns how many were swapped. The same walk gives werift's UUID ids flat copies ({@link flattenUuids}).
 */
export function leanEventsUnder(root: object, stop: (value: object) => boolean = () => false): number {
  if (!weriftEventIsKnown()) return 0;
  const seen = new Set<object>([root]);
  const queue: object[] = [root];
  const swapped: WeriftEvent[] = [];
  while (queue.length > 0 && seen.size < MAX_OBJECTS) {
    const holder = queue.pop() as Record<string, unknown>;
    if (holder instanceof Event) {
      if (leanEvent(holder as unknown as WeriftEvent)) swapped.push(holder as unknown as WeriftEvent);
      continue;
    }
    if (!Array.isArray(holder)) flattenUuids(holder);
    const values = Array.isArray(holder) ? holder : Object.values(holder);
    for (const value of values) {
      if (typeof value !== 'object' || value === null || seen.has(value)) continue;
      if (ArrayBuffer.isView(value) || value instanceof Map || value instanceof Set || stop(value)) continue;
      seen.add(value);
      queue.push(value);
    }
  }
  if (swapped.length > 0) setImmediate(compactStacks, swapped).unref();
  return swapped.length;
}

/**
 * Gives each event's subscriber list an exact-size copy. V8 grows an empty array to 17 slots on its first
 * push, so a list of one or two subscribers takes ~150 bytes where its copy takes ~30; a connection keeps
 * about 30 such lists. Done on the next turn of the loop, when no `execute` is iterating a list (the swap
 * itself runs inside werift's connection-state event): a list is only ever read whole or replaced, as werift's
 * unsubscribe does, so the copy is what werift would see. The queued subscribers' list is left as it is, as an
 * `execute` may still be awaiting its way through it.
 */
function compactStacks(events: readonly WeriftEvent[]): void {
  for (const ev of events) {
    const stack = ev.event.stack;
    if (stack.length > 0) ev.event.stack = stack.slice();
  }
}
