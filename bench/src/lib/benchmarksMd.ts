/**
 * Writes /BENCHMARKS.md from the results of `node bench/run.mjs all`: the machine, a summary table (every
 * scenario's headline figure, the baseline's and the ratio), then each scenario's own table and notes. Every
 * figure comes from the results files of that run; a scenario that failed says so instead.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type MachineInfo, machineLine } from './machine.js';
import { REPO_ROOT } from './paths.js';
import type { Scenario, ScenarioResult } from './scenario.js';

export const BENCHMARKS_MD = join(REPO_ROOT, 'BENCHMARKS.md');
const BIOME = join(REPO_ROOT, 'node_modules/@biomejs/biome/bin/biome');

/** How one scenario of an `all` run went. */
export interface Outcome {
  scenario: Scenario;
  result: ScenarioResult | null;
  error: string | null;
  seconds: number;
}

/** `outcomes`: [{ scenario, result | null, error | null, seconds }]. Returns the file written. */
export function writeBenchmarksMd(outcomes: Outcome[], machine: MachineInfo): string {
  const lines = [
    '# Benchmarks',
    '',
    'Written by `node bench/run.mjs all` (`npm run bench -- all`) from one run on the machine below; every figure',
    'is measured, none is edited by hand. How each scenario measures, and the rules (server pinned to CPU 0,',
    'load generator to CPU 1, CPU per packet, latency from timestamps in the payloads, capacity, baseline relay):',
    '[bench/README.md](bench/README.md). Other processes shared this machine, so treat the figures as noisy.',
    '',
    '## Machine',
    '',
    `- CPUs (\`nproc --all\`): ${machine.nproc}`,
    `- CPU model: ${machine.cpuModel}`,
    `- RAM: ${machine.ramGiB} GiB`,
    `- Node: ${machine.node}`,
    `- OS: ${machine.os}`,
    `- Date: ${machine.date}`,
    `- Commit: ${machine.commit ?? 'unknown'}` +
      (machine.serverUnderTest ? ` (server of ${machine.serverUnderTest.commit} measured)` : ''),
    '',
    '## Summary',
    '',
    `Capacity: the highest load step with ≤ 0.5 % loss and p99 added latency ≤ 20 ms. Ratio: Parley's server CPU`,
    `per forwarded packet ÷ the baseline relay's, pooled over all load steps (cluster-fanout: a cluster's CPU per`,
    `delivered packet ÷ one node's, the issue's target ≤ 1.15×).`,
    '',
    '| scenario | result | baseline relay | ratio | Janus, same run | run time |',
    '| --- | --- | --- | ---: | --- | ---: |',
  ];
  for (const o of outcomes) {
    if (o.result === null) {
      lines.push(`| ${o.scenario.name} | not measured: ${o.error} | — | — | — | ${o.seconds} s |`);
      continue;
    }
    const h = o.scenario.headline(o.result);
    lines.push(
      `| ${o.scenario.name} | ${h.result} | ${h.baseline ?? '—'} | ${h.ratio ?? '—'} | ${h.peers ?? '—'} | ${o.seconds} s |`,
    );
  }
  for (const o of outcomes) {
    lines.push('', `## ${o.scenario.title ?? o.scenario.name}`, '');
    if (o.result === null) {
      lines.push(`Not measured: ${o.error}.`);
      continue;
    }
    lines.push(o.scenario.measures, '', o.scenario.markdown(o.result));
    for (const n of o.result.notes ?? []) lines.push('', `Note: ${n}.`);
    lines.push(
      '',
      `Options: \`${JSON.stringify(o.result.options)}\`. Chart: \`bench/results/${o.scenario.name}-latest.svg\`.`,
    );
  }
  lines.push('', `_${machineLine(machine)}_`, '');
  writeFileSync(BENCHMARKS_MD, lines.join('\n'));
  // The repository's formatter pads the tables, so the file passes `biome check` as written.
  if (existsSync(BIOME))
    spawnSync(process.execPath, [BIOME, 'format', '--write', BENCHMARKS_MD], { stdio: 'ignore' });
  return BENCHMARKS_MD;
}
