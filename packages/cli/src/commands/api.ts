/**
 * `parley api <Action> key=value…`: calls the server API (signed with the app's ServerSecret) and prints the JSON
 * reply. The credentials are `--app-id` + `--secret`, or the development app of a data directory, as for
 * `parley token`.
 */
import { parseArgs } from 'node:util';
import { ApiClient, type ApiParamValue } from '@parley/server';
import type { Command } from '../command.js';
import { configFileOf } from '../config.js';
import type { ConfigFile } from '../configFile.js';
import { CliError, EXIT_FAILURE } from '../errors.js';
import type { CliIo } from '../io.js';
import { appCredentials } from './token.js';

const OPTIONS = {
  url: { type: 'string' },
  config: { type: 'string' },
  'app-id': { type: 'string' },
  secret: { type: 'string' },
  'data-dir': { type: 'string' },
  post: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** Where a server started with the defaults answers. */
export const DEFAULT_API_URL = 'http://127.0.0.1:8080';

const SYNOPSIS = `Usage: parley api <Action> [Name=value…] [--url URL] [--post]
                  (--app-id N --secret S | [--config FILE] [--app-id N] | [--data-dir DIR])`;

const HELP = `${SYNOPSIS}

Call the server API (ZEGO-compatible) and print its JSON reply {Code, Message, RequestId, Data}.
The exit code is 0 when Code is 0, 1 otherwise. docs/server-api.md lists the actions.

Parameters:
  Name=value         One parameter; a name ending in [] (UserId[]=a UserId[]=b) or given twice is a list

Options:
  --url URL          The server's HTTP address (default: 127.0.0.1 at the config file's port, else ${DEFAULT_API_URL})
  --app-id N         The AppID to call for
  --secret S         The app's ServerSecret, which signs the request
  --config FILE      Without --secret: the app (--app-id N, or the only one) of the config file of
                     \`parley serve\` (default $PARLEY_CONFIG)
  --data-dir DIR     Without --secret or a config file: the development app kept in DIR
                     (default $PARLEY_DATA_DIR or ./.parley)
  --post             Send the parameters as a JSON body instead of the query
  -h, --help         Show this help

Examples:
  parley api DescribeUserNum RoomId[]=room1 RoomId[]=room2
  parley api KickoutUser RoomId=room1 UserId[]=bob CustomReason=spam --app-id 1234567 --secret 0123…
`;

/** `parley api`. */
export const apiCommand: Command = {
  name: 'api',
  summary: 'Call the server API (signed) and print its JSON reply',
  synopsis: SYNOPSIS,
  help: HELP,
  async run(args: string[], io: CliIo): Promise<number> {
    let parsed: { values: Record<string, string | boolean | undefined>; positionals: string[] };
    try {
      parsed = parseArgs({ args, options: OPTIONS, strict: true, allowPositionals: true });
    } catch (err) {
      if (err instanceof TypeError) throw CliError.usage(err.message.split('. ')[0] ?? err.message, 'api');
      throw err;
    }
    const { values, positionals } = parsed;
    const [action, ...pairs] = positionals;
    if (action === undefined) throw CliError.usage('the Action to call is required', 'api');
    const params = parseParams(pairs);
    const str = (v: string | boolean | undefined): string | undefined =>
      typeof v === 'string' ? v : undefined;
    const appIdFlag = str(values['app-id']);
    const secretFlag = str(values.secret);
    const file = secretFlag === undefined ? await configFileOf(str(values.config), io.env, io.cwd) : null;
    const { appId, secret } =
      file !== null && file.apps.length > 0
        ? appOfConfig(file, appIdFlag)
        : await appCredentials('api', appIdFlag, secretFlag, str(values['data-dir']), io);
    const port = file?.source.values.port;
    const baseUrl =
      str(values.url) ??
      (typeof port === 'number' && port > 0 ? `http://127.0.0.1:${port}` : DEFAULT_API_URL);
    if (!URL.canParse(baseUrl)) throw CliError.usage(`--url is not a URL: ${baseUrl}`, 'api');
    const client = new ApiClient({
      baseUrl,
      appID: appId,
      serverSecret: secret,
      method: values.post === true ? 'POST' : 'GET',
    });
    let reply: Awaited<ReturnType<ApiClient['call']>>;
    try {
      reply = await client.call(action, params);
    } catch (err) {
      throw CliError.failure(
        `could not call ${baseUrl}: ${err instanceof Error ? err.message : String(err)}`,
      );
    }
    io.stdout(`${JSON.stringify(reply, null, 2)}\n`);
    return reply.Code === 0 ? 0 : EXIT_FAILURE;
  },
};

/** The app `--app-id` names among the config file's apps, or its only app. */
function appOfConfig(file: ConfigFile, appIdFlag: string | undefined): { appId: number; secret: string } {
  const apps = file.apps.map((a) => a.app);
  const app =
    appIdFlag === undefined
      ? apps.length === 1
        ? apps[0]
        : undefined
      : apps.find((a) => String(a.appID) === appIdFlag.trim());
  if (app === undefined) {
    const ids = apps.map((a) => a.appID).join(', ');
    throw appIdFlag === undefined
      ? CliError.usage(`${file.file} has several apps (${ids}): choose one with --app-id`, 'api')
      : CliError.config(`${file.file} has no app ${appIdFlag} (its apps: ${ids})`);
  }
  return { appId: app.appID, secret: app.serverSecret };
}

/** `Name=value` pairs → parameters; `Name[]=…` or a repeated name makes a list. */
export function parseParams(pairs: readonly string[]): Record<string, ApiParamValue> {
  const lists = new Map<string, string[]>();
  const arrays = new Set<string>();
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw CliError.usage(`parameters are Name=value, not ${JSON.stringify(pair)}`, 'api');
    let name = pair.slice(0, eq);
    if (name.endsWith('[]')) {
      name = name.slice(0, -2);
      arrays.add(name);
    }
    const list = lists.get(name) ?? [];
    list.push(pair.slice(eq + 1));
    lists.set(name, list);
  }
  const params: Record<string, ApiParamValue> = {};
  for (const [name, list] of lists) params[name] = arrays.has(name) || list.length > 1 ? list : list[0]!;
  return params;
}
