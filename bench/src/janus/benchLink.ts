/**
 * The network Janus runs on in the bench: a network namespace of its own (`parley-bench-janus-<pid>`) joined to
 * the bench's namespace by a veth pair with addresses from 198.18.0.0/15, the range set aside for benchmarks
 * (RFC 2544). Janus gathers no ICE candidates on loopback, so it needs an interface; this one reaches nothing
 * but the bench. The link is made only when the bench runs in a network namespace of its own whose only
 * interface is loopback, so nothing on it can be bridged or routed to the host's network.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';

/** The bench's end of the link. */
export const BENCH_ADDRESS = '198.18.99.1';
/** Janus's end of the link, inside its namespace. */
export const JANUS_ADDRESS = '198.18.99.2';
const PREFIX = 30;
const NAMESPACE_PREFIX = 'parley-bench-janus-';
const CARRIER_TIMEOUT_MS = 5_000;

/** Runs `ip` with `args`; throws with its error output when it fails. */
function ip(args: string[]): string {
  const r = spawnSync('ip', args, { encoding: 'utf8' });
  if (r.error) throw new Error(`ip ${args.join(' ')}: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`ip ${args.join(' ')} failed: ${r.stderr.trim()}`);
  return r.stdout;
}

/** The network namespace of process `pid`, or null where /proc does not say (another user's process). */
function namespaceOf(pid: number): string | null {
  try {
    return readlinkSync(`/proc/${pid}/ns/net`);
  } catch {
    return null;
  }
}

/** The parent of process `pid`, or null. */
function parentOf(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    return Number.isInteger(ppid) && ppid > 0 ? ppid : null;
  } catch {
    return null;
  }
}

/**
 * True if this process runs in a network namespace of its own: one of its ancestors (the shell that ran
 * `unshare -n`) is in another. PID 1's namespace cannot always be read here (a container), its ancestors' can.
 */
function ownNamespace(): boolean {
  const own = namespaceOf(process.pid);
  if (own === null) return false;
  for (let pid = parentOf(process.pid); pid !== null; pid = parentOf(pid)) {
    const ns = namespaceOf(pid);
    if (ns !== null && ns !== own) return true;
    if (pid === 1) break;
  }
  return false;
}

/**
 * Why the bench may not make the link here, or null when it may: it must run in a network namespace other
 * than its parent's (an ancestor's, see ownNamespace) in which no interface but loopback exists, up or down (the check the bench makes
 * for `unshare -n`, made strict: a veth or bridge to the host would carry Janus's traffic out).
 */
export function isolationProblem(): string | null {
  if (!ownNamespace()) {
    return "the bench runs in its parent's network namespace; run it under `unshare -n bash -c 'ip link set lo up && …'`";
  }
  let links: string;
  try {
    links = ip(['-o', 'link', 'show']);
  } catch (err) {
    return (err as Error).message;
  }
  const names = links
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => l.split(':')[1]?.trim().split('@')[0] ?? '');
  const others = names.filter((n) => n !== 'lo');
  if (others.length > 0) {
    return `the bench's network namespace has interfaces besides lo (${others.join(', ')}); Janus's link is made only in a loopback-only namespace`;
  }
  return null;
}

/** True if process `pid` is alive. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Deletes the namespaces earlier bench processes left behind (their pid is gone: killed before cleaning up). */
function removeStaleNamespaces(): void {
  if (!existsSync('/run/netns')) return;
  for (const name of readdirSync('/run/netns')) {
    if (!name.startsWith(NAMESPACE_PREFIX)) continue;
    const pid = Number(name.slice(NAMESPACE_PREFIX.length));
    if (Number.isInteger(pid) && pid > 0 && !alive(pid)) spawnSync('ip', ['netns', 'del', name]);
  }
}

/** Resolves once `device` (in the namespace `inside` selects) is up with carrier; throws after 5 s. */
async function carrier(inside: string[], device: string): Promise<void> {
  const deadline = performance.now() + CARRIER_TIMEOUT_MS;
  for (;;) {
    const flags =
      /<([^>]*)>/.exec(ip([...inside, '-o', 'link', 'show', 'dev', device]))?.[1]?.split(',') ?? [];
    if (flags.includes('UP') && flags.includes('LOWER_UP') && !flags.includes('NO-CARRIER')) return;
    if (performance.now() > deadline) throw new Error(`the bench link's ${device} got no carrier`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/**
 * The namespace and veth pair, made by {@link BenchLink.open}. `close()` deletes both (deleting the namespace
 * removes its end of the veth pair, which removes the pair); the bench's exit does the same if close was not
 * reached, so no namespace outlives the bench.
 */
export class BenchLink {
  /** The link of this process, if open: its names and addresses are per process, so one at a time. */
  private static current: BenchLink | null = null;
  private closed = false;
  private readonly onExit = (): void => this.close();

  private constructor(
    /** The namespace Janus runs in. */
    readonly namespace: string,
    /** The bench's end of the veth pair. */
    readonly benchInterface: string,
  ) {
    process.once('exit', this.onExit);
  }

  /**
   * Makes the link and resolves once both ends have carrier; throws if the bench is not isolated (see
   * {@link isolationProblem}) or `ip` fails.
   */
  static async open(): Promise<BenchLink> {
    if (BenchLink.current !== null)
      throw new Error('the bench already has a link to a Janus; close it first');
    const problem = isolationProblem();
    if (problem !== null) throw new Error(`refusing to give Janus a network link: ${problem}`);
    removeStaleNamespaces();
    const namespace = `${NAMESPACE_PREFIX}${process.pid}`;
    const benchInterface = `pbj${process.pid}a`;
    const janusInterface = `pbj${process.pid}b`;
    ip(['netns', 'add', namespace]);
    const link = new BenchLink(namespace, benchInterface);
    BenchLink.current = link;
    try {
      ip(['link', 'add', benchInterface, 'type', 'veth', 'peer', 'name', janusInterface, 'netns', namespace]);
      ip(['addr', 'add', `${BENCH_ADDRESS}/${PREFIX}`, 'dev', benchInterface]);
      ip(['link', 'set', benchInterface, 'up']);
      const inside = ['-n', namespace];
      ip([...inside, 'link', 'set', 'lo', 'up']);
      ip([...inside, 'addr', 'add', `${JANUS_ADDRESS}/${PREFIX}`, 'dev', janusInterface]);
      ip([...inside, 'link', 'set', janusInterface, 'up']);
      // A veth end reports carrier a moment after both ends are up; until then Janus's ICE (libnice) skips
      // the interface as not running and gathers no candidate at all.
      await carrier(inside, janusInterface);
    } catch (err) {
      link.close();
      throw err;
    }
    return link;
  }

  /** The command line that runs `args` inside the namespace. */
  exec(args: string[]): string[] {
    return ['ip', 'netns', 'exec', this.namespace, ...args];
  }

  /** Deletes the veth pair and the namespace (idempotent, synchronous so that it can run at exit). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (BenchLink.current === this) BenchLink.current = null;
    process.off('exit', this.onExit);
    spawnSync('ip', ['link', 'del', this.benchInterface], { stdio: 'ignore' });
    spawnSync('ip', ['netns', 'del', this.namespace], { stdio: 'ignore' });
  }
}
