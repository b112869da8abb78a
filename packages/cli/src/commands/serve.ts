/**
 * `parley serve`: resolves the configuration, prepares the development app, starts the server, prints the
 * banner and runs until SIGINT/SIGTERM (or the io's abort signal). Everything up to the server start is checked
 * before `@parley/server` is loaded, so configuration mistakes are reported the same way in every setup.
 */
import type { RunningServer, ServerOptions } from '@parley/server';
import { generateToken04 } from '@parley/token';
import { checkUniqueAppIds, type SourcedApp } from '../appValidation.js';
import { parseFlags, parseIntegerFlag } from '../args.js';
import { formatBanner, type SampleToken } from '../banner.js';
import type { Command } from '../command.js';
import { resolveServeConfig, type ServeConfig, type ServeFlags } from '../config.js';
import { type DevApp, loadOrCreateDevApp } from '../devApp.js';
import { CliError } from '../errors.js';
import type { CliIo } from '../io.js';
import { isLogLevelName, LOG_LEVELS } from '../logLevel.js';
import { waitForStop } from '../stopSignal.js';
import { cliVersion } from '../version.js';

/** The user of the token printed in the banner. */
export const SAMPLE_USER_ID = 'user1';
/** Lifetime of the token printed in the banner: 24 hours. */
export const SAMPLE_TOKEN_TTL_SECONDS = 24 * 3600;

const OPTIONS = {
  host: { type: 'string' },
  port: { type: 'string', short: 'p' },
  config: { type: 'string', short: 'c' },
  'data-dir': { type: 'string' },
  'dev-app': { type: 'boolean' },
  'no-dev-app': { type: 'boolean' },
  'log-level': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

const SYNOPSIS =
  'Usage: parley serve [--host ADDR] [--port N] [--config FILE] [--data-dir DIR] [--no-dev-app] [--log-level L]';

const HELP = `${SYNOPSIS}

Start the Parley server: HTTP (health check at /healthz) and the signaling WebSocket at /ws.

Options:
  --host ADDR        Interface to listen on (env PARLEY_HOST, default 127.0.0.1; 0.0.0.0 for all)
  -p, --port N       TCP port, 0 for any free one (env PARLEY_PORT, default 8080)
  -c, --config FILE  JSON config file with apps and server settings (env PARLEY_CONFIG)
  --data-dir DIR     Where the development app is kept (env PARLEY_DATA_DIR, default ./.parley)
  --dev-app          Serve the development app even if apps are configured
  --no-dev-app       Do not serve the development app
  --log-level L      ${LOG_LEVELS.join(', ')} (env PARLEY_LOG_LEVEL, default info); logs go to stderr
  -h, --help         Show this help

Apps come from the config file, from PARLEY_APP_ID + PARLEY_APP_SIGN + PARLEY_SERVER_SECRET, and from the
development app, which is created in the data directory on first start and served when no other app is
configured (or when asked for). Precedence for everything else: flags, then environment, then config file.

Stop with Ctrl+C (SIGINT) or SIGTERM: the server drains — it tells every client to reconnect, refuses new
logins, and exits once no client is connected (at most "drainTimeoutMs" later, default 30 s); the clients log
in again to the next server on the same address by themselves. A second Ctrl+C or SIGTERM stops at once.
See docs/configuration.md for the config file format.

Example:
  parley serve --port 9000 --config parley.json
`;

/** `parley serve`. */
export const serveCommand: Command = {
  name: 'serve',
  summary: 'Start the server (HTTP and the signaling WebSocket) with the configured apps',
  synopsis: SYNOPSIS,
  help: HELP,
  async run(args: string[], io: CliIo): Promise<number> {
    const config = await resolveServeConfig(parseServeFlags(args), io.env, io.cwd);
    const devApp = config.devApp ? await loadOrCreateDevApp(config.dataDir) : null;
    const apps: SourcedApp[] = [...config.apps];
    if (devApp !== null) apps.push({ app: devApp.app, source: devApp.file });
    checkUniqueAppIds(apps);
    if (apps.length === 0) {
      throw CliError.config(
        'no app to serve: add "apps" to the config file, set PARLEY_APP_ID, PARLEY_APP_SIGN and ' +
          'PARLEY_SERVER_SECRET, or allow the development app (drop --no-dev-app, or "devApp": true)',
      );
    }
    const server = await start(config, apps, devApp?.app.appID, io);
    try {
      io.stdout(
        formatBanner({
          version: cliVersion(),
          httpUrl: server.httpUrl,
          wsUrl: server.url,
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

/**
 * The flags of `parley serve`, parsed and checked.
 * @throws CliError (usage)
 */
export function parseServeFlags(args: string[]): ServeFlags {
  const values = parseFlags(args, OPTIONS, 'serve');
  const flags: ServeFlags = {};
  if (values.host !== undefined) flags.host = values.host;
  if (values.port !== undefined) flags.port = parseIntegerFlag(values.port, '--port', 'serve', 0, 65535);
  if (values.config !== undefined) flags.config = values.config;
  if (values['data-dir'] !== undefined) flags.dataDir = values['data-dir'];
  if (values['dev-app'] === true && values['no-dev-app'] === true) {
    throw CliError.usage('--dev-app and --no-dev-app contradict each other', 'serve');
  }
  if (values['dev-app'] === true) flags.devApp = true;
  if (values['no-dev-app'] === true) flags.devApp = false;
  const level = values['log-level'];
  if (level !== undefined) {
    if (!isLogLevelName(level))
      throw CliError.usage(`--log-level must be one of ${LOG_LEVELS.join(', ')}`, 'serve');
    flags.logLevel = level;
  }
  return flags;
}

/** Loads the server only now, and turns the usual listen failures into one-line messages. */
async function start(
  config: ServeConfig,
  apps: SourcedApp[],
  devAppID: number | undefined,
  io: CliIo,
): Promise<RunningServer> {
  const { createLogger, startServer, tuneHeapForForwarding } = await import('@parley/server');
  // The process is the server's: its garbage collector is set for forwarding (see heapTuning.ts).
  tuneHeapForForwarding();
  const options: ServerOptions = {
    host: config.host,
    port: config.port,
    apps: apps.map(({ app }) => app),
    ...(devAppID !== undefined && { devAppID }),
    logger: createLogger({ level: config.logLevel, write: (line) => io.stderr(line + '\n') }),
  };
  if (config.reconnectGraceMs !== undefined) options.reconnectGraceMs = config.reconnectGraceMs;
  if (config.heartbeatIntervalMs !== undefined) options.heartbeatIntervalMs = config.heartbeatIntervalMs;
  if (config.drainTimeoutMs !== undefined) options.drainTimeoutMs = config.drainTimeoutMs;
  try {
    return await startServer(options);
  } catch (err) {
    const where = `${config.host}:${config.port}`;
    switch ((err as { code?: unknown }).code) {
      case 'EADDRINUSE':
        throw CliError.failure(`${where} is already in use; choose another port with --port or PARLEY_PORT`);
      case 'EADDRNOTAVAIL':
        throw CliError.failure(`cannot listen on ${where}: ${config.host} is not an address of this machine`);
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
