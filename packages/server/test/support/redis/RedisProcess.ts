/**
 * Debian's `redis-server` on 127.0.0.1 for a test: a free port, a Unix socket and a working directory of its own
 * (a temporary folder, removed on close), nothing saved to disk. It can be stopped (SIGTERM), killed (SIGKILL) and
 * restarted on the same port, empty, as a Redis restart in production would leave it; it can be frozen (SIGSTOP)
 * and thawed, as a hung Redis. The cluster tests use it,
 * and other packages import it as `@parley/server/test/redis`.
 *
 * Where `redis-server` is not installed the tests that need it skip — unless PARLEY_REQUIRE_ALL_TESTS=1 (CI),
 * where they fail.
 *
 * @example
 * const redis = await RedisProcess.start();
 * const state = new RedisState({ url: redis.url, nodeID: 'a', heartbeatMs: 100, nodeTimeoutMs: 500 });
 * await redis.restart();
 * await redis.close();
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

export const REDIS_SERVER = '/usr/bin/redis-server';
const HOST = '127.0.0.1';
/** What redis-server logs once it serves clients. */
const READY = /Ready to accept connections/;
/** How long redis-server may take to start listening. */
const READY_TIMEOUT_MS = 15_000;
/** How many free ports to try when another process takes the one picked before redis-server binds it. */
const ATTEMPTS = 3;

/**
 * False when redis-server is installed (the test runs), else a reason to skip; with PARLEY_REQUIRE_ALL_TESTS=1
 * always false, so the test runs and fails on the missing server.
 */
export function skipWithoutRedis(): string | false {
  if (existsSync(REDIS_SERVER) || process.env['PARLEY_REQUIRE_ALL_TESTS'] === '1') return false;
  return `${REDIS_SERVER} is not installed (apt-get install redis-server)`;
}

export class RedisProcess {
  /** Every line redis-server has logged, over all its runs. */
  readonly log: string[] = [];
  #child: ChildProcess | null = null;
  #exited: Promise<void> = Promise.resolve();
  #closed: Promise<void> | null = null;

  private constructor(
    /** The TCP port on 127.0.0.1, the same over restarts. */
    readonly port: number,
    private readonly dir: string,
  ) {}

  /** Starts redis-server on a free port and resolves once it accepts connections. */
  static async start(): Promise<RedisProcess> {
    if (!existsSync(REDIS_SERVER)) {
      throw new Error(`${REDIS_SERVER} is not installed (apt-get install redis-server)`);
    }
    const dir = await mkdtemp(join(tmpdir(), 'parley-redis-'));
    let lastError: unknown;
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      const redis = new RedisProcess(await freePort(), dir);
      try {
        await redis.#run();
        return redis;
      } catch (error) {
        lastError = error;
      }
    }
    await rm(dir, { recursive: true, force: true });
    throw lastError;
  }

  /** `redis://127.0.0.1:<port>`. */
  get url(): string {
    return `redis://${HOST}:${this.port}`;
  }

  /** The Unix socket redis-server also listens on. */
  get socketPath(): string {
    return join(this.dir, 'redis.sock');
  }

  /** `unix:<socketPath>`. */
  get unixUrl(): string {
    return `unix:${this.socketPath}`;
  }

  /** True while the process runs. */
  get running(): boolean {
    return this.#child !== null;
  }

  /** Stops redis-server gracefully (SIGTERM) and resolves once it has exited. */
  stop(): Promise<void> {
    return this.#signal('SIGTERM');
  }

  /** Kills redis-server (SIGKILL), as a crash would, and resolves once it has exited. */
  kill(): Promise<void> {
    return this.#signal('SIGKILL');
  }

  /**
   * Stops the process where it stands (SIGSTOP), as a hung or swapped-out Redis would: connections stay open and
   * nothing is answered until {@link thaw}. Resolves once the process is stopped.
   */
  async freeze(): Promise<void> {
    const child = this.#child;
    if (!child?.pid) throw new Error('redis-server is not running');
    child.kill('SIGSTOP');
    // Linux shows a stopped process as state T in /proc/<pid>/stat (the field after the parenthesised name).
    const stopped = async () =>
      / T /.test((await readFile(`/proc/${child.pid}/stat`, 'utf8')).replace(/^.*\)/, ''));
    const deadline = performance.now() + READY_TIMEOUT_MS;
    while (!(await stopped())) {
      if (performance.now() > deadline) throw new Error('redis-server did not stop on SIGSTOP');
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  /** Lets a frozen process go on (SIGCONT). */
  thaw(): void {
    this.#child?.kill('SIGCONT');
  }

  /** Stops redis-server if it runs, then starts it again on the same port, empty. */
  async restart(): Promise<void> {
    if (this.#closed) throw new Error('redis-server was closed');
    await this.stop();
    await this.#run();
  }

  /** Stops redis-server and removes its folder. Idempotent. */
  close(): Promise<void> {
    this.#closed ??= (async () => {
      await this.stop();
      await rm(this.dir, { recursive: true, force: true });
    })();
    return this.#closed;
  }

  async #signal(signal: NodeJS.Signals): Promise<void> {
    const child = this.#child;
    if (child) {
      child.kill(signal);
      // A frozen process takes its signal only once it runs again.
      child.kill('SIGCONT');
    }
    await this.#exited;
  }

  /** Starts one run of redis-server and resolves once it is ready; rejects, with its log, if it exits first. */
  async #run(): Promise<void> {
    const args = ['--port', String(this.port), '--bind', HOST, '--unixsocket', this.socketPath];
    args.push('--unixsocketperm', '700', '--dir', this.dir, '--save', '', '--appendonly', 'no');
    args.push('--daemonize', 'no', '--logfile', '');
    const child = spawn(REDIS_SERVER, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.#child = child;
    const lines: string[] = [];
    let settle: ((why: string | null) => void) | null = null;
    const add = (line: string): void => {
      this.log.push(line);
      lines.push(line);
      if (READY.test(line)) settle?.(null);
    };
    createInterface({ input: child.stdout! }).on('line', add);
    createInterface({ input: child.stderr! }).on('line', (line) => add(`stderr: ${line}`));
    this.#exited = new Promise<void>((resolve) => {
      const gone = (why: string): void => {
        if (this.#child === child) this.#child = null;
        settle?.(why);
        resolve();
      };
      // `close` rather than `exit`: by then every line it wrote has been read, so an error shows all of them.
      child.once('close', (code, signal) => gone(`exited (${signal ?? code})`));
      // A process that could not be spawned has no pid and never closes.
      child.once('error', (error) => {
        if (child.pid === undefined) gone(`could not start: ${error.message}`);
      });
    });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        settle?.(`was not ready in ${READY_TIMEOUT_MS} ms`);
        child.kill('SIGKILL');
      }, READY_TIMEOUT_MS);
      settle = (why) => {
        settle = null;
        clearTimeout(timer);
        if (why === null) resolve();
        else reject(new Error(`redis-server ${why}:\n${lines.join('\n')}`));
      };
      if (lines.some((line) => READY.test(line))) settle(null);
    });
  }
}

/** A TCP port free on 127.0.0.1 right now. */
async function freePort(): Promise<number> {
  const server = createServer();
  const port = await new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, HOST, () => resolve((server.address() as { port: number }).port));
  });
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
