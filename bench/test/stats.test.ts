// The bench's percentiles are nearest-rank (no interpolation), and what could not be measured stays null.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { percentile, percentileCurve, round, SampleBuffer, summarize } from '../src/lib/stats.js';

describe('stats', () => {
  it('takes percentiles by nearest rank', () => {
    const samples = Array.from({ length: 50 }, (_, i) => 50 - i);
    assert.equal(percentile(samples, 99), 50);
    assert.equal(percentile(samples, 50), 25);
    assert.equal(percentile(samples, 1), 1);
    assert.equal(percentile([], 50), null);
    assert.deepEqual(summarize([3, 1, 2]), { n: 3, min: 1, p50: 2, p90: 3, p99: 3, max: 3, mean: 2 });
    const curve = percentileCurve(samples);
    assert.equal(curve.length, 100);
    assert.equal(curve[0], 1);
    assert.equal(curve[99], 50);
  });

  it('summarizes nothing as nulls, and rounds null and non-finite figures to null', () => {
    assert.deepEqual(summarize([]), {
      n: 0,
      min: null,
      p50: null,
      p90: null,
      p99: null,
      max: null,
      mean: null,
    });
    assert.equal(round(null), null);
    assert.equal(round(Number.NaN), null);
    assert.equal(round(1.25, 1), 1.3);
  });

  it('keeps every sample of a growing buffer', () => {
    const buffer = new SampleBuffer(2);
    for (let i = 0; i < 10; i++) buffer.push(i);
    assert.deepEqual([...buffer.values()], [...Array(10).keys()]);
    buffer.clear();
    assert.equal(buffer.values().length, 0);
  });
});
