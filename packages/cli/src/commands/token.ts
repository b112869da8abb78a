/**
 * `parley token`: makes a Token04 and prints only the token, so `TOKEN=$(parley token …)` works.
 * The credentials are either `--app-id` + `--secret`, or the development app of a data directory.
 */
import { generateToken04, makePrivilegePayload } from '@parley/token';
import { parseFlags } from '../args.js';
import type { Command } from '../command.js';
import { resolveDataDir } from '../config.js';
import { devAppFile, readDevApp } from '../devApp.js';
import { CliError, EXIT_USAGE } from '../errors.js';
import type { CliIo } from '../io.js';

const OPTIONS = {
  'app-id': { type: 'string' },
  'user-id': { type: 'string', short: 'u' },
  secret: { type: 'string' },
  'data-dir': { type: 'string' },
  ttl: { type: 'string' },
  room: { type: 'string' },
  publish: { type: 'boolean' },
  'no-publish': { type: 'boolean' },
  streams: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** Default lifetime of a token: one hour. */
export const DEFAULT_TTL_SECONDS = 3600;

const SYNOPSIS = `Usage: parley token --user-id U (--app-id N --secret S | [--data-dir DIR]) [--ttl SECONDS]
                    [--room R] [--publish | --no-publish] [--streams a,b]`;

const HELP = `${SYNOPSIS}

Make a Token04 for a user and print it (only the token) on stdout.

Credentials:
  --app-id N         The AppID the token is for
  --secret S         The app's 32-character ServerSecret
  --data-dir DIR     Without --secret: use the development app kept in DIR (its AppID and secret);
                     default $PARLEY_DATA_DIR or ./.parley, as for \`parley serve\`

Token:
  -u, --user-id U    The userID the token is for (required)
  --ttl SECONDS      Lifetime in seconds (default ${DEFAULT_TTL_SECONDS})
  --room R           Only for room R (otherwise any room)
  --publish          May publish (the default)
  --no-publish       May log in and play, but not publish
  --streams a,b      May publish only these streamIDs
  -h, --help         Show this help

Without --room, --publish, --no-publish and --streams the token has no payload and allows everything.
Generator errors are printed as "error <code>: <message>" (1 appID, 3 userID, 5 secret, 6 ttl), exit code 2.

Examples:
  parley token --user-id alice
  parley token --app-id 1234567890 --secret 0123456789abcdef0123456789abcdef --user-id bob --room r1 --no-publish
  TOKEN=$(parley token --user-id carol --ttl 600)
`;

/** `parley token`. */
export const tokenCommand: Command = {
  name: 'token',
  summary: 'Make a Token04 for a user (prints only the token)',
  synopsis: SYNOPSIS,
  help: HELP,
  async run(args: string[], io: CliIo): Promise<number> {
    const values = parseFlags(args, OPTIONS, 'token');
    const userId = values['user-id'];
    if (userId === undefined) throw CliError.usage('--user-id is required', 'token');
    if (values.publish === true && values['no-publish'] === true) {
      throw CliError.usage('--publish and --no-publish contradict each other', 'token');
    }
    const ttl = values.ttl === undefined ? DEFAULT_TTL_SECONDS : parseTtl(values.ttl);
    const { appId, secret } = await appCredentials(
      'token',
      values['app-id'],
      values.secret,
      values['data-dir'],
      io,
    );
    const restricted =
      values.room !== undefined ||
      values.publish !== undefined ||
      values['no-publish'] !== undefined ||
      values.streams !== undefined;
    const payload = restricted
      ? makePrivilegePayload({
          roomId: values.room ?? '',
          canLogin: true,
          canPublish: values['no-publish'] !== true,
          streamIdList: parseStreams(values.streams),
        })
      : undefined;
    let token: string;
    try {
      token = generateToken04(appId, userId, secret, ttl, payload);
    } catch (err) {
      if (!isGeneratorError(err)) throw err;
      io.stderr(`error ${err.errorCode}: ${err.errorMessage}\n`);
      return EXIT_USAGE;
    }
    io.stdout(token + '\n');
    return 0;
  },
};

/** AppID and secret from the flags, or from the development app (also what `parley api` signs with). */
export async function appCredentials(
  command: string,
  appIdFlag: string | undefined,
  secretFlag: string | undefined,
  dataDirFlag: string | undefined,
  io: CliIo,
): Promise<{ appId: number; secret: string }> {
  const appId = appIdFlag === undefined ? undefined : parseAppId(appIdFlag, command);
  if (secretFlag !== undefined) {
    if (dataDirFlag !== undefined)
      throw CliError.usage('give either --secret or --data-dir, not both', command);
    if (appId === undefined) throw CliError.usage('--app-id is required with --secret', command);
    return { appId, secret: secretFlag };
  }
  const dataDir = resolveDataDir(dataDirFlag, io.env, io.cwd);
  const devApp = await readDevApp(dataDir);
  if (devApp === null) {
    throw CliError.config(
      `no --secret given and no development app at ${devAppFile(dataDir)}: ` +
        'pass --app-id and --secret, or run `parley serve` once to create the development app',
    );
  }
  if (appId !== undefined && appId !== devApp.app.appID) {
    throw CliError.config(
      `--app-id ${appId} is not the AppID of the development app in ${devApp.file} (${devApp.app.appID})`,
    );
  }
  return { appId: devApp.app.appID, secret: devApp.app.serverSecret };
}

/** A decimal AppID; its range is left to the generator, whose error 1 names the problem. */
function parseAppId(value: string, command: string): number {
  if (!/^\d+$/.test(value.trim())) {
    throw CliError.usage(`--app-id must be a decimal number (got ${JSON.stringify(value)})`, command);
  }
  return Number(value);
}

/** Whole seconds; zero or negative is left to the generator, whose error 6 names the problem. */
function parseTtl(value: string): number {
  if (!/^-?\d+$/.test(value.trim())) {
    throw CliError.usage(`--ttl must be a whole number of seconds (got ${JSON.stringify(value)})`, 'token');
  }
  return Number(value);
}

/** `a, b,c` → `['a', 'b', 'c']`; absent or empty → null (any stream). */
function parseStreams(value: string | undefined): string[] | null {
  if (value === undefined) return null;
  const list = value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  return list.length === 0 ? null : list;
}

/** The generator throws `{ errorCode, errorMessage }` for bad input, like ZEGO's own. */
function isGeneratorError(err: unknown): err is { errorCode: number; errorMessage: string } {
  return (
    typeof err === 'object' &&
    err !== null &&
    typeof (err as { errorCode?: unknown }).errorCode === 'number' &&
    typeof (err as { errorMessage?: unknown }).errorMessage === 'string'
  );
}
