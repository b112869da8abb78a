/**
 * A small network of namespaces for end-to-end tests across real topologies: a server host, a client on the
 * same link, a client behind a NAT router and a client behind a firewall that passes only some TCP (see
 * topology.ts). It is built inside the loopback-only namespace the test runs in and refuses to run anywhere
 * else; nothing in it is bridged to the machine's network, and `close()` ends every process in it.
 *
 * @example
 * const lab = await NetLab.create({ firewallTcpPorts: [443, 5349] });
 * try {
 *   const { stdout } = await lab.exec('lan', 'ip', ['-o', '-4', 'addr']);
 *   const child = lab.spawn('natted', process.execPath, ['client.js', lab.address('server')]);
 * } finally {
 *   await lab.close();
 * }
 */
import type { ChildProcess, SpawnOptions } from 'node:child_process';
import { chmod, mkdtemp, readlink, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  allowTcpRule,
  CLIENT_SIDE,
  type DropCounters,
  dropCounters,
  firewallRules,
  type IptablesVariant,
  loadRules,
  natRules,
  WAN,
} from './firewall.js';
import { assertIsolated } from './isolation.js';
import { LabHost } from './LabHost.js';
import type { RunOptions, RunResult } from './run.js';
import { ADDRESSES, HOST_NAMES, type HostName, LAN_PREFIX, ON_LAN, ROUTED } from './topology.js';

/** Options of {@link NetLab.create}. */
export interface NetLabOptions {
  /** TCP ports of the server host the firewall lets new connections through to. Default none. */
  firewallTcpPorts?: readonly number[];
}

/** How long each phase of building the lab took, in milliseconds. */
export interface NetLabTimings {
  namespaces: number;
  links: number;
  firewalls: number;
  total: number;
}

export class NetLab {
  #closed: Promise<void> | null = null;

  private constructor(
    private readonly hosts: ReadonlyMap<HostName, LabHost>,
    private readonly bridge: LabHost,
    private readonly iptables: IptablesVariant,
    private readonly dir: string,
    /** How long {@link NetLab.create} took. */
    readonly timings: NetLabTimings,
  ) {}

  /** Builds the lab; throws (and leaves nothing behind) unless the current namespace has only `lo`. */
  static async create(options: NetLabOptions = {}): Promise<NetLab> {
    assertIsolated();
    const ports = options.firewallTcpPorts ?? [];
    for (const port of ports) checkPort(port);
    const started = performance.now();
    const made: LabHost[] = [];
    const dir = await mkdtemp(join(tmpdir(), 'parley-netlab-'));
    try {
      // All settle before a failure is thrown, so every namespace that was made is closed again below.
      const settled = await Promise.allSettled([
        LabHost.create('bridge'),
        ...HOST_NAMES.map((name) =>
          LabHost.create(name, { forwarding: name === 'natRouter' || name === 'fwRouter' }),
        ),
      ]);
      for (const result of settled) if (result.status === 'fulfilled') made.push(result.value);
      const failed = settled.find((result) => result.status === 'rejected');
      if (failed) throw failed.reason;
      const [bridge, ...list] = made as [LabHost, ...LabHost[]];
      const hosts = new Map(HOST_NAMES.map((name, i) => [name, list[i]!]));
      const get = (name: HostName) => hosts.get(name)!;
      const namespacesDone = performance.now();

      // The LAN: a bridge with one veth port per LAN host, each created here and moved straight into its host,
      // so no interface ever appears in the namespace the test runs in.
      const bridgeCommands = ['link add br0 type bridge', 'link set br0 up'];
      for (const name of ON_LAN) {
        const port = `to-${name}`.slice(0, 15);
        bridgeCommands.push(
          `link add ${port} type veth peer name ${WAN} netns ${get(name).nsPath}`,
          `link set ${port} master br0`,
          `link set ${port} up`,
        );
      }
      await ipBatch(bridge, bridgeCommands);
      await Promise.all([
        ipBatch(get('server'), lanAddress('server')),
        ipBatch(get('lan'), lanAddress('lan')),
        ...ROUTED.map(({ router, client, gateway, prefix }) =>
          ipBatch(get(router), [
            ...lanAddress(router),
            `link add ${CLIENT_SIDE} type veth peer name ${WAN} netns ${get(client).nsPath}`,
            `addr add ${gateway}/${prefix} dev ${CLIENT_SIDE}`,
            `link set ${CLIENT_SIDE} up`,
          ]),
        ),
      ]);
      await Promise.all(
        ROUTED.map(({ client, gateway, prefix }) =>
          ipBatch(get(client), [
            `addr add ${ADDRESSES[client]}/${prefix} dev ${WAN}`,
            `link set ${WAN} up`,
            `route add default via ${gateway}`,
          ]),
        ),
      );
      const linksDone = performance.now();

      const [iptables] = await Promise.all([
        loadRules(get('fwRouter'), firewallRules(ADDRESSES.server, ports)),
        loadRules(get('natRouter'), natRules()),
      ]);
      const done = performance.now();
      return new NetLab(hosts, bridge, iptables, dir, {
        namespaces: namespacesDone - started,
        links: linksDone - namespacesDone,
        firewalls: done - linksDone,
        total: done - started,
      });
    } catch (error) {
      await Promise.allSettled(made.map((host) => host.close()));
      await rm(dir, { recursive: true, force: true });
      throw error;
    }
  }

