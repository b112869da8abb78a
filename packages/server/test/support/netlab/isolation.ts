/**
 * The guards of the network lab. The lab builds network namespaces, veth pairs, a bridge and firewall rules;
 * all of it must stay away from the machine's real network. So it runs only where the current network
 * namespace has nothing but `lo` (as `.ci/run` makes with `unshare -n`), as root, with the tools it drives.
 */
import { execFileSync } from 'node:child_process';
import { accessSync, constants, readFileSync } from 'node:fs';

/** The commands the lab runs: util-linux (unshare, nsenter, setpriv), iproute2 and iptables. */
export const LAB_TOOLS = [
  'unshare',
  'nsenter',
  'setpriv',
  'ip',
  'iptables-restore',
  'iptables-save',
] as const;

/**
 * The interfaces of the current network namespace, read from `/proc/self/net/dev`: unlike
 * `os.networkInterfaces()` it lists interfaces without addresses too, and unlike `/sys/class/net` it follows
 * the process's namespace rather than the one sysfs was mounted in.
 */
export function currentInterfaces(): string[] {
  return readFileSync('/proc/self/net/dev', 'utf8')
    .split('\n')
    .slice(2)
    .map((line) => line.split(':')[0]?.trim() ?? '')
    .filter((name) => name.length > 0);
}

/** Why the current network namespace is not a loopback-only one, or null if it is. */
export function isolationProblem(): string | null {
  const others = currentInterfaces().filter((name) => name !== 'lo');
  if (others.length === 0) return null;
  return (
    `this network namespace has ${others.join(', ')} besides lo; the network lab runs only in a ` +
    `loopback-only namespace, e.g. unshare -n bash -c 'ip link set lo up && node scripts/test.mjs netlab'`
  );
}

/** Throws unless the current network namespace has only `lo`: the lab's first and last line of defence. */
export function assertIsolated(): void {
  const problem = isolationProblem();
  if (problem !== null) throw new Error(`refusing to build a network lab: ${problem}`);
}

function hasCommand(name: string): boolean {
  try {
    execFileSync('sh', ['-c', 'command -v "$1"', 'sh', name], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** The Debian package of each tool the lab or its tests run. */
const PACKAGE_OF: Record<string, string> = {
  unshare: 'util-linux',
  nsenter: 'util-linux',
  setpriv: 'util-linux',
  ip: 'iproute2',
  'iptables-restore': 'iptables',
  'iptables-save': 'iptables',
  turnserver: 'coturn',
  openssl: 'openssl',
};

/** What the environment lacks for the lab (root, a tool), or null if nothing. */
export function missingForLab(extraTools: readonly string[] = []): string | null {
  if (process.platform !== 'linux') return 'the network lab needs Linux network namespaces';
  if (process.getuid?.() !== 0) return 'the network lab needs root (CAP_SYS_ADMIN and CAP_NET_ADMIN)';
  try {
    accessSync('/proc/sys/net/ipv4/ip_forward', constants.W_OK);
  } catch {
    return 'the network lab needs a writable /proc/sys for its routers (an unprivileged container has none)';
  }
  const missing = [...LAB_TOOLS, ...extraTools].filter((tool) => !hasCommand(tool));
  if (missing.length === 0) return null;
  const packages = [...new Set(missing.map((tool) => PACKAGE_OF[tool] ?? tool))];
  return `the network lab needs ${missing.join(', ')} (apt-get install -y ${packages.join(' ')})`;
}

/**
 * The `skip` option of a lab test (false: run). Outside a loopback-only namespace the test never builds a lab,
 * so it never touches a real network: it skips, or, with PARLEY_REQUIRE_ALL_TESTS=1 (CI, which runs `npm test`
 * under `unshare -n`), it fails, so that a CI whose namespace were not isolated cannot pass by skipping. A
 * missing tool or missing root is treated the same way: this throws while the test file loads. `extraTools`
 * names tools the test needs beyond the lab's own (e.g. `turnserver`).
 */
export function labSkip(extraTools: readonly string[] = []): string | false {
  const problem = isolationProblem() ?? missingForLab(extraTools);
  if (problem === null) return false;
  if (process.env['PARLEY_REQUIRE_ALL_TESTS'] === '1')
    throw new Error(`required network-lab test cannot run: ${problem}`);
  return problem;
}
