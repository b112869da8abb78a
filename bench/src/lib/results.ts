/**
 * Writes a scenario's results under bench/results/ (git-ignored): `<scenario>-<time>.json` and `.svg`, and the
 * same as `<scenario>-latest.json` / `.svg`, which `all` reads back to write BENCHMARKS.md.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BENCH_DIR } from './paths.js';
import type { ScenarioResult } from './scenario.js';

export const RESULTS_DIR = join(BENCH_DIR, 'results');

/** Writes `result` (JSON, without its `chart`) and its chart; returns the paths written. */
export function writeResults(result: ScenarioResult): { json: string; svg: string | null } {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const stamp = result.startedAt.replace(/[:.]/g, '-').slice(0, 19);
  const { chart, ...data } = result;
  const base = join(RESULTS_DIR, `${result.scenario}-${stamp}`);
  const latest = join(RESULTS_DIR, `${result.scenario}-latest`);
  const json = `${JSON.stringify(data, null, 2)}\n`;
  for (const b of [base, latest]) {
    writeFileSync(`${b}.json`, json);
    if (chart) writeFileSync(`${b}.svg`, chart);
  }
  return { json: `${base}.json`, svg: chart ? `${base}.svg` : null };
}

/** The latest results of `scenario`, or null if there are none. */
export function readLatest(scenario: string): ScenarioResult | null {
  try {
    // The file is the one this tool wrote for this scenario (writeResults).
    return JSON.parse(readFileSync(join(RESULTS_DIR, `${scenario}-latest.json`), 'utf8')) as ScenarioResult;
  } catch {
    return null;
  }
}
