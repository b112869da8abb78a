/**
 * `parley serve`: resolves the configuration, prepares the development app, starts the server, prints the
 * banner and runs until SIGINT/SIGTERM (or the io's abort signal). The configuration is checked with
 * `@parley/server/config` (the settings schema, without the media stack) before the server itself is loaded, so
 * configuration mistakes are reported the same way in every setup.
 */
import { generateToken04 } from '@parley/token';
import type { SourcedApp } from '../appValidation.js';
import { type BannerInfo, type ClusterBanner, formatBanner, type SampleToken } from '../banner.js';
import type { Command } from '../command.js';
import { resolveServeConfig, resolveWithApps } from '../config.js';
import { type DevApp, loadOrCreateDevApp } from '../devApp.js';
import { CliError } from '../errors.js';
import type { CliIo } from '../io.js';
import { flagHelpLines } from '../serveFlags.js';
import { startNode } from '../startNode.js';
import { waitForStop } from '../stopSignal.js';
import { cliVersion } from '../version.js';
import { serveWorkers } from '../workers/serveWorkers.js';
import { singleNodeID } from '../workers/WorkerSettings.js';

/** The user of the token printed in the banner. */
export const SAMPLE_USER_ID = 'user1';
/** Lifetime of the token printed in the banner: 24 hours. */
export const SAMPLE_TOKEN_TTL_SECONDS = 24 * 3600;

const SYNOPSIS = `Usage: parley serve [--host ADDR] [--port N] [--config FILE] [--announce IP]... [--tls-cert FILE --tls-key FILE]
                    [--redis URL] [--workers N|auto] [options]`;

const HELP = `${SYNOPSIS}

Start the Parley server on one port: the demo page, the web SDK, the signaling WebSocket (/ws) and the health
check (/healthz), over HTTPS and WSS with --tls-cert and --tls-key; and the SFU's media over UDP.

Options:
${flagHelpLines().join('\n')}

Every setting (docs/configuration.md lists them) can be set in the config file by its key ("media":
{"portRange": "50000-50999"}) and in the environment as PARLEY_ and the key in capitals
(PARLEY_MEDIA_PORT_RANGE; lists comma-separated). Precedence: flags, then environment, then config file.

Apps come from the config file, from PARLEY_APP_ID + PARLEY_APP_SIGN + PARLEY_SERVER_SECRET, and from the
development app, which is created in the data directory on first start and served when no other app is
configured (or when asked for).

Media: with --host on loopback the SFU announces 127.0.0.1; otherwise, unless --announce says, every address of
this machine's interfaces. Behind 1:1 NAT (a cloud VM) announce the public IP with --announce. All media
shares one UDP port, --udp-port (default: a free one); open it in the firewall, and media.stunPort.

Cluster: every node started with the same --redis is one Parley (same apps on each; a load balancer in front;
any node serves any room). --workers N runs N node processes on this machine behind the one port, each with its
own UDP media port (worker i takes --udp-port + i, or a free one; a --port-range is split between them); without
--redis they share a private redis-server (Debian's package) kept in the data directory and stopped on exit.
A worker that dies is started again. See docs/cluster.md.

Stop with Ctrl+C (SIGINT) or SIGTERM: the server drains — it tells every client to reconnect, refuses new
logins, and exits once no client is connected (at most drainTimeoutMs later, default 30 s); the clients log in
again to the next server on the same address by themselves. A second Ctrl+C or SIGTERM stops at once.

Examples:
  parley serve --port 9000 --config parley.json
  parley serve --host 0.0.0.0 --announce 203.0.113.7 --udp-port 50000 --tls-cert cert.pem --tls-key key.pem
`;

/** `parley serve`. */
export const serveCommand: Command = {
  name: 'serve',
  summary: 'Start the server (HTTP and the signaling WebSocket) with the configured apps',
  synopsis: SYNOPSIS,
  help: HELP,
  async run(args: string[], io: CliIo): Promise<number> {
    const config = await resolveServeConfig(args, io.env, io.cwd);
    const devApp = config.devApp ? await loadOrCreateDevApp(config.dataDir) : null;
    const apps: SourcedApp[] = [...config.apps];
    if (devApp !== null) apps.push({ app: devApp.app, source: devApp.file });
    if (apps.length === 0) {
      throw CliError.config(
        'no app to serve: add "apps" to the config file, set PARLEY_APP_ID, PARLEY_APP_SIGN and ' +
          'PARLEY_SERVER_SECRET, or allow the development app (drop --no-dev-app, or "devApp": true)',
      );
    }
    const settings = resolveWithApps(config, apps);
    if (devApp !== null) settings.devAppID = devApp.app.appID;
    const banner = (
      ready: Pick<BannerInfo, 'httpUrl' | 'media'> & { url: string },
      cluster: ClusterBanner | null,
    ): void =>
      io.stdout(
        formatBanner({
          version: cliVersion(),
          httpUrl: ready.httpUrl,
          wsUrl: ready.url,
          media: ready.media,
          devApp: devApp === null ? null : { devApp, sample: sampleToken(devApp) },
          apps: config.apps,
          cluster,
        }),
      );
    if (config.workers !== null) {
      const { dataDir, origins } = config;
      return serveWorkers({ settings, count: config.workers, dataDir, origins, io, banner });
    }
    // In a cluster the node's ID is chosen here, as the server would choose it, so the banner can show it.
    const { redis } = settings.cluster;
    if (redis !== undefined) settings.cluster.nodeID ??= singleNodeID();
    const server = await startNode(settings, (line) => io.stderr(line + '\n'));
    try {
      const cluster =
        redis === undefined ? null : { redis, privateRedis: false, nodeID: settings.cluster.nodeID! };
      banner(server, cluster);
      const stop = await waitForStop(io.signal);
      // A graceful stop, for restarts and deploys: the clients reconnect and log in again to the next server.
      // The signal listeners are gone by now, so a second Ctrl+C or SIGTERM ends the process at once.
      const again = stop === 'abort' ? '' : ` (${stop} again to stop at once)`;
      io.stderr(`Stopping Parley: telling the clients to reconnect${again}…\n`);
      await server.drain();
    } finally {
      await server.close();
    }
    return 0;
  },
};

function sampleToken(devApp: DevApp): SampleToken {
  const { appID, serverSecret } = devApp.app;
  const token = generateToken04(appID, SAMPLE_USER_ID, serverSecret, SAMPLE_TOKEN_TTL_SECONDS);
  return { userId: SAMPLE_USER_ID, ttlSeconds: SAMPLE_TOKEN_TTL_SECONDS, token };
}
