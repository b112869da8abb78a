// The players' packets are handled after the burst they came in (lib/arrivals.ts), with the time they were
// read: in the order read, once no packet has come for a moment, at the latest when the oldest has waited its
// limit, when the queue is full, and before the meter adds up a window.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ArrivalQueue, arrivals, MAX_WAITING } from '../src/lib/arrivals.js';
import { Meter } from '../src/lib/meter.js';
import { type SyntheticTrack, TAG_OFFSET } from '../src/lib/synthRtp.js';

/** A handler that records what it got, and resolves `done` at the `count`th packet. */
function recorder(count: number) {
  const got: { packet: Buffer; at: number; handledAt: number }[] = [];
  let resolve: () => void = () => {};
  const done = new Promise<void>((r) => {
    resolve = r;
  });
  const handler = (packet: Buffer, at: number): void => {
    got.push({ packet, at, handledAt: performance.now() });
    if (got.length === count) resolve();
  };
  return { got, done, handler };
}

describe('ArrivalQueue', () => {
  it('handles packets in the order read, with the times they were read, once arrivals stop', async () => {
    const queue = new ArrivalQueue();
    const log: [string, number, number][] = [];
    let resolve: () => void = () => {};
    const done = new Promise<void>((r) => {
      resolve = r;
    });
    const handler =
      (name: string) =>
      (packet: Buffer, at: number): void => {
        log.push([name, packet[0]!, at]);
        if (log.length === 3) resolve();
      };
    const a = handler('a');
    const b = handler('b');
    queue.push(a, Buffer.from([1]), 10);
    queue.push(b, Buffer.from([2]), 11);
    queue.push(a, Buffer.from([3]), 12);
    assert.equal(log.length, 0, 'nothing is handled while the burst may go on');
    assert.equal(queue.waiting, 3);
    const alive = setInterval(() => {}, 1000);
    await done;
    clearInterval(alive);
    assert.deepEqual(log, [
      ['a', 1, 10],
      ['b', 2, 11],
      ['a', 3, 12],
    ]);
    assert.equal(queue.waiting, 0);
  });

  it('handles a packet no later than its limit when arrivals never pause', async () => {
    // Never quiet here: only the oldest packet's wait can have the queue handled.
    const queue = new ArrivalQueue({ quietMs: Number.POSITIVE_INFINITY, maxWaitMs: 5 });
    const r = recorder(1);
    const readAt = performance.now();
    queue.push(r.handler, Buffer.from([0]), readAt);
    // The queue's timer does not keep a process alive (the players' sockets do): this test's does.
    const alive = setInterval(() => {}, 1000);
    await r.done;
    clearInterval(alive);
    const waited = r.got[0]!.handledAt - readAt;
    assert.ok(waited >= 5, `handled after ${waited} ms, before its limit`);
    assert.equal(r.got[0]!.at, readAt);
  });

  it('handles everything at once when full', () => {
    const queue = new ArrivalQueue();
    let handled = 0;
    const handler = (): void => {
      handled += 1;
    };
    for (let i = 0; i < MAX_WAITING; i++) queue.push(handler, Buffer.alloc(1), i);
    assert.equal(handled, 0);
    queue.push(handler, Buffer.alloc(1), MAX_WAITING);
    assert.equal(handled, MAX_WAITING, 'the full queue was handled before the next packet joined it');
    assert.equal(queue.waiting, 1);
    queue.flush();
    assert.equal(handled, MAX_WAITING + 1);
  });

  it("counts packets still waiting in the meter's totals", () => {
    const meter = new Meter();
    const track = {
      sourceId: 7,
      number: 0,
      sentAt: () => null,
      preparationMs: () => null,
    } as unknown as SyntheticTrack;
    meter.expect(7);
    const receiver = meter.receiver();
    meter.begin([track]);
    const payload = Buffer.alloc(TAG_OFFSET + 16);
    payload.writeUInt32BE(7, TAG_OFFSET);
    payload.writeUInt32BE(1, TAG_OFFSET + 4);
    payload.writeDoubleBE(5, TAG_OFFSET + 8);
    (track as { number: number }).number = 1;
    arrivals.push((p, at) => receiver.record(p, at), payload, 6);
    meter.end([track]);
    const totals = meter.totals();
    assert.equal(totals.received, 1);
    assert.deepEqual(Array.from(totals.latencies), [1]);
    assert.equal(arrivals.waiting, 0);
  });
});
