/**
 * One host of the network lab: an anonymous network namespace, held open by a file descriptor of this process
 * rather than a name under /run/netns (a path every process on the machine shares) or a sleeping process. When
 * this process ends, however it ends, the descriptor closes and the kernel frees the namespace with its links.
 */
import { type ChildProcess, type SpawnOptions, spawn } from 'node:child_process';
import { type FileHandle, open, readdir, readlink } from 'node:fs/promises';
import { type RunOptions, type RunResult, run } from './run.js';

/** Options of {@link LabHost.create}. */
export interface LabHostOptions {
  /** Forward IPv4 packets between interfaces (a router). Default false. */
  forwarding?: boolean;
}

/** How long processes get to exit on SIGTERM before the host kills them. */
const TERM_GRACE_MS = 2000;

/**
 * The namespace's first process brings `lo` up, turns IPv6 off (the lab is IPv4 only, so no link-local
 * addresses turn up as ICE candidates; best effort) and sets forwarding (a new namespace may inherit the
 * machine's setting), then says "ready" and waits for its stdin to close. A router cannot work without
 * forwarding, so there a read-only /proc/sys (an unprivileged container) is an error.
 */
const INIT_SCRIPT = `set -e
ip link set lo up
for conf in all default; do
  echo 1 2>/dev/null > /proc/sys/net/ipv6/conf/$conf/disable_ipv6 || true
done
if ! echo "$1" 2>/dev/null > /proc/sys/net/ipv4/ip_forward && [ "$1" = 1 ]; then
  echo "cannot turn IPv4 forwarding on: /proc/sys is read-only here (a privileged container is needed)" >&2
  exit 1
fi
echo ready
read -r _ || true
`;

export class LabHost {
  readonly #children = new Set<ChildProcess>();
  #closed: Promise<void> | null = null;

  private constructor(
    /** The host's name in the lab. */
    readonly name: string,
    /** The namespace's identity as /proc shows it, e.g. `net:[4026532301]`. */
    readonly netns: string,
    private readonly handle: FileHandle,
  ) {}

  /** Creates the namespace and brings its loopback up. */
  static async create(name: string, options: LabHostOptions = {}): Promise<LabHost> {
    const own = await readlink('/proc/self/ns/net');
    const init = spawn(
      'unshare',
      ['--net', '--', 'sh', '-c', INIT_SCRIPT, 'init', options.forwarding ? '1' : '0'],
      { stdio: ['pipe', 'pipe', 'pipe'] },
    );
    try {
      await untilReady(init, name);
      const handle = await open(`/proc/${init.pid}/ns/net`, 'r');
      const netns = await readlink(`/proc/self/fd/${handle.fd}`);
      // unshare reported success, yet make sure this really is a new namespace before using it.
      if (netns === own) {
        await handle.close();
        throw new Error(`lab host ${name}: unshare left the process in the current network namespace`);
      }
      return new LabHost(name, netns, handle);
    } finally {
      init.stdin?.end();
      if (init.exitCode === null && init.signalCode === null)
        await new Promise((resolve) => init.once('exit', resolve));
    }
  }

  /** The path through which other processes enter the namespace (this process's descriptor of it). */
  get nsPath(): string {
    if (this.#closed) throw new Error(`lab host ${this.name} is closed`);
    return `/proc/${process.pid}/fd/${this.handle.fd}`;
  }

  /** The command line prefix that runs a command inside this host. */
  enterArgs(): string[] {
    return [`--net=${this.nsPath}`, '--'];
  }

  /** Runs a command inside the host to completion; rejects with its stderr if it fails. */
  exec(command: string, args: readonly string[] = [], options: RunOptions = {}): Promise<RunResult> {
    return run('nsenter', [...this.enterArgs(), command, ...args], options);
  }

  /**
   * Starts a long-lived process inside the host. It is killed when the host closes, and by the kernel if this
   * process dies first (parent-death signal), so no test leaves it behind. As with `spawn`, its stdio are pipes
   * unless `options.stdio` says otherwise: read them (e.g. with JsonLines) or a chatty process stalls.
   */
  spawn(command: string, args: readonly string[] = [], options: SpawnOptions = {}): ChildProcess {
    const child = spawn(
      'nsenter',
      [...this.enterArgs(), 'setpriv', '--pdeathsig', 'KILL', '--', command, ...args],
      options,
    );
    this.#children.add(child);
    child.once('exit', () => this.#children.delete(child));
    // A child that could not start (nsenter missing) emits 'error' and never 'exit': forget it, or close()
    // would wait for it. The caller sees the same 'error' event.
    child.once('error', () => this.#children.delete(child));
    return child;
  }

  /** The ids of every process inside the host, whoever started it. */
  async processes(): Promise<number[]> {
    const pids: number[] = [];
    for (const entry of await readdir('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        if ((await readlink(`/proc/${entry}/ns/net`)) === this.netns) pids.push(Number(entry));
      } catch {
        // The process ended meanwhile, or is a zombie (which holds no namespace).
      }
    }
    return pids;
  }

  /**
   * Ends every process in the host (SIGTERM, then SIGKILL after a grace period) and releases the namespace.
   * Idempotent; later calls return the same promise.
   */
  close(): Promise<void> {
    this.#closed ??= this.#close();
    return this.#closed;
  }

  async #close(): Promise<void> {
    const children = [...this.#children];
    const exited = Promise.all(children.map(waitExit));
    for (const child of children) child.kill('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([exited, new Promise((resolve) => (timer = setTimeout(resolve, TERM_GRACE_MS)))]);
    clearTimeout(timer);
    // Whatever is left, including processes the children started (a browser's helpers), is killed.
    for (let round = 0; ; round++) {
      const left = await this.processes();
      if (left.length === 0) break;
      if (round === 100)
        throw new Error(`lab host ${this.name}: processes ${left.join(', ')} outlived SIGKILL`);
      for (const pid of left) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // Already gone.
        }
      }
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    await exited;
    await this.handle.close();
  }
}

function waitExit(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/** Resolves when the init process prints "ready"; rejects with its stderr if it ends first. */
function untilReady(init: ChildProcess, name: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    init.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('ready\n')) resolve();
    });
    init.stderr?.on('data', (chunk: Buffer) => {
      err += chunk.toString();
    });
    init.once('error', (error) => reject(new Error(`lab host ${name}: ${error.message}`)));
    init.once('exit', (code, signal) =>
      reject(
        new Error(
          `lab host ${name}: unshare ended (${signal ?? code}) before the namespace was ready: ${err}`,
        ),
      ),
    );
  });
}
