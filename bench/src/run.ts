/**
 * The benchmark tool: `node bench/run.mjs <scenario> [options]` (also `npm run bench -- <scenario>` and
 * `parley bench <scenario>`). Runs one scenario — or `all` of them, then rewrites BENCHMARKS.md — prints
 * progress on stderr and the results on stdout, and writes JSON and an SVG chart under bench/results/.
 * The server (and the baseline relay) run in their own processes pinned to CPU 0; this process, the load
 * generator, re-executes itself pinned to CPU 1. See bench/README.md for what each scenario measures and how.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import { join as joinPath } from 'node:path';
import { type Outcome, writeBenchmarksMd } from './lib/benchmarksMd.js';
import { machineInfo } from './lib/machine.js';
import { optionsHelp, parseOptions, UsageError } from './lib/options.js';
import { BENCH_DIR } from './lib/paths.js';
import { affinity, hasTaskset } from './lib/procStat.js';
import { createProgress } from './lib/progress.js';
import { readLatest, writeResults } from './lib/results.js';
import type { Scenario, ScenarioResult } from './lib/scenario.js';
import { tuneHeapForForwarding } from './lib/serverParts.js';
import audioFanout from './scenarios/audioFanout.js';
import browserFirstFrame from './scenarios/browserFirstFrame.js';
import clusterFanout from './scenarios/clusterFanout.js';
import firstFrame from './scenarios/firstFrame.js';
import join from './scenarios/join.js';
import meeting from './scenarios/meeting.js';
import signalingScale from './scenarios/signalingScale.js';
import videoFanout from './scenarios/videoFanout.js';

const SCENARIOS: Scenario[] = [
  audioFanout,
  videoFanout,
  meeting,
  join,
  firstFrame,
  browserFirstFrame,
  signalingScale,
  clusterFanout,
];
/** The launcher (bench/run.mjs): what the bench re-executes pinned, and runs once per scenario for `all`. */
const SELF = joinPath(BENCH_DIR, 'run.mjs');

/** Whether the server package is built: its entry point resolves to a file that exists. */
function serverBuilt(): boolean {
  try {
    return existsSync(createRequire(import.meta.url).resolve('@parley/server'));
  } catch {
    return false;
  }
}

const USAGE = `Usage: node bench/run.mjs <scenario> [options]
       node bench/run.mjs all          every scenario with its defaults, then rewrites BENCHMARKS.md
       node bench/run.mjs <scenario> --help`;

function help(): string {
  const lines = [USAGE, '', 'Scenarios:'];
  for (const s of SCENARIOS) lines.push(`  ${s.name.padEnd(21)}${s.summary}`);
  lines.push(`  ${'all'.padEnd(21)}every scenario above, then BENCHMARKS.md`);
  for (const s of SCENARIOS) lines.push('', `${s.name} options:`, ...optionsHelp(s.options));
  lines.push(
    '',
    'Build first (npx tsc -b) and run in a loopback-only network namespace:',
    "  unshare -n bash -c 'ip link set lo up && node bench/run.mjs all'",
    'Results: bench/results/<scenario>-<time>.json and .svg. Method: bench/README.md.',
  );
  return `${lines.join('\n')}\n`;
}

function scenarioHelp(s: Scenario): string {
  return `Usage: node bench/run.mjs ${s.name} [options]\n\n${s.summary}.\n${s.measures}\n\nOptions:\n${optionsHelp(s.options).join('\n')}\n`;
}

/**
 * Re-executes this process under `taskset -c 1` unless it already runs on CPU 1 only (or cannot be pinned).
 * Returns only when no re-execution happened.
 */
function pinSelf(argv: string[]): void {
  if (!hasTaskset() || os.cpus().length < 2) {
    process.stderr.write('warning: no taskset or a single CPU: server and load generator share the CPUs\n');
    return;
  }
  if (affinity() === '1' || process.env['PARLEY_BENCH_REEXEC'] === '1') return;
  // --expose-gc: the bench collects its own garbage before each measured window, not during it.
  const nodeArgs = [...process.execArgv, '--expose-gc'];
  const r = spawnSync('taskset', ['-c', '1', process.execPath, ...nodeArgs, SELF, ...argv], {
    stdio: 'inherit',
    env: { ...process.env, PARLEY_BENCH_REEXEC: '1' },
  });
  process.exit(r.status ?? 1);
}

/** Warns when other interfaces than loopback are up: the benchmark should run in its own namespace. */
function checkNamespace(): void {
  const names = Object.keys(os.networkInterfaces()).filter((n) => n !== 'lo');
  if (names.length > 0) {
    process.stderr.write(
      `note: network interfaces besides lo (${names.join(', ')}); everything binds 127.0.0.1 anyway, but the ` +
        "documented way is a loopback-only namespace: unshare -n bash -c 'ip link set lo up && …'\n",
    );
  }
}

