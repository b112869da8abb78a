/**
 * The one event emitter of Parley (server, engine and SDKs): events are declared as a map of argument tuples, so `on` and `emit`
 * are checked against each other. A listener that throws never breaks the emitter's owner: the error goes to
 * `onListenerError` (or is dropped) and the other listeners still run.
 */

/** An event map: event name → tuple of the listener's arguments. */
export type EventMap<E> = { [K in keyof E]: unknown[] };

/** A listener for the arguments `A`. */
export type Listener<A extends unknown[]> = (...args: A) => void;

/** Called with the error a listener threw and the event it was listening to. */
export type ListenerErrorHook = (error: unknown, event: string) => void;

interface Entry {
  fn: Listener<never[]>;
  once: boolean;
}

/**
 * A small typed event emitter.
 * @example
 * const e = new TypedEmitter<{ ready: [id: number]; close: [] }>();
 * e.on('ready', (id) => console.log(id));
 * e.emit('ready', 1);
 */
export class TypedEmitter<E extends EventMap<E>> {
  /** Receives errors thrown by listeners. Without it they are ignored, so the core keeps running. */
  onListenerError: ListenerErrorHook | null;
  private readonly listeners = new Map<keyof E, Entry[]>();

  constructor(onListenerError?: ListenerErrorHook) {
    this.onListenerError = onListenerError ?? null;
  }

  /** Adds `listener` for `event`. */
  on<K extends keyof E>(event: K, listener: Listener<E[K]>): this {
    return this.add(event, listener, false);
  }

  /** Adds `listener` for the next `event` only. */
  once<K extends keyof E>(event: K, listener: Listener<E[K]>): this {
    return this.add(event, listener, true);
  }

  /** Removes `listener` from `event`, or every listener of `event` when `listener` is omitted. */
  off<K extends keyof E>(event: K, listener?: Listener<E[K]>): this {
    const list = this.listeners.get(event);
    if (!list) return this;
    if (listener === undefined) {
      this.listeners.delete(event);
      return this;
    }
    const i = list.findIndex((entry) => entry.fn === (listener as unknown));
    if (i >= 0) list.splice(i, 1);
    if (list.length === 0) this.listeners.delete(event);
    return this;
  }

  /** Calls every listener of `event` with `args`; returns true if there was any. */
  emit<K extends keyof E>(event: K, ...args: E[K]): boolean {
    const list = this.listeners.get(event);
    if (!list || list.length === 0) return false;
    // A snapshot, so listeners may add or remove listeners while we iterate.
    for (const entry of [...list]) {
      if (entry.once) this.removeEntry(event, entry);
      try {
        (entry.fn as unknown as Listener<E[K]>)(...args);
      } catch (err) {
        this.reportListenerError(err, String(event));
      }
    }
    return true;
  }

  listenerCount<K extends keyof E>(event: K): number {
    return this.listeners.get(event)?.length ?? 0;
  }

  /** Removes every listener of `event`, or of every event. */
  removeAllListeners(event?: keyof E): this {
    if (event === undefined) this.listeners.clear();
    else this.listeners.delete(event);
    return this;
  }

  private add<K extends keyof E>(event: K, listener: Listener<E[K]>, once: boolean): this {
    if (typeof listener !== 'function')
      throw new TypeError(`listener of ${String(event)} must be a function`);
    let list = this.listeners.get(event);
    if (!list) {
      list = [];
      this.listeners.set(event, list);
    }
    list.push({ fn: listener as unknown as Listener<never[]>, once });
    return this;
  }

  private removeEntry(event: keyof E, entry: Entry): void {
    const list = this.listeners.get(event);
    if (!list) return;
    const i = list.indexOf(entry);
    if (i >= 0) list.splice(i, 1);
    if (list.length === 0) this.listeners.delete(event);
  }

  private reportListenerError(err: unknown, event: string): void {
    const hook = this.onListenerError;
    if (!hook) return;
    try {
      hook(err, event);
    } catch {
      // The error hook itself failed; there is nobody left to tell.
    }
  }
}
