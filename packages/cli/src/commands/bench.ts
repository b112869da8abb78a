/**
 * `parley bench`: runs the benchmark tool of a source checkout, `node <repo>/bench/run.mjs <scenario> …`,
 * with the arguments passed through and the terminal handed over (inherited stdio). The bench folder is found
 * next to the packages this CLI runs from; an installed CLI has none, and says so.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from '../command.js';
import { CliError, EXIT_FAILURE } from '../errors.js';
import type { CliIo } from '../io.js';

/** The scenarios of bench/run.mjs, for the help (run.mjs itself checks the name). */
export const BENCH_SCENARIOS: readonly string[] = [
  'audio-fanout',
  'video-fanout',
  'meeting',
  'join',
  'first-frame',
  'browser-first-frame',
  'signaling-scale',
  'cluster-fanout',
  'all',
];

const SYNOPSIS = 'Usage: parley bench <scenario> [options]';

const HELP = `${SYNOPSIS}

Run a benchmark of a Parley source checkout: node bench/run.mjs <scenario> [options]. The server runs in
its own process pinned to CPU 0, the load generator on CPU 1; progress goes to stderr, results to stdout and
to bench/results/ (JSON and an SVG chart). Build first (npm run build), and run in a loopback-only network
namespace: unshare -n bash -c 'ip link set lo up && parley bench all'.

Scenarios:
  ${BENCH_SCENARIOS.join(', ')}
  (all: every scenario, then rewrites BENCHMARKS.md)

A scenario's options: parley bench -- <scenario> --help (or node bench/run.mjs <scenario> --help).
What each scenario measures and how: bench/README.md.

Examples:
  parley bench audio-fanout --players 10,50,100 --seconds 5
  parley bench first-frame --runs 20
`;

/** How the command starts a process: `spawn` with inherited stdio, replaceable in tests. */
export type BenchSpawner = (command: string, args: string[], cwd: string) => ChildProcess;

/** What `createBenchCommand` can be given instead of the defaults. */
export interface BenchCommandOptions {
  /** The bench folder; default `<repo>/bench`, the repository this CLI package lies in. */
  benchDir?: string;
  /** Starts the process; default node's spawn with inherited stdio. */
  spawner?: BenchSpawner;
}

/** `<repo>/bench`: this file is `<repo>/packages/cli/dist/src/commands/bench.js`. */
export function defaultBenchDir(): string {
  return fileURLToPath(new URL('../../../../../bench/', import.meta.url));
}

/**
 * The process to start for `parley bench <args>`: node, `<benchDir>/run.mjs`, then the arguments as given (a
 * leading `--`, which only keeps `--help` from the CLI, is dropped).
 * @throws CliError (usage) without a scenario; CliError (failure) when `benchDir/run.mjs` is missing.
 */
export function benchInvocation(
  args: readonly string[],
  benchDir: string,
): { command: string; args: string[] } {
  const rest = args[0] === '--' ? args.slice(1) : [...args];
  if (rest.length === 0) throw CliError.usage('no scenario given', 'bench');
  const runner = `${benchDir.replace(/\/+$/, '')}/run.mjs`;
  if (!existsSync(runner)) {
    throw CliError.failure(
      `the benchmark tool is not here: ${runner} does not exist. \`parley bench\` runs the bench/ folder of a ` +
        'Parley source checkout (it is not part of the installed package); run it from a clone of the repository',
    );
  }
  return { command: process.execPath, args: [runner, ...rest] };
}

const defaultSpawner: BenchSpawner = (command, args, cwd) => spawn(command, args, { cwd, stdio: 'inherit' });

/** A `parley bench` command; tests give it their own bench folder and spawner. */
export function createBenchCommand(options: BenchCommandOptions = {}): Command {
  return {
    name: 'bench',
    summary: 'Run a benchmark of a source checkout (bench/run.mjs)',
    synopsis: SYNOPSIS,
    help: HELP,
    async run(args: string[], io: CliIo): Promise<number> {
      const benchDir = options.benchDir ?? defaultBenchDir();
      const { command, args: childArgs } = benchInvocation(args, benchDir);
      const child = (options.spawner ?? defaultSpawner)(
        command,
        childArgs,
        dirname(benchDir.replace(/\/+$/, '')),
      );
      const stop = () => child.kill('SIGTERM');
      io.signal?.addEventListener('abort', stop, { once: true });
      try {
        return await new Promise<number>((resolve, reject) => {
          child.once('error', (err) =>
            reject(CliError.failure(`could not start ${command}: ${err.message}`)),
          );
          child.once('exit', (code, signal) =>
            resolve(signal !== null ? EXIT_FAILURE : (code ?? EXIT_FAILURE)),
          );
        });
      } finally {
        io.signal?.removeEventListener('abort', stop);
      }
    },
  };
}

/** `parley bench`. */
export const benchCommand: Command = createBenchCommand();