async function runScenario(scenario: Scenario, opts: Record<string, unknown>): Promise<void> {
  const progress = createProgress();
  const started = new Date();
  const t0 = performance.now();
  const out = await scenario.run(opts, { progress });
  progress.end();
  const result: ScenarioResult = {
    scenario: scenario.name,
    title: scenario.title,
    measures: scenario.measures,
    options: opts,
    machine: { ...machineInfo(), date: started.toISOString() },
    startedAt: started.toISOString(),
    durationSeconds: Math.round((performance.now() - t0) / 100) / 10,
    ...out,
  };
  const paths = writeResults(result);
  process.stdout.write(`\n## ${scenario.title}\n\n${scenario.markdown(result)}\n\n`);
  const h = scenario.headline(result);
  process.stdout.write(
    `Result: ${h.result}${h.baseline ? ` | baseline: ${h.baseline}` : ''}${h.ratio ? ` | ratio ${h.ratio}` : ''}${h.peers ? ` | ${h.peers}` : ''}\n`,
  );
  for (const n of out.notes ?? []) process.stdout.write(`Note: ${n}\n`);
  process.stdout.write(`Wrote ${paths.json}${paths.svg ? ` and ${paths.svg}` : ''}\n`);
}

/** Runs every scenario in its own child process (a clean heap each), then writes BENCHMARKS.md. */
function runAll(): number {
  const started = new Date().toISOString();
  const outcomes: Outcome[] = [];
  for (const s of SCENARIOS) {
    process.stderr.write(`\n=== ${s.name} ===\n`);
    const t0 = performance.now();
    // The fan-out scenarios measure Janus beside Parley too, so BENCHMARKS.md has its figures (skipped with a
    // line where Janus cannot run).
    const args = 'peer' in s.options ? ['--peer', 'janus'] : [];
    const r = spawnSync(process.execPath, [...process.execArgv, SELF, s.name, ...args], { stdio: 'inherit' });
    const latest = readLatest(s.name);
    const fresh = latest !== null && latest.startedAt >= started;
    outcomes.push({
      scenario: s,
      result: r.status === 0 && fresh ? latest : null,
      error: r.status === 0 ? (fresh ? null : 'no results written') : `exited with ${r.status ?? r.signal}`,
      seconds: Math.round((performance.now() - t0) / 1000),
    });
  }
  const file = writeBenchmarksMd(outcomes, machineInfo());
  process.stdout.write(`\nWrote ${file}\n`);
  return outcomes.every((o) => o.error === null) ? 0 : 1;
}

async function main(argv: string[]): Promise<void> {
  const [name, ...rest] = argv;
  if (name === undefined) throw new UsageError('no scenario given');
  if (name === '--help' || name === '-h' || name === 'help') return void process.stdout.write(help());
  if (name !== 'all' && !SCENARIOS.some((s) => s.name === name))
    throw new UsageError(`unknown scenario '${name}'`);
  const scenario = SCENARIOS.find((s) => s.name === name);
  if (rest.includes('--help') || rest.includes('-h')) {
    return void process.stdout.write(scenario ? scenarioHelp(scenario) : help());
  }
  if (name === 'all' && rest.length > 0) throw new UsageError('all takes no options');
  const opts = scenario ? parseOptions(scenario.options, rest) : null;
  if (!serverBuilt()) {
    process.stderr.write('error: packages are not built; run `npx tsc -b` (or `npm run build`) first\n');
    process.exitCode = 1;
    return;
  }
  pinSelf(argv);
  checkNamespace();
  // The load generator allocates like the forwarder it measures (a new buffer outside V8's heap per SRTP
  // operation), and with V8's default heap growth it, too, ran full collections every second or so: its event
  // loop ran late by up to tens of milliseconds, which the latency figures counted as the server's (video, 100
  // players, ad hoc: the bench's GC pauses 96 → 10 ms per window, Parley's p99 24 → 9 ms). It gets the
  // server's setting (packages/server/src/heapTuning.ts).
  tuneHeapForForwarding();
  if (scenario === undefined || opts === null) process.exitCode = runAll();
  else await runScenario(scenario, opts);
}

/** Runs the command line `argv` (the launcher bench/run.mjs passes its own) and exits. */
export async function runCli(argv: string[]): Promise<never> {
  try {
    await main(argv);
    // werift and the signaling sockets leave handles behind; the results are written, so end here.
    process.exit(process.exitCode ?? 0);
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(
        `error: ${err.message}\n\n${USAGE}\nRun 'node bench/run.mjs --help' for the scenarios and options.\n`,
      );
      process.exit(2);
    }
    process.stderr.write(`error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  }
}
