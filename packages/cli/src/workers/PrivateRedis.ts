/**
 * The private Redis of `parley serve --workers` without `--redis`: Debian's `redis-server`, on a unix socket in
 * `<dataDir>/redis/` only (no TCP port), keeping nothing on disk, started by the primary and stopped with it.
 *
 * It must not outlive the primary, even one killed with SIGKILL, and Redis cannot watch its parent. So it runs
 * under a small `sh` guardian that reads the primary's pipe: when the pipe closes — the primary closed it, or
 * the primary is gone — the guardian stops Redis with SIGTERM. Both run in a process group of their own, so a
 * Ctrl+C in the terminal reaches the primary and the workers, which drain, and not Redis, which they still need
 * while they drain.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { constants } from 'node:fs';
import { access, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { TypedEmitter } from '@parley/protocol';
import { CliError } from '../errors.js';
import type { Env } from '../io.js';
import { redisAnswers, redisCommand } from './redisSocket.js';

/** The directory of the private Redis inside the data directory. */
export const REDIS_DIR = 'redis';
/** Its socket, pid file (written by Redis) and owner file (the primary's pid) in that directory. */
export const REDIS_FILES = { socket: 'redis.sock', pid: 'redis.pid', owner: 'owner.pid' } as const;

/** The message when `redis-server` is not installed. */
export const MISSING_REDIS =
  "--workers needs Redis, and redis-server is not installed (not found on PATH). Install Debian's " +
  'redis-server (apt install redis-server), or pass --redis URL of a Redis to use.';

/** The longest unix socket path Linux takes (`sun_path` is 108 bytes with its final NUL). */
const MAX_SOCKET_PATH = 107;
/** Log lines of Redis kept to explain a failure. */
const KEPT_LINES = 20;
/** How long Redis has to stop after SIGTERM before its process group is killed. */
const STOP_TIMEOUT_MS = 10_000;

/**
 * The guardian: starts Redis (`"$@"`) in the background, stops it once its standard input (the primary's pipe)
 * ends, and exits with Redis's status. The watcher reads the pipe through fd 3, since a background job's own
 * standard input is /dev/null.
 */
const GUARDIAN = `exec 3<&0
"$@" </dev/null &
pid=$!
{ while read -r _; do :; done; kill -TERM "$pid" 2>/dev/null; } <&3 &
watcher=$!
exec 3<&-
wait "$pid"
status=$?
kill "$watcher" 2>/dev/null
exit "$status"`;

/** Options of {@link PrivateRedis.start}. */
export interface PrivateRedisOptions {
  /** The data directory; Redis's files go to its `redis/` directory. */
  dataDir: string;
  /** Where `redis-server` is looked for (its PATH). */
  env: Env;
  /** Messages for the operator (a left-over Redis stopped). */
  log: (line: string) => void;
  /** Redis's own log lines, when wanted (at log level debug). */
  onRedisLine?: (line: string) => void;
}

/** Events of a {@link PrivateRedis}. */
export interface PrivateRedisEvents {
  /** Redis ended without being asked to: how, and its last log lines. */
  died: [description: string];
}

/** A running private Redis. Stop it with {@link close}. */
export class PrivateRedis extends TypedEmitter<PrivateRedisEvents> {
  /** The `unix:` URL the workers use as `cluster.redis`. */
  readonly url: string;
  private closing = false;
  private readonly exited: Promise<void>;
  private readonly lines: string[];

  private constructor(
    /** The directory of Redis's files. */
    readonly dir: string,
    /** Path of its socket. */
    readonly socketPath: string,
    /** Redis's pid. */
    readonly pid: number,
    private readonly guardian: ChildProcess,
    exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>,
    lines: string[],
  ) {
    super();
    this.url = `unix:${socketPath}`;
    this.lines = lines;
    this.exited = exited.then(({ code, signal }) => {
      if (this.closing) return;
      this.emit('died', `it ${howEnded(code, signal)}; its last lines:\n${this.lines.join('\n')}`);
    });
  }

