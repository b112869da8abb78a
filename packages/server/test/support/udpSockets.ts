/**
 * How many UDP sockets this process holds, read from Linux's /proc: the socket inodes among the process's
 * file descriptors (/proc/self/fd) that the network namespace's UDP tables (/proc/self/net/udp, udp6) list.
 *
 * The tables alone would not do: they list every process of the namespace, and the test runner runs other
 * test files alongside in their own processes. `process.getActiveResourcesInfo()` agrees with this count for
 * werift's sockets (they are ref'd), but it lists only the handles that keep the event loop alive, so a leaked
 * socket that was unref'd would not show there: {@link udpHandleCount} is a second opinion, not the measure.
 */
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

/** The inode column of /proc/net/udp and /proc/net/udp6 (after sl, addresses, st, queues, timers, uid, timeout). */
const INODE_COLUMN = 9;

/** The number of UDP sockets (IPv4 and IPv6) open in this process; null where /proc is not available. */
export function udpSocketCount(): number | null {
  let tables: string[];
  try {
    tables = ['/proc/self/net/udp', '/proc/self/net/udp6'].map((f) => readFileSync(f, 'utf8'));
  } catch {
    return null;
  }
  const udpInodes = new Set<string>();
  for (const table of tables) {
    for (const line of table.trim().split('\n').slice(1)) {
      const inode = line.trim().split(/\s+/)[INODE_COLUMN];
      if (inode && inode !== '0') udpInodes.add(inode);
    }
  }
  let count = 0;
  for (const fd of readdirSync('/proc/self/fd')) {
    let target: string;
    try {
      target = readlinkSync(`/proc/self/fd/${fd}`);
    } catch {
      continue; // closed since the directory was read (e.g. the descriptor readdirSync itself used)
    }
    const inode = /^socket:\[(\d+)\]$/.exec(target)?.[1];
    if (inode && udpInodes.has(inode)) count += 1;
  }
  return count;
}

/** The UDP handles among the resources keeping this process's event loop alive. */
export function udpHandleCount(): number {
  return process.getActiveResourcesInfo().filter((r) => r === 'UDPWrap').length;
}
