/**
 * The text `parley serve` prints once it listens: where to connect, and for the development app everything a
 * quick-start needs (AppID, AppSign, ServerSecret, a ready token and the command that makes more).
 */
import type { AnnouncedOrigin } from '@parley/server/config';
import type { SourcedApp } from './appValidation.js';
import type { DevApp } from './devApp.js';
import { shellQuote } from './shellQuote.js';

/** A sample token for the development app, made at start-up. */
export interface SampleToken {
  userId: string;
  ttlSeconds: number;
  token: string;
}

/** Everything the banner shows. */
export interface BannerInfo {
  version: string;
  /** `http://host:port` (`https://` with TLS), without a trailing slash. */
  httpUrl: string;
  /** `ws://host:port/ws` (`wss://` with TLS). */
  wsUrl: string;
  /** The addresses the media plane announces, and how they were chosen. */
  media: { announcedAddresses: readonly string[]; origin: AnnouncedOrigin };
  /** The development app and its sample token, or null if it is disabled. */
  devApp: { devApp: DevApp; sample: SampleToken } | null;
  /** The configured apps (config file, environment). Their secrets are not shown. */
  apps: readonly SourcedApp[];
  /** The cluster this node or these workers are part of, or null for a single node on its own. */
  cluster: ClusterBanner | null;
}

/** The cluster part of the banner. */
export interface ClusterBanner {
  /** `cluster.redis` (its password is not shown). */
  redis: string;
  /** True for the private Redis of `--workers`, which lives and dies with this process. */
  privateRedis: boolean;
  /** This node's ID, for a single node. */
  nodeID?: string;
  /** The workers of `--workers`, by index. */
  workers?: ReadonlyArray<{
    index: number;
    pid: number;
    nodeID: string;
    portRange?: readonly [number, number] | undefined;
    /** The worker's one media port (0: a free one); unset with a port range. */
    udpPort?: number | undefined;
    stunPort: number;
  }>;
}

/** The last line of the banner; tests and scripts may wait for it. */
export const BANNER_LAST_LINE = 'Press Ctrl+C to stop.';

/**
 * Formats the start-up banner.
 * @example
 * io.stdout(formatBanner({ version, httpUrl: server.httpUrl, wsUrl: server.url, devApp, apps }));
 */
export function formatBanner(info: BannerInfo): string {
  const lines = [
    `Parley ${info.version} is running.`,
    '',
    `  Demo page   ${info.httpUrl}/   (open it in two tabs and join the same room)`,
    `  WebSocket   ${info.wsUrl}   (the server address to give ZegoExpressEngine)`,
    `  Web SDK     ${info.httpUrl}/sdk/parley.mjs   (ES module; ${info.httpUrl}/sdk/parley.js for <script>)`,
    `  Health      ${info.httpUrl}/healthz`,
    ...mediaLines(info.media),
    ...(info.cluster === null ? [] : clusterLines(info.cluster, info.httpUrl)),
    '',
  ];
  if (info.devApp !== null) lines.push(...devAppLines(info.devApp.devApp, info.devApp.sample), '');
  if (info.apps.length > 0) {
    lines.push('Configured apps (secrets not shown):');
    for (const { app, source } of info.apps) lines.push(`  AppID ${app.appID}   from ${source}`);
    lines.push('');
  }
  lines.push(BANNER_LAST_LINE, '');
  return lines.join('\n');
}

/** The hint for a server whose public address is not on any of its interfaces. */
export const NAT_HINT = 'Behind 1:1 NAT (a cloud VM)? set --announce <public IP>';

function mediaLines(media: BannerInfo['media']): string[] {
  const addresses = media.announcedAddresses.join(', ');
  switch (media.origin) {
    case 'configured':
      return [`  Media       ${addresses}   (announced to clients)`];
    case 'loopback':
      return [`  Media       ${addresses}   (this machine only; --host 0.0.0.0 serves other machines)`];
    case 'interfaces':
      return [
        `  Media       ${addresses}   (every interface address, announced as none was set)`,
        `              ${NAT_HINT}`,
      ];
  }
}

function clusterLines(cluster: ClusterBanner, httpUrl: string): string[] {
  const redis = hidePassword(cluster.redis);
  const lines = cluster.privateRedis
    ? [`  Cluster     ${redis}   (private Redis of these workers, stopped with them)`]
    : [`  Cluster     ${redis}   (every node with this Redis is one Parley)`];
  if (cluster.nodeID !== undefined) lines.push(`  Node        ${cluster.nodeID}`);
  if (cluster.workers !== undefined) {
    const port = new URL(httpUrl).port;
    const count = cluster.workers.length;
    lines.push(`  Workers     ${count} node process${count === 1 ? '' : 'es'} sharing port ${port}:`);
    for (const w of cluster.workers) {
      const free = (port: number): string => (port === 0 ? 'any free port' : String(port));
      // One media port (the default), or a range of them.
      const media = w.portRange === undefined ? free(w.udpPort ?? 0) : `${w.portRange[0]}-${w.portRange[1]}`;
      lines.push(
        `    worker ${w.index}   pid ${w.pid}   node ${w.nodeID}   media UDP ${media}, STUN ${free(w.stunPort)}`,
      );
    }
  }
  return lines;
}

/** A Redis URL with its password replaced by `***`. */
export function hidePassword(url: string): string {
  if (!URL.canParse(url)) return url;
  const parsed = new URL(url);
  if (parsed.password === '') return url;
  parsed.password = '***';
  return parsed.toString();
}

function devAppLines(devApp: DevApp, sample: SampleToken): string[] {
  const { appID, appSign, serverSecret } = devApp.app;
  const command = [
    'parley token',
    `--app-id ${appID}`,
    `--user-id ${shellQuote(nextUserId(sample.userId))}`,
    `--secret ${shellQuote(serverSecret)}`,
    '--ttl 3600',
  ].join(' ');
  const validity = duration(sample.ttlSeconds);
  return [
    `Development app (${devApp.created ? 'new, saved in' : 'read from'} ${devApp.file}):`,
    `  AppID          ${appID}`,
    `  AppSign        ${appSign}`,
    `  ServerSecret   ${serverSecret}`,
    '',
    `  Token04 for userID ${JSON.stringify(sample.userId)}, valid ${validity}, any room, may publish:`,
    `    ${sample.token}`,
    '',
    '  More tokens (add --room R, --no-publish or --streams a,b to restrict them):',
    `    ${command}`,
  ];
}

/** `user1` → `user2`: the sample command makes a token for a second user, which is what one needs next. */
function nextUserId(userId: string): string {
  const match = /^(.*?)(\d+)$/.exec(userId);
  return match === null ? userId : `${match[1]}${Number(match[2]) + 1}`;
}

function duration(seconds: number): string {
  if (seconds % 3600 === 0) return `${seconds / 3600} h`;
  if (seconds % 60 === 0) return `${seconds / 60} min`;
  return `${seconds} s`;
}
