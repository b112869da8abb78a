/**
 * A redis-server of the benchmark's own for a cluster of Parley nodes: on 127.0.0.1 at a free port, nothing
 * saved to disk, in a temporary folder removed when it stops; pinned to the servers' CPU like the nodes, so its
 * CPU time (from /proc) is counted with theirs and kept out of the other processes' load.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { type AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { cpuMs, pinnedCommand } from './procStat.js';

/** What redis-server logs once it serves clients. */
const READY = /Ready to accept connections/;
const READY_TIMEOUT_MS = 15_000;

/** A TCP port that was free a moment ago (another process may take it before redis-server binds it). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

/** Runs redis-server once on `port`; resolves when it is ready, rejects if it exits or is slow to start. */
function runOnce(port: number, dir: string, cpu: number): Promise<{ child: ChildProcess; pinned: boolean }> {
  const { command, args, pinned } = pinnedCommand(cpu, [
    'redis-server',
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--save',
    '',
    '--appendonly',
    'no',
    '--dir',
    dir,
  ]);
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const log: string[] = [];
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new Error(`redis-server did not start within ${READY_TIMEOUT_MS} ms: ${log.slice(-3).join(' | ')}`),
      );
    }, READY_TIMEOUT_MS);
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(
        (err as NodeJS.ErrnoException).code === 'ENOENT'
          ? new Error('redis-server is not installed (apt-get install redis-server)')
          : err,
      );
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`redis-server exited with ${code}: ${log.slice(-3).join(' | ')}`));
    });
    for (const stream of [child.stdout, child.stderr]) {
      if (stream === null) continue;
      createInterface({ input: stream }).on('line', (line) => {
        if (log.length < 200) log.push(line);
        if (READY.test(line)) {
          clearTimeout(timer);
          child.removeAllListeners('exit');
          resolve({ child, pinned });
        }
      });
    }
  });
}

/**
 * Starts redis-server pinned to `cpu`. Resolves with `url`, `pid`, `pinned`, `cpuMs()` and `stop()`.
 * taskset runs the command in its own process (exec), so the child's pid is redis-server's.
 */
/** The bench's redis-server. */
export interface RedisServer {
  url: string;
  pid: number;
  pinned: boolean;
  cpuMs(): number;
  stop(): Promise<void>;
}

export async function startRedisServer({ cpu = 0 }: { cpu?: number } = {}): Promise<RedisServer> {
  const dir = mkdtempSync(join(tmpdir(), 'parley-bench-redis-'));
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    try {
      const { child, pinned } = await runOnce(port, dir, cpu);
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      const pid = child.pid;
      if (pid === undefined) throw new Error('redis-server has no pid');
      return {
        url: `redis://127.0.0.1:${port}`,
        pid,
        pinned,
        cpuMs: () => cpuMs(pid),
        async stop() {
          if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
          await exited;
          rmSync(dir, { recursive: true, force: true });
        },
      };
    } catch (err) {
      lastError = err;
      if (err instanceof Error && /not installed/.test(err.message)) break;
    }
  }
  rmSync(dir, { recursive: true, force: true });
  throw lastError;
}