  /**
   * Starts Redis and resolves once it answers on its socket.
   * @throws CliError when redis-server is not installed, the data directory is in use by another primary, the
   *   socket path is too long, or Redis does not start (with its last lines).
   */
  static async start(options: PrivateRedisOptions): Promise<PrivateRedis> {
    const redisServer = await findOnPath('redis-server', options.env);
    if (redisServer === null) throw CliError.failure(MISSING_REDIS);
    const dir = join(options.dataDir, REDIS_DIR);
    const socketPath = join(dir, REDIS_FILES.socket);
    if (Buffer.byteLength(socketPath) > MAX_SOCKET_PATH) {
      throw CliError.failure(
        `the private Redis's socket ${socketPath} is longer than a unix socket path may be ` +
          `(${MAX_SOCKET_PATH} bytes): choose a shorter --data-dir`,
      );
    }
    await mkdir(dir, { recursive: true, mode: 0o700 });
    await clearLeftovers(dir, options.log);
    await writeFile(join(dir, REDIS_FILES.owner), `${process.pid}\n`, { mode: 0o600 });
    const args = [
      redisServer,
      ...['--port', '0', '--unixsocket', socketPath, '--unixsocketperm', '700'],
      ...['--save', '', '--appendonly', 'no', '--dir', dir],
      ...['--pidfile', join(dir, REDIS_FILES.pid), '--logfile', '', '--daemonize', 'no'],
    ];
    const guardian = spawn('/bin/sh', ['-c', GUARDIAN, 'parley-redis', ...args], {
      cwd: dir,
      env: {},
      detached: true,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      guardian.once('exit', (code, signal) => resolve({ code, signal })),
    );
    const lines: string[] = [];
    const ready = new Promise<boolean>((resolve) => {
      const onLine = (line: string): void => {
        lines.push(line);
        if (lines.length > KEPT_LINES) lines.shift();
        options.onRedisLine?.(line);
        // 6.x and 7.2 say "Ready to accept connections", 7.0 "The server is now ready to accept connections at …".
        if (/ready to accept connections/i.test(line)) resolve(true);
      };
      forwardLines(guardian.stdout!, onLine);
      forwardLines(guardian.stderr!, onLine);
      void exited.then(() => resolve(false));
    });
    guardian.stdin!.on('error', () => {});
    const failed = (why: string): CliError =>
      CliError.failure(`the private Redis (${redisServer}) ${why}; its last lines:\n${lines.join('\n')}`);
    if (!(await ready)) {
      const { code, signal } = await exited;
      throw failed(`did not start: it ${howEnded(code, signal)}`);
    }
    if (!(await redisAnswers(socketPath))) {
      await stopGuardian(guardian, exited);
      throw failed(`does not answer PING on ${socketPath}`);
    }
    const pid = Number((await readFile(join(dir, REDIS_FILES.pid), 'utf8')).trim());
    return new PrivateRedis(dir, socketPath, pid, guardian, exited, lines);
  }

  /** Stops Redis (it keeps nothing) and removes its files. Idempotent. */
  async close(): Promise<void> {
    this.closing = true;
    await stopGuardian(this.guardian, this.exited);
    await Promise.all(Object.values(REDIS_FILES).map((name) => rm(join(this.dir, name), { force: true })));
  }
}

/**
 * Makes the Redis directory usable again after an earlier run: a socket nobody listens on (Redis or the
 * machine crashed) is removed; a Redis still running there whose primary is gone (killed together with the
 * guardian) is shut down; one whose primary still runs belongs to that primary, and this one refuses to start.
 */
async function clearLeftovers(dir: string, log: (line: string) => void): Promise<void> {
  const socketPath = join(dir, REDIS_FILES.socket);
  const probe = await redisCommand(socketPath, 'PING');
  if ('reply' in probe) {
    const owner = await readOwner(dir);
    if (probe.reply !== '+PONG') {
      throw CliError.failure(`${socketPath} is in use by a program that is not a Redis; remove it first`);
    }
    if (owner !== null && owner !== process.pid && isRunning(owner)) {
      throw CliError.failure(
        `the data directory's Redis (${socketPath}) belongs to another parley serve --workers, pid ${owner}: ` +
          'stop that one first, or give this one another --data-dir',
      );
    }
    log(`Stopping the private Redis an earlier parley serve left running at ${socketPath}\n`);
    // Redis closes the connection once it is shutting down; it has removed its socket by then.
    await redisCommand(socketPath, 'SHUTDOWN NOSAVE');
  }
  await Promise.all(Object.values(REDIS_FILES).map((name) => rm(join(dir, name), { force: true })));
}

async function readOwner(dir: string): Promise<number | null> {
  try {
    const pid = Number((await readFile(join(dir, REDIS_FILES.owner), 'utf8')).trim());
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

/** True if a process `pid` exists (one of another user's counts: EPERM). */
function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Ends the guardian's pipe, so it stops Redis, and waits; kills the whole group if Redis takes too long. */
async function stopGuardian(guardian: ChildProcess, exited: Promise<unknown>): Promise<void> {
  if (guardian.exitCode !== null || guardian.signalCode !== null) return exited.then(() => {});
  guardian.stdin!.end();
  const timer = setTimeout(() => {
    try {
      process.kill(-guardian.pid!, 'SIGKILL');
    } catch {
      // Gone meanwhile.
    }
  }, STOP_TIMEOUT_MS);
  await exited;
  clearTimeout(timer);
}

/** The executable `name` on the PATH of `env`, or null. */
export async function findOnPath(name: string, env: Env): Promise<string | null> {
  for (const dir of (env['PATH'] ?? '').split(delimiter)) {
    if (dir === '') continue;
    const file = join(dir, name);
    try {
      await access(file, constants.X_OK);
      return file;
    } catch {
      // Not here.
    }
  }
  return null;
}

function forwardLines(stream: NodeJS.ReadableStream, onLine: (line: string) => void): void {
  let rest = '';
  stream.setEncoding('utf8');
  stream.on('data', (text: string) => {
    const parts = (rest + text).split('\n');
    rest = parts.pop()!;
    for (const line of parts) onLine(line);
  });
}

function howEnded(code: number | null, signal: NodeJS.Signals | null): string {
  return signal !== null ? `was ended by ${signal}` : `exited with code ${code}`;
}
