/** The machine a benchmark ran on, for the results file and BENCHMARKS.md: CPUs, CPU model, RAM, Node, date. */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { REPO_ROOT } from './paths.js';
import { affinity } from './procStat.js';

/** What the machine is (the results file's `machine`). */
export interface MachineInfo {
  nproc: number;
  cpuModel: string;
  ramGiB: number;
  node: string;
  os: string;
  benchCpus: string | null;
  commit: string | null;
  /** Non-null when the server of another checkout was measured (before/after comparisons). */
  serverUnderTest: { root: string; commit: string | null } | null;
  date: string;
}

function cpuModel(): string {
  try {
    const m = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'));
    if (m?.[1]) return m[1].trim();
  } catch {}
  return os.cpus()[0]?.model ?? 'unknown';
}

function memTotalBytes(): number {
  try {
    const m = /^MemTotal:\s+(\d+)\s+kB/m.exec(readFileSync('/proc/meminfo', 'utf8'));
    if (m) return Number(m[1]) * 1024;
  } catch {}
  return os.totalmem();
}

/** `nproc --all`: every CPU of the machine (plain `nproc` would count only the bench process's pinned CPU). */
function cpuCount(): number {
  const r = spawnSync('nproc', ['--all']);
  const n = r.status === 0 ? Number(r.stdout.toString().trim()) : Number.NaN;
  return Number.isInteger(n) ? n : os.cpus().length;
}

function gitCommit(cwd: string = REPO_ROOT): string | null {
  const r = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd });
  if (r.status !== 0) return null;
  // BENCHMARKS.md is this tool's output: rewriting it does not make the measured code differ.
  const dirty = spawnSync(
    'git',
    ['status', '--porcelain', '--untracked-files=no', '--', '.', ':!BENCHMARKS.md'],
    {
      cwd,
    },
  );
  return r.stdout.toString().trim() + (dirty.stdout?.toString().trim() ? ' (uncommitted changes)' : '');
}

/** The server measured when PARLEY_BENCH_SERVER_ROOT names another checkout (lib/serverMain.ts): its commit. */
function serverUnderTest(): MachineInfo['serverUnderTest'] {
  const root = process.env.PARLEY_BENCH_SERVER_ROOT;
  return root ? { root, commit: gitCommit(root) } : null;
}

/** What the machine is, now. */
export function machineInfo(): MachineInfo {
  const ram = memTotalBytes();
  return {
    nproc: cpuCount(),
    cpuModel: cpuModel(),
    ramGiB: Math.round((ram / 2 ** 30) * 10) / 10,
    node: process.version,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    benchCpus: affinity(),
    commit: gitCommit(),
    serverUnderTest: serverUnderTest(),
    date: new Date().toISOString(),
  };
}

/** One line: "2 × Intel(R) Xeon(R) …, 23.6 GiB RAM, Node v20…, 2025-…". */
export function machineLine(m: MachineInfo): string {
  return `${m.nproc} × ${m.cpuModel}, ${m.ramGiB} GiB RAM, Node ${m.node}, ${m.date.slice(0, 16).replace('T', ' ')} UTC`;
}