  /** The IPv4 address of `host`. */
  address(host: HostName): string {
    return ADDRESSES[host];
  }

  /** The lab host `name` (its namespace, processes and raw `enterArgs()`). */
  host(name: HostName): LabHost {
    this.#check();
    const host = this.hosts.get(name);
    if (!host) throw new TypeError(`no lab host ${String(name)}; hosts are ${HOST_NAMES.join(', ')}`);
    return host;
  }

  /** Runs a command inside `host` to completion; rejects with its stderr if it fails. */
  exec(
    host: HostName,
    command: string,
    args: readonly string[] = [],
    options?: RunOptions,
  ): Promise<RunResult> {
    return this.host(host).exec(command, args, options);
  }

  /** Starts a long-lived process inside `host`; it is killed when the lab closes. */
  spawn(host: HostName, command: string, args: readonly string[] = [], options?: SpawnOptions): ChildProcess {
    return this.host(host).spawn(command, args, options);
  }

  /**
   * The path of a script that runs `executable` inside `host` with the arguments it is given: for programs a
   * library launches itself, e.g. `chromium.launch({ executablePath: await lab.executableIn('natted',
   * '/usr/bin/chromium') })`. The script refuses to run once the lab is closed.
   */
  async executableIn(host: HostName, executable: string): Promise<string> {
    const labHost = this.host(host);
    const nsPath = labHost.nsPath;
    const path = join(this.dir, `${host}-${executable.replace(/[^A-Za-z0-9_.-]/g, '_')}`);
    const quote = (s: string) => `'${s.replaceAll("'", `'\\''`)}'`;
    await writeFile(
      path,
      `#!/bin/sh
# Runs the program below inside the network lab's host ${host}, while the lab is open.
if [ "$(readlink ${nsPath})" != ${quote(labHost.netns)} ]; then
  echo "the network lab's host ${host} is gone" >&2
  exit 1
fi
exec nsenter --net=${nsPath} -- setpriv --pdeathsig KILL -- ${quote(executable)} "$@"
`,
    );
    await chmod(path, 0o755);
    return path;
  }

  /** Lets new TCP connections from the firewalled client through to the server host's `port` as well. */
  async allowThroughFirewall(port: number): Promise<void> {
    checkPort(port);
    await this.exec('fwRouter', this.iptables.iptables, [
      '-I',
      ...allowTcpRule(ADDRESSES.server, port).split(' '),
    ]);
  }

  /** Packets the firewall dropped so far, by protocol: proof that something was tried and stopped. */
  firewallDrops(): Promise<DropCounters> {
    return dropCounters(this.host('fwRouter'), this.iptables);
  }

  /** The iptables implementation the routers use (nf_tables or legacy). */
  get iptablesVariant(): string {
    return this.iptables.iptables;
  }

  /** Ends every process in every host and releases all namespaces and files. Idempotent. */
  close(): Promise<void> {
    this.#closed ??= (async () => {
      const results = await Promise.allSettled([
        ...[...this.hosts.values(), this.bridge].map((host) => host.close()),
        rm(this.dir, { recursive: true, force: true }),
      ]);
      const failed = results.find((r) => r.status === 'rejected');
      if (failed) throw (failed as PromiseRejectedResult).reason;
    })();
    return this.#closed;
  }

  #check(): void {
    if (this.#closed) throw new Error('the network lab is closed');
  }
}

/** The `ip` commands that put a LAN host on the LAN. */
function lanAddress(name: HostName): string[] {
  return [`addr add ${ADDRESSES[name]}/${LAN_PREFIX} dev ${WAN}`, `link set ${WAN} up`];
}

/** Runs `ip` commands in one process inside `host` (`ip -batch`), stopping at the first that fails. */
async function ipBatch(host: LabHost, commands: readonly string[]): Promise<void> {
  // Belt and braces: the lab's `ip` commands only ever run inside a lab namespace, never here.
  if (host.netns === (await readlink('/proc/self/ns/net')))
    throw new Error('refusing to configure this namespace');
  await host.exec('ip', ['-batch', '-'], { input: `${commands.join('\n')}\n` });
}

function checkPort(port: number): void {
  if (!Number.isInteger(port) || port < 1 || port > 65535)
    throw new TypeError(`not a TCP port: ${String(port)}`);
}
