// Parley's CPU at rest (its players connected, its publisher paused) is read from the relay's windows, where
// Parley's server is the only bystander, and spread over the packets Parley forwards when its publisher sends.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { atRest, type MediaRow, pooledBesideParley, type StepRow } from '../src/lib/mediaBench.js';

const row = (fields: Partial<StepRow>): StepRow => ({ ...(fields as StepRow) });

describe('atRest', () => {
  it('spreads the CPU Parley took in the relay’s windows over the packets it forwards per second', () => {
    // 6 % of a CPU is 60 ms of CPU per second; over 18,000 packets per second, 3.33 µs per packet.
    const rest = atRest(row({ forwardedPerSecond: 18_000 }), row({ bystanderCpuPercent: 6 }));
    assert.deepEqual(rest, { cpuPercent: 6, microsPerPacket: 3.33 });
  });

  it('is null without both rows or without a bystander reading, and has no per-packet figure without packets', () => {
    assert.equal(atRest(null, row({ bystanderCpuPercent: 6 })), null);
    assert.equal(atRest(row({ forwardedPerSecond: 100 }), null), null);
    assert.equal(atRest(row({ forwardedPerSecond: 100 }), row({})), null);
    assert.deepEqual(atRest(row({ forwardedPerSecond: 0 }), row({ bystanderCpuPercent: 1 })), {
      cpuPercent: 1,
      microsPerPacket: null,
    });
  });
});

describe('pooledBesideParley', () => {
  it('spreads each step’s share over Parley’s windows and packets, leaving out steps without one', () => {
    const step = (percent: number | null, seconds: number, packets: number | null): MediaRow =>
      ({
        parley: packets === null ? null : row({ windowSeconds: seconds, packetsReceived: packets }),
        parleyAtRest: percent === null ? null : { cpuPercent: percent, microsPerPacket: null },
      }) as MediaRow;
    // 2 % of 10 s is 200 ms, 4 % of 10 s 400 ms: 600 ms over 200,000 packets is 3 µs per packet. The step
    // without a share and the one without Parley's row count for nothing.
    const rows = [step(2, 10, 100_000), step(4, 10, 100_000), step(null, 10, 50_000), step(9, 10, null)];
    assert.equal(
      pooledBesideParley(rows, (r) => r.parleyAtRest?.cpuPercent),
      3,
    );
    assert.equal(
      pooledBesideParley([step(null, 10, 1)], (r) => r.parleyAtRest?.cpuPercent),
      null,
    );
  });
});
