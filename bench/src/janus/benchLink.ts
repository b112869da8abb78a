/**
 * The network Janus runs on in the bench: a network namespace of its own (`parley-bench-janus-<pid>-<n>`) joined
 * to the bench's namespace by a veth pair with addresses from 198.18.0.0/15, the range set aside for benchmarks
 * (RFC 2544). Janus gathers no ICE candidates on loopback, so it needs an interface; this one reaches nothing
 * but the bench. The link is made only when the bench runs in a network namespace of its own whose only
 * interfaces are loopback and the bench's own links, so nothing on it can be bridged or routed to the host's
 * network. Each Janus the bench process runs at once gets its own link, numbered n, on its own /30:
 * 198.18.(99 + n).1 for the bench, .2 for Janus.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';

/** The third octet of the first link's /30 (198.18.99.0/30); link n uses 99 + n. */
const FIRST_SUBNET = 99;
/** Links one bench process may have at once (198.18.99.0 to 198.18.114.0). */
const MAX_LINKS = 16;
const PREFIX = 30;
const NAMESPACE_PREFIX = 'parley-bench-janus-';
const CARRIER_TIMEOUT_MS = 5_000;
/** This process's open links (their numbers, names and addresses are taken). */
const openLinks = new Set<BenchLink>();

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
 * Whether this process runs in a network namespace of its own: `own` if one of its ancestors (the shell that
 * ran `unshare -n`) is in another; `shared` if PID 1 is in this one (or every ancestor is, when the walk ends
 * before PID 1); `unknown` if no ancestor read differs but some, PID 1 among them, could not be read — a process
 * started detached hangs off PID 1, whose namespace cannot be read from inside `unshare -n` here.
 */
function ownNamespace(): 'own' | 'shared' | 'unknown' {
  const own = namespaceOf(process.pid);
  if (own === null) return 'unknown';
  let unreadable = false;
  for (let pid = parentOf(process.pid); pid !== null; pid = parentOf(pid)) {
    const ns = namespaceOf(pid);
    if (ns === null) unreadable = true;
    else if (ns !== own) return 'own';
    // PID 1's namespace, read and the same: this is the machine's (or the container's) own namespace.
    if (pid === 1) return ns === null ? 'unknown' : 'shared';
  }
  return unreadable ? 'unknown' : 'shared';
}

/**
 * Why the bench may not make the link here, or null when it may: it must run in a network namespace other
 * than its parent's (an ancestor's, see ownNamespace) in which no interface but loopback exists, up or down (the check the bench makes
 * for `unshare -n`, made strict: a veth or bridge to the host would carry Janus's traffic out).
 */
export function isolationProblem(): string | null {
  const namespace = ownNamespace();
  if (namespace === 'shared') {
    return "the bench runs in its parent's network namespace; run it under `unshare -n bash -c 'ip link set lo up && …'`";
  }
  if (namespace === 'unknown') {
    return "the bench cannot tell whether it has a network namespace of its own (no ancestor's differs, and PID 1's cannot be read; a process started detached hangs off PID 1); run it in the foreground under `unshare -n bash -c 'ip link set lo up && …'`";
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
  // The bench's ends of its own links (another Janus of this run) lead only into namespaces it made.
  const own = new Set([...openLinks].map((link) => link.benchInterface));
  const others = names.filter((n) => n !== 'lo' && !own.has(n));
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
    const pid = Number(name.slice(NAMESPACE_PREFIX.length).split('-')[0]);
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
  private closed = false;
  private readonly onExit = (): void => this.close();
  /** The namespace Janus runs in. */
  readonly namespace: string;
  /** The bench's end of the veth pair. */
  readonly benchInterface: string;
  /** The bench's address on the link (bench peers and their STUN responder bind it). */
  readonly benchAddress: string;
  /** Janus's address on the link, inside its namespace. */
  readonly janusAddress: string;

  private constructor(readonly index: number) {
    this.namespace = `${NAMESPACE_PREFIX}${process.pid}-${index}`;
    this.benchInterface = `pbj${process.pid}${index}a`;
    this.benchAddress = `198.18.${FIRST_SUBNET + index}.1`;
    this.janusAddress = `198.18.${FIRST_SUBNET + index}.2`;
    process.once('exit', this.onExit);
  }

  /**
   * Makes a link (the first number no open link of this process has) and resolves once both ends have
   * carrier; throws if the bench is not isolated (see {@link isolationProblem}) or `ip` fails.
   */
  static async open(): Promise<BenchLink> {
    const problem = isolationProblem();
    if (problem !== null) throw new Error(`refusing to give Janus a network link: ${problem}`);
    removeStaleNamespaces();
    const taken = new Set([...openLinks].map((l) => l.index));
    let index = 0;
    while (taken.has(index)) index++;
    if (index >= MAX_LINKS) throw new Error(`the bench already has ${MAX_LINKS} links to Janus processes`);
    const link = new BenchLink(index);
    const { namespace, benchInterface } = link;
    const janusInterface = `pbj${process.pid}${index}b`;
    ip(['netns', 'add', namespace]);
    openLinks.add(link);
    try {
      ip(['link', 'add', benchInterface, 'type', 'veth', 'peer', 'name', janusInterface, 'netns', namespace]);
      ip(['addr', 'add', `${link.benchAddress}/${PREFIX}`, 'dev', benchInterface]);
      ip(['link', 'set', benchInterface, 'up']);
      const inside = ['-n', namespace];
      ip([...inside, 'link', 'set', 'lo', 'up']);
      ip([...inside, 'addr', 'add', `${link.janusAddress}/${PREFIX}`, 'dev', janusInterface]);
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
    openLinks.delete(this);
    process.off('exit', this.onExit);
    spawnSync('ip', ['link', 'del', this.benchInterface], { stdio: 'ignore' });
    spawnSync('ip', ['netns', 'del', this.namespace], { stdio: 'ignore' });
  }
}
