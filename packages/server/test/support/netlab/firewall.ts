/**
 * The routers' packet filters, written as iptables-restore input and loaded inside the router's namespace (the
 * machine's own rules are never read or written). Debian's `iptables` is the nf_tables variant; where the
 * kernel lacks nf_tables the legacy variant is used instead.
 */
import type { LabHost } from './LabHost.js';

/** One iptables implementation: its restore, rule and save commands. */
export interface IptablesVariant {
  restore: string;
  iptables: string;
  save: string;
}

const VARIANTS: IptablesVariant[] = [
  { restore: 'iptables-restore', iptables: 'iptables', save: 'iptables-save' },
  { restore: 'iptables-legacy-restore', iptables: 'iptables-legacy', save: 'iptables-legacy-save' },
  { restore: 'iptables-nft-restore', iptables: 'iptables-nft', save: 'iptables-nft-save' },
];

/** The WAN side of a router (towards the server's link) and its LAN side (towards its client). */
export const WAN = 'eth0';
export const CLIENT_SIDE = 'eth1';

/** A router that source-NATs (masquerades) everything leaving on its WAN side, as home routers do. */
export function natRules(): string {
  return `*nat
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
-A POSTROUTING -o ${WAN} -j MASQUERADE
COMMIT
`;
}

/** The rule that lets new TCP connections from the client side to `server:port` through. */
export function allowTcpRule(server: string, port: number): string {
  return `FORWARD -i ${CLIENT_SIDE} -o ${WAN} -d ${server}/32 -p tcp -m tcp --dport ${port} -m conntrack --ctstate NEW -j ACCEPT`;
}

/**
 * A corporate firewall: it masquerades like the NAT router, forwards replies of connections it let through,
 * lets new connections through only for TCP to `server` on `tcpPorts`, and drops everything else. The drops
 * are explicit per protocol so their counters show what was stopped ({@link dropCounters}).
 */
export function firewallRules(server: string, tcpPorts: readonly number[]): string {
  return `*filter
:INPUT ACCEPT [0:0]
:FORWARD DROP [0:0]
:OUTPUT ACCEPT [0:0]
-A FORWARD -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT
${tcpPorts.map((port) => `-A ${allowTcpRule(server, port)}`).join('\n')}
-A FORWARD -p udp -j DROP
-A FORWARD -p tcp -j DROP
-A FORWARD -j DROP
COMMIT
${natRules()}`;
}

/** Loads `rules` into `host` with the first iptables variant that works there, and returns that variant. */
export async function loadRules(host: LabHost, rules: string): Promise<IptablesVariant> {
  const failures: string[] = [];
  for (const variant of VARIANTS) {
    try {
      await host.exec(variant.restore, [], { input: rules });
      return variant;
    } catch (error) {
      failures.push((error as Error).message);
    }
  }
  throw new Error(`no iptables variant could load the rules of ${host.name}:\n${failures.join('\n')}`);
}

/** Packets a router's FORWARD chain dropped, by protocol, since the lab started. */
export interface DropCounters {
  udp: number;
  tcp: number;
  other: number;
}

/** Reads the counters of the explicit DROP rules of {@link firewallRules}. */
export async function dropCounters(host: LabHost, variant: IptablesVariant): Promise<DropCounters> {
  const { stdout } = await host.exec(variant.save, ['-c', '-t', 'filter']);
  const counters: DropCounters = { udp: 0, tcp: 0, other: 0 };
  for (const line of stdout.split('\n')) {
    const match = /^\[(\d+):\d+\] -A FORWARD (.*)-j DROP$/.exec(line.trim());
    if (!match) continue;
    const packets = Number(match[1]);
    const spec = match[2] ?? '';
    if (spec.includes('-p udp')) counters.udp += packets;
    else if (spec.includes('-p tcp')) counters.tcp += packets;
    else counters.other += packets;
  }
  return counters;
}
