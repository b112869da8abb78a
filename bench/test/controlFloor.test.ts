// The control-plane floor: a process that takes a fan-out's per-player control events (heartbeats, consent
// checks, receiver reports) and sends their sender reports, measured in windows of its own. The players must
// send at the rates asked, only while a window runs, and the floor must answer what needs an answer.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  expectedPerSecond,
  type FloorWindow,
  mergeFloorWindows,
  shortEvents,
  startControlFloor,
} from '../src/lib/controlFloorLoad.js';
import { floorAtStep, type StepRow } from '../src/lib/mediaBench.js';

describe('control floor', () => {
  it('takes every kind of event at its players’ rates during a window, and none after it', async () => {
    // Video: receiver and sender reports every second; heartbeats and consent checks sooner than the bench's,
    // so that a short window sees several of each.
    const floor = await startControlFloor({
      kind: 'video',
      heartbeatIntervalMs: 200,
      consentIntervalMs: 300,
    });
    try {
      await floor.grow(4);
      assert.equal(floor.players, 4);
      let besideReads = 0;
      const w = await floor.measure(3, 1, () => 100 * ++besideReads);
      assert.equal(w.besideCpuMs, 100); // read at the window's start and end
      assert.ok(w.seconds >= 2.9, `window ${w.seconds} s`);
      assert.ok(w.cpuMs >= 0);
      // 4 players × 3 s: 60 heartbeats, 40 checks, 12 receiver and 12 sender reports on average (the lower
      // bounds leave room for timers that run late on a busy machine; the upper ones are what the rates allow).
      assert.ok(w.events.heartbeats >= 20 && w.events.heartbeats <= 80, `heartbeats ${w.events.heartbeats}`);
      assert.ok(w.events.checks >= 10 && w.events.checks <= 60, `checks ${w.events.checks}`);
      assert.ok(w.events.receiverReports >= 4, `receiver reports ${w.events.receiverReports}`);
      assert.ok(w.events.senderReports >= 4, `sender reports ${w.events.senderReports}`);
      // Silent between windows: once what was on its way at the window's end has arrived, nothing more does.
      await new Promise((resolve) => setTimeout(resolve, 300));
      const after = await floor.stats();
      await new Promise((resolve) => setTimeout(resolve, 1500));
      assert.deepEqual(await floor.stats(), after);
    } finally {
      await floor.close();
    }
  });

  it('merges a step’s windows into rates per second and names the events that fell short', () => {
    const w = (seconds: number, cpuMs: number, n: number): FloorWindow => ({
      seconds,
      cpuMs,
      besideCpuMs: cpuMs * 2,
      events: { heartbeats: n, checks: n, receiverReports: n, senderReports: n / 2 },
    });
    const row = mergeFloorWindows([w(10, 200, 400), w(10, 300, 400)], 200, 'audio', 5000);
    assert.ok(row);
    assert.equal(row.cpuPercent, 2.5); // 500 ms of CPU in 20 s
    assert.equal(row.besideCpuPercent, 5);
    assert.equal(
      mergeFloorWindows([{ ...w(10, 200, 400), besideCpuMs: null }], 200, 'audio', 5000)?.besideCpuPercent,
      null,
    );
    assert.deepEqual(row.perSecond, { heartbeats: 40, checks: 40, receiverReports: 40, senderReports: 20 });
    assert.deepEqual(row.expectedPerSecond, expectedPerSecond(200, 'audio', 5000));
    assert.deepEqual(row.expectedPerSecond, {
      heartbeats: 40,
      checks: 40,
      receiverReports: 40,
      senderReports: 40,
    });
    assert.deepEqual(shortEvents(row), ['senderReports']);
    assert.equal(mergeFloorWindows([], 200, 'audio', 5000), null);
    // Spread over Parley's packets at the step: 2.5 % of a CPU is 25 ms/s, over 10,000 packets/s 2.5 µs each.
    const parley = { forwardedPerSecond: 10_000 } as StepRow;
    assert.equal(floorAtStep(row, parley)?.microsPerPacket, 2.5);
    assert.equal(floorAtStep(row, null), null);
  });
});
