/**
 * leanEvents.ts swaps werift's per-instance event closures for shared methods: the installed werift's event is
 * the one they were written from, a swapped event does what werift's does for any sequence of calls, and a
 * connected transport's events are all swapped while media still flows.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import fc from 'fast-check';
import { Event, RTCPeerConnection } from 'werift';
import {
  leanEvent,
  leanEventsUnder,
  weriftEventIsKnown,
  weriftEventSourceDigest,
} from '../../src/sfu/werift/leanEvents.js';
import { WERIFT_EVENT_SOURCE_SHA256 } from '../../src/sfu/werift/shapes.js';
import { connectedPlayer } from './support/clients.js';
import { type LoopbackStun, startLoopbackStun } from './support/loopbackStun.js';
import { waitFor } from './support/waitFor.js';

let stun: LoopbackStun;
before(async () => {
  stun = await startLoopbackStun();
});
after(async () => {
  await stun.close();
});

test('the installed werift event is the one the shared methods were written from', () => {
  assert.equal(weriftEventSourceDigest(), WERIFT_EVENT_SOURCE_SHA256);
  assert.equal(weriftEventIsKnown(), true);
  assert.deepEqual(Object.keys(new Event()), [
    'event',
    'ended',
    'onended',
    'onerror',
    'execute',
    'complete',
    'error',
    'allUnsubscribe',
    'subscribe',
    'queuingSubscribe',
    'once',
    'watch',
    'asPromise',
  ]);
});

type Op =
  | { op: 'subscribe' | 'once' | 'queuing' }
  | { op: 'unsubscribe'; which: number }
  | { op: 'execute'; value: number }
  | { op: 'complete' | 'error' | 'allUnsubscribe' | 'length' };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.constantFrom<Op>(
    { op: 'subscribe' },
    { op: 'once' },
    { op: 'queuing' },
    { op: 'complete' },
    { op: 'error' },
    { op: 'allUnsubscribe' },
    { op: 'length' },
  ),
  fc.record({ op: fc.constant('unsubscribe' as const), which: fc.nat(8) }),
  fc.record({ op: fc.constant('execute' as const), value: fc.integer() }),
);

/** What a trace saw, and the unsubscribers it holds (kept across traces of one event). */
interface Traced {
  log: string[];
  offs: (() => void)[];
}

/**
 * Runs `ops` on `ev` and returns what its subscribers and callers saw, after queued subscribers ran; `soFar`
 * carries on an earlier trace of the same event (its log and its unsubscribers), `first` numbers the ops on.
 */
async function trace(
  ev: Event<[number]>,
  ops: Op[],
  soFar: Traced = { log: [], offs: [] },
  first = 0,
): Promise<string[]> {
  const { log, offs } = soFar;
  ev.onended = () => log.push('ended');
  for (const [n, o] of ops.entries()) {
    const i = first + n;
    try {
      if (o.op === 'subscribe') {
        offs.push(
          ev.subscribe(
            (v) => log.push(`s${i}:${v}`),
            () => log.push(`s${i}:complete`),
            (e) => log.push(`s${i}:error:${String(e)}`),
          ).unSubscribe,
        );
      } else if (o.op === 'once') {
        ev.once((v) => log.push(`o${i}:${v}`));
      } else if (o.op === 'queuing') {
        offs.push(ev.queuingSubscribe(async (v) => void log.push(`q${i}:${v}`)).unSubscribe);
      } else if (o.op === 'unsubscribe') {
        offs[o.which % Math.max(1, offs.length)]?.();
      } else if (o.op === 'execute') {
        ev.execute(o.value);
      } else if (o.op === 'error') {
        ev.error('boom');
      } else if (o.op === 'length') {
        log.push(`length ${ev.length}`);
      } else {
        ev[o.op]();
      }
    } catch (err) {
      log.push(`threw ${(err as Error).message}`);
    }
  }
  await new Promise((resolve) => setImmediate(resolve));
  return log;
}

test('a swapped event does what werift’s own does, for any sequence of calls', async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(opArb, { maxLength: 30 }), async (ops) => {
      const lean = new Event<[number]>();
      assert.equal(leanEvent(lean as never), true);
      assert.equal(leanEvent(lean as never), false, 'a second swap does nothing');
      assert.deepEqual(await trace(lean, ops), await trace(new Event<[number]>(), ops));
    }),
  );
});

test('an event swapped after werift’s own methods were used goes on as werift’s does', async () => {
  // Subscriptions taken before the swap (werift's own unsubscribers), then any calls on the swapped event:
  // the shared idle state and lists must not show.
  await fc.assert(
    fc.asyncProperty(
      fc.array(opArb, { maxLength: 15 }),
      fc.array(opArb, { maxLength: 15 }),
      async (before, later) => {
        const run = async (swap: boolean): Promise<string[]> => {
          const ev = new Event<[number]>();
          const traced: Traced = { log: [], offs: [] };
          await trace(ev, before, traced);
          if (swap) leanEvent(ev as never);
          return trace(ev, later, traced, before.length);
        };
        assert.deepEqual(await run(true), await run(false));
      },
    ),
  );
});

test('swapped events without subscribers share one state, and get their own on the first subscription', () => {
  const a = leanedEvent();
  const b = leanedEvent();
  const ownA = (a as any).event;
  assert.equal(ownA, (b as any).event, 'two idle events share their state');
  assert.equal(ownA.stack.length, 0);
  const seen: number[] = [];
  const { unSubscribe } = a.subscribe((v) => void seen.push(v));
  assert.notEqual((a as any).event, (b as any).event);
  a.execute(1);
  b.execute(2);
  assert.deepEqual(seen, [1]);
  assert.equal(b.length, 0);
  unSubscribe();
  a.execute(3);
  assert.deepEqual(seen, [1]);
  a.allUnsubscribe();
  assert.equal((a as any).event, (b as any).event, 'after allUnsubscribe it is idle again');
});

test('asPromise and watch resolve, and time out, as werift’s do', async () => {
  for (const make of [() => new Event<[number]>(), () => leanedEvent()]) {
    const ev = make();
    const p = ev.asPromise();
    const w = ev.watch((v) => v === 2);
    ev.execute(1);
    ev.execute(2);
    assert.deepEqual(await p, [1]);
    assert.deepEqual(await w, [2]);
    await assert.rejects(make().asPromise(1), (e) => e === 'Event asPromise timeout');
    await assert.rejects(
      make().watch(() => true, 1),
      (e) => e === 'Event watch timeout',
    );
    const ended = make();
    const done = ended.asPromise();
    ended.complete();
    assert.deepEqual(await done, []);
  }
});

function leanedEvent(): Event<[number]> {
  const ev = new Event<[number]>();
  leanEvent(ev as never);
  return ev;
}

test('a connected transport’s werift events are all swapped, and media still flows', async (t) => {
  const { player, transport } = await connectedPlayer(t, stun);
  const pc = (transport as unknown as { pc: RTCPeerConnection }).pc;
  const stopAt = (v: object): boolean => v instanceof RTCPeerConnection && v !== pc;
  assert.equal(leanEventsUnder(pc, stopAt), 0, 'every event under the connection was swapped on connect');
  assert.equal(leanEvent(pc.connectionStateChange as never), false);
  const before = player.received.audio.length;
  await waitFor(() => player.received.audio.length >= before + 10, 'media after the swap');
  const closed = pc.connectionStateChange.watch((s) => s === 'closed');
  await transport.close();
  assert.deepEqual(await closed, ['closed']);
});
