/**
 * Percentiles and summaries of measured samples (latencies in ms, sizes in bytes, …). Percentiles use the
 * nearest-rank method: p99 of 50 samples is the largest one, never an interpolation between two.
 */

/** The p-th percentile (0 < p ≤ 100) of `samples` by nearest rank, or null when there are none. */
export function percentile(samples: ArrayLike<number> & Iterable<number>, p: number): number | null {
  if (samples.length === 0) return null;
  const sorted = Float64Array.from(samples).sort();
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

/** What {@link summarize} gives: nulls when there were no samples. */
export interface Summary {
  n: number;
  min: number | null;
  p50: number | null;
  p90: number | null;
  p99: number | null;
  max: number | null;
  mean: number | null;
}

/** Count, min, p50, p90, p99, max and mean of `samples` (nulls when empty), sorting once. */
export function summarize(samples: ArrayLike<number> & Iterable<number>): Summary {
  const n = samples.length;
  if (n === 0) return { n: 0, min: null, p50: null, p90: null, p99: null, max: null, mean: null };
  const sorted = Float64Array.from(samples).sort();
  const rank = (p: number): number => sorted[Math.min(n - 1, Math.max(0, Math.ceil((p / 100) * n) - 1))];
  let sum = 0;
  for (const x of sorted) sum += x;
  return {
    n,
    min: sorted[0],
    p50: rank(50),
    p90: rank(90),
    p99: rank(99),
    max: sorted[n - 1],
    mean: sum / n,
  };
}

/** `samples` at each whole percentile 1..100 (for "latency by percentile" charts). */
export function percentileCurve(samples: ArrayLike<number> & Iterable<number>): number[] {
  if (samples.length === 0) return [];
  const sorted = Float64Array.from(samples).sort();
  const n = sorted.length;
  return Array.from({ length: 100 }, (_, i) => sorted[Math.min(n - 1, Math.ceil(((i + 1) / 100) * n) - 1)]);
}

/** Rounds to `digits` decimals, keeping null (a figure that could not be measured) as null. */
export function round(x: number | null | undefined, digits = 1): number | null {
  if (x === null || x === undefined || !Number.isFinite(x)) return null;
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

/** A growable array of float samples that costs no allocation per sample. */
export class SampleBuffer {
  private data: Float64Array;
  length: number;

  constructor(capacity = 4096) {
    this.data = new Float64Array(capacity);
    this.length = 0;
  }

  push(x: number): void {
    if (this.length === this.data.length) {
      const bigger = new Float64Array(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[this.length++] = x;
  }

  clear(): void {
    this.length = 0;
  }

  /** The samples as a plain typed array view (valid until the next push). */
  values(): Float64Array {
    return this.data.subarray(0, this.length);
  }
}

/** A summary's p50, p99, min and max in ms, to 0.1 ms: what the first-frame scenarios report per measure. */
export type MsSpread = Record<'p50' | 'p99' | 'min' | 'max', number | null>;

/** {@link MsSpread} of `s`. */
export function msSpread(s: Summary): MsSpread {
  return { p50: round(s.p50, 1), p99: round(s.p99, 1), min: round(s.min, 1), max: round(s.max, 1) };
}

/** One Markdown table row of a {@link MsSpread}: `| name | p50 ms | p99 ms | min ms | max ms |`. */
export function msSpreadRow(name: string, m: MsSpread): string {
  return `| ${name} | ${m.p50} ms | ${m.p99} ms | ${m.min} ms | ${m.max} ms |`;
}
