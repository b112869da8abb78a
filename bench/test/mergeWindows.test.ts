// A step's rounds (windows of one forwarder, interleaved with the other forwarders') are one row: counts and
// CPU pooled, percentiles pooled from the raw samples (or the worse window's without them).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mergeWindows, type WindowRow, type WindowSamples } from '../src/lib/measure.js';

function row(fields: Partial<WindowRow>): WindowRow {
  return {
    windowSeconds: 5,
    packetsSentBySources: 500,
    packetsExpected: 10_000,
    packetsReceived: 10_000,
    forwardedPerSecond: 2000,
    lossPercent: 0,
    cpuMs: 100,
    cpuPercent: 2,
    cpuMicrosPerPacket: 10,
    forwarderCountedPackets: 10_000,
    countAgreementPercent: 100,
    latencyMs: { p50: 1, p99: 2, max: 3 },
    senderPreparationMs: { p50: 0.1, p99: 0.2 },
    burst: { firstArrivalMs: 0.5, betweenArrivalsMicros: 12 },
    benchCpuPercent: 20,
    otherLoadPercent: { cpu0: 1, cpu1: 2 },
    benchLoopDelayMs: { p99: 1, max: 2 },
    serverGcPauseMs: { total: 3, max: 2 },
    serverFullGcs: 0,
    benchGcPauseMs: { total: 1, max: 1 },
    ...fields,
  };
}

const samples = (latencies: number[], between: number[]): WindowSamples => ({
  latencies,
  preparation: latencies.map(() => 0.1),
  firstArrival: between.map(() => 0.5),
  betweenArrivals: between,
});

describe('mergeWindows', () => {
  it('pools CPU per packet, loss and rate over the windows, not their average', () => {
    const merged = mergeWindows([
      row({ cpuMs: 100, packetsReceived: 10_000, packetsExpected: 10_000 }),
      row({ cpuMs: 300, packetsReceived: 20_000, packetsExpected: 20_100, windowSeconds: 10 }),
    ]);
    assert.ok(merged);
    assert.equal(merged.rounds, 2);
    assert.equal(merged.cpuMs, 400);
    // 400 ms over 30,000 packets, not the mean of 10 and 15 µs.
    assert.equal(merged.cpuMicrosPerPacket, 13.33);
    assert.equal(merged.lossPercent, 0.332); // 100 of 30,100
    assert.equal(merged.forwardedPerSecond, 2000);
    assert.equal(merged.windowSeconds, 15);
    assert.equal(merged.cpuPercent, 2.7);
    assert.equal(merged.forwarderCountedPackets, 20_000);
  });

  it('takes percentiles over every sample of the windows when given them', () => {
    const merged = mergeWindows(
      [row({ latencyMs: { p50: 1, p99: 1, max: 1 } }), row({ latencyMs: { p50: 9, p99: 9, max: 9 } })],
      [samples([1, 1, 1], [0.01]), samples([9], [0.03, 0.03])],
    );
    assert.ok(merged);
    // Three samples of 1 ms and one of 9: the pooled median is 1 ms (the worse window's would be 9).
    assert.deepEqual(merged.latencyMs, { p50: 1, p99: 9, max: 9 });
    assert.equal(merged.burst.betweenArrivalsMicros, 30);
  });

  it('without samples, reports the worse window (a percentile cannot be pooled from percentiles)', () => {
    const merged = mergeWindows([
      row({ latencyMs: { p50: 1, p99: 5, max: 6 }, benchCpuPercent: 30 }),
      row({ latencyMs: { p50: 2, p99: 4, max: 8 }, benchCpuPercent: 10 }),
    ]);
    assert.ok(merged);
    assert.deepEqual(merged.latencyMs, { p50: 2, p99: 5, max: 8 });
    assert.equal(merged.benchCpuPercent, 30);
  });

  it('pools the bystanders’ CPU over the windows (Parley at rest is read from it)', () => {
    const merged = mergeWindows([
      row({ bystanderCpuPercent: 4, windowSeconds: 5 }),
      row({ bystanderCpuPercent: 8, windowSeconds: 15 }),
    ]);
    assert.equal(merged?.bystanderCpuPercent, 7);
    assert.equal(mergeWindows([row({})])?.bystanderCpuPercent, undefined);
  });

  it('keeps "not measured" apart from zero', () => {
    const merged = mergeWindows([
      row({ forwarderCountedPackets: null, serverGcPauseMs: null, serverFullGcs: null }),
      row({ forwarderCountedPackets: 5, serverGcPauseMs: null, serverFullGcs: null }),
    ]);
    assert.ok(merged);
    assert.equal(merged.forwarderCountedPackets, null);
    assert.equal(merged.countAgreementPercent, null);
    assert.equal(merged.serverGcPauseMs, null);
    assert.equal(merged.serverFullGcs, null);
    assert.equal(mergeWindows([]), null);
  });
});
