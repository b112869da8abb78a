/**
 * A child process of the benchmark (the Parley server, the baseline relay) and the line protocol both speak:
 * the child writes one JSON line when ready, then answers each JSON command line on its stdin with one JSON
 * line, in order. The child writes those lines on a channel of their own (file descriptor {@link CHANNEL_FD},
 * {@link writeToBench}), not on its stdout: V8's trace flags (`--trace-deopt`, `--trace-opt`,
 * `--trace-protector-invalidation`, given through PARLEY_BENCH_SERVER_NODE_ARGS) print on stdout from C,
 * between and even inside the child's own writes, and broke the protocol at their first line. A child's stdout
 * goes to the bench's stderr, with its progress, away from the results on the bench's stdout.
 */
import { spawn } from 'node:child_process';
import { Socket } from 'node:net';
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { cpuMs, pinnedCommand, rssBytes } from './procStat.js';

/** A started child: its ready line, pid, and the calls on it. */
export interface Child<I = ChildInfo> {
  info: I;
  pid: number;
  pinned: boolean;
  /**
   * Sends one command; resolves with the child's answer (JSON, as the child wrote it). Rejects, saying how the
   * child ended ("was killed by SIGSEGV"), if it ends first.
   */
  request(cmd: object): Promise<unknown>;
  /** The child's CPU time so far (ms); throws, saying how it ended, once it has. */
  cpuMs(): number;
  /** The child's RSS (bytes); throws, saying how it ended, once it has. */
  rssBytes(): number;
  /** Stops the child (SIGTERM) unless it has ended; resolves once it has. */
  stop(): Promise<void>;
  /** Resolves, once the child has ended (asked or not), with how: "exited with 0", "was killed by SIGKILL". */
  exited: Promise<string>;
}

/** The child's end of the channel: its file descriptor 3, a pipe the bench opened. */
export const CHANNEL_FD = 3;

/** In a child: a function that writes one value to the bench as a JSON line (the ready line, then each answer). */
export function writeToBench(): (value: unknown) => void {
  const channel = new Socket({ fd: CHANNEL_FD, readable: false, writable: true });
  return (value) => {
    channel.write(`${JSON.stringify(value)}\n`);
  };
}

/**
 * In a child: answers each command line on its stdin (JSON), in order, with what `answer` gives for it (awaited),
 * on the bench's channel; when the bench stops it (SIGTERM) or goes away without doing so (stdin closes), runs
 * `stop` and exits. Returns the function that writes to the bench, for the child's ready line.
 */
export function answerCommands(
  answer: (command: unknown) => unknown,
  stop: () => unknown,
): (value: unknown) => void {
  const toBench = writeToBench();
  let chain: Promise<void> = Promise.resolve();
  const commands = createInterface({ input: process.stdin });
  commands.on('line', (line) => {
    chain = chain.then(async () => {
      toBench(await answer(JSON.parse(line)));
    });
  });
  const exit = (): void => {
    void Promise.resolve()
      .then(stop)
      .finally(() => process.exit(0));
  };
  commands.on('close', exit);
  process.on('SIGTERM', exit);
  return toBench;
}

/** Every child's ready line has its pid. */
export interface ChildInfo {
  pid: number;
}

/** What a ready line must have; the rest is the child's own. */
function readyInfo(line: string): ChildInfo & Record<string, unknown> {
  const info: unknown = JSON.parse(line);
  if (typeof info !== 'object' || info === null || typeof (info as { pid?: unknown }).pid !== 'number') {
    throw new Error(`a child's ready line has no pid: ${line}`);
  }
  return info as ChildInfo & Record<string, unknown>;
}

/**
 * Starts `node <script> <arg>` pinned to `cpu`. Resolves with the child's ready line (`info`), its pid, and
 * `request(command)` / `cpuMs()` / `rssBytes()` / `stop()`, and `exited`.
 */
export async function startChild({
  script,
  arg = '',
  cpu = 0,
  nodeArgs = [],
}: {
  script: string;
  arg?: string;
  cpu?: number;
  nodeArgs?: string[];
}): Promise<Child<ChildInfo & Record<string, unknown>>> {
  const { command, args, pinned } = pinnedCommand(cpu, [process.execPath, ...nodeArgs, script, arg]);
  const child = spawn(command, args, { stdio: ['pipe', process.stderr, 'inherit', 'pipe'] });
  const commands = child.stdin as Writable;
  // A command written just as the child died fails with EPIPE here; the exit handler below says what happened.
  commands.on('error', () => {});
  const lines = createInterface({ input: child.stdio[CHANNEL_FD] as Readable });
  const waiting: { resolve: (value: unknown) => void; reject: (err: Error) => void }[] = [];
  // How the child ended, once it has: an exit code, or the signal that killed it (then the code is null, and
  // a crash such as SIGSEGV prints nothing of its own).
  let ended: string | null = null;
  let stopping = false;
  const info = await new Promise<ChildInfo & Record<string, unknown>>((resolve, reject) => {
    lines.once('line', (line) => {
      try {
        resolve(readyInfo(line));
      } catch (err) {
        reject(err);
      }
    });
    child.once('exit', (code, signal) =>
      reject(new Error(`${script} ${endedBy(code, signal)} before it was ready`)),
    );
  });
  lines.on('line', (line) => waiting.shift()?.resolve(JSON.parse(line) as unknown));
  const exited = new Promise<string>((resolve) =>
    child.once('exit', (code, signal) => {
      const how = endedBy(code, signal);
      ended = how;
      if (!stopping) process.stderr.write(`bench: ${script} (pid ${child.pid}) ${how} unasked\n`);
      for (const w of waiting.splice(0)) w.reject(new Error(`${script} ${how}`));
      resolve(how);
    }),
  );
  const pid = info.pid;
  // Reading a child that has ended would read another process's figures, or none: say what happened.
  const alive = (): void => {
    if (ended !== null) throw new Error(`${script} ${ended}`);
  };
  return {
    info,
    pid,
    pinned,
    request(cmd) {
      if (ended !== null) return Promise.reject(new Error(`${script} ${ended}`));
      return new Promise<unknown>((resolve, reject) => {
        waiting.push({ resolve, reject });
        commands.write(`${JSON.stringify(cmd)}\n`);
      });
    },
    cpuMs: () => {
      alive();
      return cpuMs(pid);
    },
    rssBytes: () => {
      alive();
      return rssBytes(pid);
    },
    async stop() {
      stopping = true;
      if (ended === null) child.kill('SIGTERM');
      await exited;
    },
    exited,
  };
}

/** "exited with 1", or "was killed by SIGSEGV". */
function endedBy(code: number | null, signal: NodeJS.Signals | null): string {
  return code === null ? `was killed by ${signal ?? 'a signal'}` : `exited with ${code}`;
}
