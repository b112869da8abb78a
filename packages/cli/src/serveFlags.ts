/**
 * The flags of `parley serve`, parsed by commander: the common settings (each named after its setting, mapped
 * onto the same keys as the config file and the environment), and the few flags that are not settings
 * (`--config`, `--data-dir`, `--workers`). A list setting's flag may be repeated.
 */
import { resolve } from 'node:path';
import type { SettingKind } from '@parley/server/config';
import { Command, CommanderError, Option } from 'commander';
import { isSecret } from './envSettings.js';
import { CliError } from './errors.js';
import { envName, fromText, setPath, settingAt } from './settings.js';
import type { Source } from './sources.js';

/** One flag of a setting. */
interface SettingFlag {
  /** As commander takes it: `-p, --port <n>`. */
  spec: string;
  /** The setting's key. */
  path: string;
  /** One line for the help; the variable and the default are added to it. */
  help: string;
}

/** The settings that have flags, in the order the help lists them. */
export const SETTING_FLAGS: readonly SettingFlag[] = [
  { spec: '--host <addr>', path: 'host', help: 'Interface to listen on; 0.0.0.0 for every interface' },
  { spec: '-p, --port <n>', path: 'port', help: 'TCP port, 0 for any free one' },
  {
    spec: '--announce <ip>',
    path: 'media.announcedAddresses',
    help: 'Address clients reach the media at (repeatable)',
  },
  { spec: '--media-bind <addr>', path: 'media.bindAddress', help: 'IPv4 address the media sockets bind to' },
  {
    spec: '--udp-port <port>',
    path: 'media.udpPort',
    help: 'The one UDP port of all media (default: a free one)',
  },
  {
    spec: '--port-range <a-b>',
    path: 'media.portRange',
    help: 'A UDP socket per transport in this range instead, e.g. 50000-50999',
  },
  { spec: '--tls-cert <file>', path: 'tls.cert', help: 'Certificate (PEM): serve HTTPS and WSS' },
  { spec: '--tls-key <file>', path: 'tls.key', help: 'Private key (PEM) of --tls-cert' },
  { spec: '--turn-url <url>', path: 'turn.urls', help: 'TURN server offered to clients (repeatable)' },
  { spec: '--turn-secret <s>', path: 'turn.secret', help: 'Secret shared with the TURN servers' },
  {
    spec: '--redis <url>',
    path: 'cluster.redis',
    help: 'Redis of the cluster: nodes sharing it are one Parley',
  },
  { spec: '--node-id <name>', path: 'cluster.nodeID', help: "This node's name in the cluster, unique" },
  {
    spec: '--log-level <level>',
    path: 'logLevel',
    help: 'debug, info, warn, error or silent; logs go to stderr',
  },
  { spec: '--dev-app', path: 'devApp', help: 'Serve the development app even if apps are configured' },
  { spec: '--no-dev-app', path: 'devApp', help: 'Do not serve the development app' },
];

/** The flags of `parley serve` that are not settings. */
export const OTHER_FLAGS = [
  { spec: '-c, --config <file>', help: 'JSON config file (env PARLEY_CONFIG)' },
  {
    spec: '--data-dir <dir>',
    help: 'Holds the development app and the private Redis (env PARLEY_DATA_DIR, default ./.parley)',
  },
  {
    spec: '--workers <n>',
    help: 'Run N nodes behind the one port; auto: one per core (env PARLEY_WORKERS)',
  },
] as const;

/** What the command line of `parley serve` says. */
export interface ServeArgs {
  config?: string;
  dataDir?: string;
  /** `--workers`, as written. */
  workers?: string;
  /** The settings given as flags. */
  source: Source;
}

/**
 * Parses the arguments of `parley serve`.
 * @param cwd directory that relative file paths (`--tls-cert`) are taken from.
 * @throws CliError (usage) for an unknown flag, a missing value or an argument that is not a flag.
 */
export function parseServeArgs(args: readonly string[], cwd: string): ServeArgs {
  const program = new Command('serve')
    .exitOverride()
    .configureOutput({ writeOut: () => {}, writeErr: () => {}, outputError: () => {} })
    .helpOption(false)
    .allowExcessArguments(false);
  const options = new Map<string, SettingFlag>();
  for (const flag of SETTING_FLAGS) {
    const option = new Option(flag.spec);
    if (settingAt(flag.path).kind === 'list') option.argParser(collect);
    program.addOption(option);
    options.set(option.attributeName(), flag);
  }
  for (const flag of OTHER_FLAGS) program.addOption(new Option(flag.spec));
  try {
    program.parse([...args], { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) {
      const message =
        err.code === 'commander.excessArguments'
          ? `unexpected argument: parley serve takes options only`
          : err.message.replace(/^error: /, '').replace(/\n\(Did you mean (.+)\?\)$/, ' (did you mean $1?)');
      throw CliError.usage(message, 'serve');
    }
    throw err;
  }
  const values = program.opts<Record<string, unknown>>();
  const source: Source = { values: {}, origins: new Map() };
  for (const [attribute, flag] of options) {
    const given = values[attribute];
    if (given === undefined) continue;
    const setting = settingAt(flag.path);
    let value = typeof given === 'boolean' ? given : flagValue(setting.kind, given as string | string[]);
    if (value === undefined) continue;
    if (setting.file && typeof value === 'string') value = resolve(cwd, value);
    setPath(source.values, flag.path, value);
    const name = flag.spec.split(', ').at(-1)!.split(' ')[0]!;
    const text = Array.isArray(given) ? given.join(',') : String(given);
    source.origins.set(flag.path, { kind: 'flag', name, text, secret: isSecret(flag.path) });
  }
  const parsed: ServeArgs = { source };
  if (typeof values['config'] === 'string') parsed.config = values['config'];
  if (typeof values['dataDir'] === 'string') parsed.dataDir = values['dataDir'];
  if (typeof values['workers'] === 'string') parsed.workers = values['workers'];
  return parsed;
}

/** The help's lines for the flags: the flag, what it does, its variable and its default. */
export function flagHelpLines(): string[] {
  const rows: Array<[string, string]> = SETTING_FLAGS.map((flag) => {
    const spec = flag.spec.replace(/<([^>]+)>/, (_m, name: string) => name.toUpperCase());
    const setting = settingAt(flag.path);
    const notes = flag.path === 'devApp' ? [] : [`env ${envName(flag.path)}`];
    if (setting.defaultValue !== undefined && !Array.isArray(setting.defaultValue)) {
      notes.push(`default ${String(setting.defaultValue)}`);
    }
    return [spec, notes.length === 0 ? flag.help : `${flag.help} (${notes.join(', ')})`];
  });
  for (const flag of OTHER_FLAGS) {
    rows.push([flag.spec.replace(/<([^>]+)>/, (_m, name: string) => name.toUpperCase()), flag.help]);
  }
  rows.push(['-h, --help', 'Show this help']);
  const width = Math.max(...rows.map(([spec]) => spec.length)) + 2;
  return rows.map(([spec, help]) => `  ${spec.padEnd(width)}${help}`);
}

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** A flag's text as a value: a repeated flag's values, each split at commas, make one list. */
function flagValue(kind: SettingKind, given: string | string[]): unknown {
  if (!Array.isArray(given)) return fromText(kind, given);
  return given.flatMap((text) => (fromText(kind, text) as string[] | undefined) ?? []);
}
