/**
 * What /proc says about a process: CPU time (utime + stime of every thread, from /proc/<pid>/stat) and resident
 * memory (VmRSS from /proc/<pid>/status). The benchmark reads these for its child processes (the server, the
 * baseline relay), so their figures are theirs alone; the bench process itself uses process.cpuUsage().
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

let clockTicks: number | null = null;

/** Clock ticks per second of /proc's CPU times (usually 100: a resolution of 10 ms). */
export function ticksPerSecond(): number {
  clockTicks ??= Number(spawnSync('getconf', ['CLK_TCK']).stdout?.toString().trim()) || 100;
  return clockTicks;
}

/** User + system CPU time of process `pid` so far, in milliseconds. */
export function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / ticksPerSecond();
}

/** Resident set size of process `pid`, in bytes. */
export function rssBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
  if (!m) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(m[1]) * 1024;
}

/**
 * Context switches of process `pid`'s main thread (where Node's event loop runs) so far, from
 * /proc/<pid>/status: `voluntary` (it waited: an idle event loop) and `involuntary` (the kernel preempted it to
 * run something else on its CPU).
 */
export function contextSwitches(pid: number): { voluntary: number; involuntary: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const field = (name: string): number =>
    Number(new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? Number.NaN);
  return { voluntary: field('voluntary_ctxt_switches'), involuntary: field('nonvoluntary_ctxt_switches') };
}

/** True if `taskset` can pin processes here. */
export function hasTaskset(): boolean {
  return spawnSync('taskset', ['-V']).status === 0;
}

/** The CPUs process `pid` may run on, as taskset prints them (e.g. "1" or "0,1"), or null without taskset. */
export function affinity(pid = process.pid): string | null {
  const r = spawnSync('taskset', ['-pc', String(pid)]);
  if (r.status !== 0) return null;
  return (r.stdout.toString().split(':').pop() ?? '').trim();
}

/** A command line, possibly prefixed by taskset. */
export interface PinnedCommand {
  command: string;
  args: string[];
  pinned: boolean;
}

/**
 * Spawn arguments that run `args` (a command and its arguments) pinned to `cpu` when taskset exists.
 * @returns `{ command, args, pinned }`.
 */
export function pinnedCommand(cpu: number, args: [string, ...string[]]): PinnedCommand {
  if (hasTaskset()) return { command: 'taskset', args: ['-c', String(cpu), ...args], pinned: true };
  return { command: args[0], args: args.slice(1), pinned: false };
}

/**
 * Busy time of CPU `cpu` so far (every process on it: user, nice, system, irq, softirq, steal), in
 * milliseconds, from /proc/stat; null if the line is missing.
 */
export function cpuBusyMs(cpu: number): number | null {
  const line = readFileSync('/proc/stat', 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`cpu${cpu} `));
  if (line === undefined) return null;
  const [user, nice, system, , , irq, softirq, steal] = line.trim().split(/\s+/).slice(1).map(Number);
  const busy = [user, nice, system, irq, softirq].reduce((a, b) => a + (b ?? 0), 0) + (steal ?? 0);
  return (busy * 1000) / ticksPerSecond();
}

/**
 * Starts watching CPUs 0 and 1 (the forwarder's and the bench's). The returned `stop(ownCpu0Ms, ownCpu1Ms)`
 * gives the share of each CPU, in % of the elapsed time, that other processes of the machine took meanwhile:
 * busy time minus the CPU time of our own process on it. Null where /proc/stat has no such CPU.
 */
/** Other processes' share of CPUs 0 and 1 in a window, % (null where unknown). */
export interface OtherLoad {
  cpu0: number | null;
  cpu1: number | null;
}

export function watchOtherLoad(): (ownCpu0Ms: number, ownCpu1Ms: number) => OtherLoad {
  const t0 = performance.now();
  const before = [cpuBusyMs(0), cpuBusyMs(1)];
  return (ownCpu0Ms, ownCpu1Ms) => {
    const elapsed = performance.now() - t0;
    const after = [cpuBusyMs(0), cpuBusyMs(1)];
    const share = (i: 0 | 1, own: number): number | null => {
      const b = before[i];
      const a = after[i];
      return b === null || a === null
        ? null
        : Math.round(Math.max(0, ((a - b - own) / elapsed) * 100) * 10) / 10;
    };
    return { cpu0: share(0, ownCpu0Ms), cpu1: share(1, ownCpu1Ms) };
  };
}

/**
 * Starts watching a phase: `target` (a pinned child: `cpuMs()`, `pinned`) and the bench process. The returned
 * `stop()` gives the wall time, each one's CPU time and share of it, and other processes' load on CPUs 0 and 1.
 */
/** A process whose CPU a phase watches: a pinned child. */
export interface CpuTarget {
  cpuMs(): number;
  pinned: boolean;
}

/** What {@link watchCpus}'s `stop()` gives. */
export interface CpuWatch {
  wallMs: number;
  serverCpuMs: number;
  serverCpuPercent: number;
  benchCpuPercent: number;
  otherLoadPercent: OtherLoad;
}

export function watchCpus(target: CpuTarget): () => CpuWatch {
  const t0 = performance.now();
  const target0 = target.cpuMs();
  const bench0 = process.cpuUsage();
  const other = watchOtherLoad();
  return () => {
    const wallMs = performance.now() - t0;
    const targetMs = target.cpuMs() - target0;
    const b = process.cpuUsage(bench0);
    const benchMs = (b.user + b.system) / 1000;
    const pct = (x: number): number => Math.round((x / wallMs) * 1000) / 10;
    return {
      wallMs,
      serverCpuMs: targetMs,
      serverCpuPercent: pct(targetMs),
      benchCpuPercent: pct(benchMs),
      otherLoadPercent: target.pinned ? other(targetMs, benchMs) : { cpu0: null, cpu1: null },
    };
  };
}
