/**
 * `parley serve`: resolves the configuration, prepares the development app, starts the server, prints the
 * banner and runs until SIGINT/SIGTERM (or the io's abort signal). The configuration is checked with
 * `@parley/server/config` (the settings schema, without the media stack) before the server itself is loaded, so
 * configuration mistakes are reported the same way in every setup.
 */
import type { RunningServer } from '@parley/server';
import type { ResolvedConfig } from '@parley/server/config';
import { generateToken04 } from '@parley/token';
import type { SourcedApp } from '../appValidation.js';
import { formatBanner, type SampleToken } from '../banner.js';
import type { Command } from '../command.js';
import { resolveServeConfig, resolveWithApps } from '../config.js';
import { type DevApp, loadOrCreateDevApp } from '../devApp.js';
import { CliError } from '../errors.js';
import type { CliIo } from '../io.js';
import { flagHelpLines } from '../serveFlags.js';
import { waitForStop } from '../stopSignal.js';
import { cliVersion } from '../version.js';

/** The user of the token printed in the banner. */
export const SAMPLE_USER_ID = 'user1';
/** Lifetime of the token printed in the banner: 24 hours. */
export const SAMPLE_TOKEN_TTL_SECONDS = 24 * 3600;

const SYNOPSIS = `Usage: parley serve [--host ADDR] [--port N] [--config FILE] [--announce IP]... [--tls-cert FILE --tls-key FILE]
                    [options]`;

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
this machine's interfaces. Behind 1:1 NAT (a cloud VM) announce the public IP with --announce.

Stop with Ctrl+C (SIGINT) or SIGTERM: the server drains — it tells every client to reconnect, refuses new
logins, and exits once no client is connected (at most drainTimeoutMs later, default 30 s); the clients log in
again to the next server on the same address by themselves. A second Ctrl+C or SIGTERM stops at once.

Examples:
  parley serve --port 9000 --config parley.json
  parley serve --host 0.0.0.0 --announce 203.0.113.7 --port-range 50000-50999 --tls-cert cert.pem --tls-key key.pem
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
    const server = await start(settings, io);
    try {
      io.stdout(
        formatBanner({
          version: cliVersion(),
          httpUrl: server.httpUrl,
          wsUrl: server.url,
          media: server.media,
          devApp: devApp === null ? null : { devApp, sample: sampleToken(devApp) },
          apps: config.apps,
        }),
      );
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

/** Loads the server only now, and turns the usual listen failures into one-line messages. */
async function start(settings: ResolvedConfig, io: CliIo): Promise<RunningServer> {
  const { createLogger, startServer, tuneHeapForForwarding } = await import('@parley/server');
  // The process is the server's: its garbage collector is set for forwarding (see heapTuning.ts).
  tuneHeapForForwarding();
  const logger = createLogger({ level: settings.logLevel, write: (line) => io.stderr(line + '\n') });
  try {
    return await startServer({ ...settings, logger });
  } catch (err) {
    const where = `${settings.host}:${settings.port}`;
    switch ((err as { code?: unknown }).code) {
      case 'EADDRINUSE':
        throw CliError.failure(`${where} is already in use; choose another port with --port or PARLEY_PORT`);
      case 'EADDRNOTAVAIL':
        throw CliError.failure(
          `cannot listen on ${where}: ${settings.host} is not an address of this machine`,
        );
      case 'EACCES':
        throw CliError.failure(`not allowed to listen on ${where}; ports below 1024 need privileges`);
      default:
        throw err;
    }
  }
}

function sampleToken(devApp: DevApp): SampleToken {
  const { appID, serverSecret } = devApp.app;
  const token = generateToken04(appID, SAMPLE_USER_ID, serverSecret, SAMPLE_TOKEN_TTL_SECONDS);
  return { userId: SAMPLE_USER_ID, ttlSeconds: SAMPLE_TOKEN_TTL_SECONDS, token };
}
