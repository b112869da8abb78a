/**
 * The settings of each worker of `parley serve --workers N`: the same settings for every node, except what two
 * processes on one machine cannot share — each worker gets its own `media.udpPort` (or its own slice of
 * `media.portRange`), its own `media.stunPort` and its own `cluster.nodeID` — and the cluster's Redis for all.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { ConfigError, type ConfigProblem, mediaAddresses, type ResolvedConfig } from '@parley/server/config';

/** The most workers `--workers` accepts; more processes than this on one machine is a mistake, not a plan. */
export const MAX_WORKERS = 256;

/** What makes a worker's settings a node's: what {@link nodeSettings} sets. */
export interface NodePlan {
  /** The worker's index, 0 … count-1. */
  index: number;
  /** The cluster's Redis: the one given, or the private one's `unix:` URL. */
  redis: string;
  /** The TCP port every worker listens on (shared through the primary); never 0 here. */
  port: number;
  /** The prefix of the node IDs ({@link nodeIDPrefix}). */
  prefix: string;
}

/**
 * The number of workers `--workers` (or `PARLEY_WORKERS`) asks for.
 * @param cores what `auto` means: the number of cores (`os.availableParallelism()`).
 * @returns the count, or the reason the text is not one (`must be …`).
 */
export function parseWorkerCount(text: string, cores: number): number | { reason: string } {
  const trimmed = text.trim().toLowerCase();
  if (trimmed === 'auto') return Math.max(1, Math.min(cores, MAX_WORKERS));
  if (/^\d+$/.test(trimmed)) {
    const count = Number(trimmed);
    if (count >= 1 && count <= MAX_WORKERS) return count;
  }
  return { reason: `must be a number of processes from 1 to ${MAX_WORKERS}, or auto (one per core)` };
}

/**
 * The settings of worker 0 … count-1, in order: `base` with each worker's own media ports. What is known only
 * once the workers start (the port, the Redis, a node ID) is set by {@link nodeSettings}.
 * @throws ConfigError when `media.portRange` is too small to give every worker its share, or `media.udpPort`
 *   or `media.stunPort` leaves no room for one port per worker.
 */
export function workerSettings(base: ResolvedConfig, count: number): ResolvedConfig[] {
  const problems: ConfigProblem[] = [];
  const ranges = splitPortRange(base, count, problems);
  const stunPorts = portsOf(base.media.stunPort, count, 'stunPort', problems);
  // The mux mode (no port range): each worker its own media port, the base's + index, or a free one.
  const udpPorts =
    base.media.portRange === undefined ? portsOf(base.media.udpPort ?? 0, count, 'udpPort', problems) : [];
  if (problems.length > 0) throw new ConfigError(problems);
  return ranges.map((portRange, index) => {
    const media = { ...base.media, stunPort: stunPorts[index]! };
    if (portRange === undefined) delete media.portRange;
    else media.portRange = portRange;
    const udpPort = udpPorts[index];
    if (udpPort === undefined) delete media.udpPort;
    else media.udpPort = udpPort;
    return { ...base, media };
  });
}

/**
 * `media.portRange` cut into `count` slices in order, the first ones one port longer when it does not divide
 * evenly; every slice must hold one transport at least (a port per announced address). Without a range every
 * worker takes any free ports.
 */
function splitPortRange(
  base: ResolvedConfig,
  count: number,
  problems: ConfigProblem[],
): Array<[number, number] | undefined> {
  const range = base.media.portRange;
  if (range === undefined) return new Array<undefined>(count).fill(undefined);
  const [low, high] = range;
  const size = high - low + 1;
  const perTransport = mediaAddresses(base.host, base.media).announced.length;
  const share = Math.floor(size / count);
  if (share < perTransport) {
    const need = count * perTransport;
    problems.push({
      path: 'media.portRange',
      reason:
        `has ${size} port${size === 1 ? '' : 's'}, too few for ${count} workers: each needs its own ports, ` +
        `at least ${perTransport} (one per announced address), so at least ${need} in all`,
      keys: ['media', 'portRange'],
      params: {},
    });
    return [];
  }
  const longer = size % count;
  const slices: Array<[number, number]> = [];
  let next = low;
  for (let i = 0; i < count; i++) {
    const length = share + (i < longer ? 1 : 0);
    slices.push([next, next + length - 1]);
    next += length;
  }
  return slices;
}

/** `media.<name>` + index for each worker, or 0 (a free port) for each when it is 0. */
function portsOf(
  base: number,
  count: number,
  name: 'stunPort' | 'udpPort',
  problems: ConfigProblem[],
): number[] {
  if (base === 0) return new Array<number>(count).fill(0);
  if (base + count - 1 > 65535) {
    problems.push({
      path: `media.${name}`,
      reason: `leaves no room for ${count} workers: worker i takes port ${base} + i, up to 65535 (got ${base})`,
      keys: ['media', name],
      params: {},
    });
    return [];
  }
  return Array.from({ length: count }, (_, i) => base + i);
}

/**
 * The prefix of the workers' node IDs: `cluster.nodeID` when it is set, else this machine's host name and the
 * primary's pid, so the workers of two primaries on one machine never clash.
 */
export function nodeIDPrefix(base: ResolvedConfig, pid = process.pid): string {
  return base.cluster.nodeID ?? `${hostname()}-${pid}`;
}

/**
 * A worker's settings as one node of the cluster: the shared port, the cluster's Redis and a fresh node ID — the
 * prefix, the index and a random part. A worker started again after a crash gets a new ID, so the cluster never
 * takes the new process for the dead one, whose entries the other nodes remove once it has been silent for
 * `cluster.nodeTimeoutMs`.
 */
export function nodeSettings(settings: ResolvedConfig, plan: NodePlan): ResolvedConfig {
  const nodeID = `${plan.prefix}-w${plan.index}-${randomPart()}`;
  return { ...settings, port: plan.port, cluster: { ...settings.cluster, redis: plan.redis, nodeID } };
}

/**
 * The node ID of a single `parley serve` in a cluster when none is set: the host name, the pid and a random
 * part, as the server's default is made; chosen here so the banner can show it.
 */
export function singleNodeID(pid = process.pid): string {
  return `${hostname()}-${pid}-${randomPart()}`;
}

function randomPart(): string {
  return randomBytes(3).toString('hex');
}
