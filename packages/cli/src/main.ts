/**
 * The `parley` command line: picks the subcommand, handles `--help` and `--version`, and turns errors into
 * messages and exit codes. It never exits the process itself, so tests run it in-process.
 */
import { wantsHelp } from './args.js';
import type { Command } from './command.js';
import { apiCommand } from './commands/api.js';
import { benchCommand } from './commands/bench.js';
import { serveCommand } from './commands/serve.js';
import { tokenCommand } from './commands/token.js';
import { turnConfigCommand } from './commands/turnConfig.js';
import { CliError, EXIT_FAILURE } from './errors.js';
import { type CliIo, processIo } from './io.js';
import { cliVersion } from './version.js';

const COMMANDS: readonly Command[] = [
  serveCommand,
  tokenCommand,
  apiCommand,
  turnConfigCommand,
  benchCommand,
];

/** The usage printed with top-level mistakes: the synopsis and the commands. */
const USAGE = `Usage: parley <command> [options]

Commands:
${COMMANDS.map((c) => `  ${c.name.padEnd(13)}${c.summary}`).join('\n')}`;

const HELP = `Parley: self-hosted real-time audio and video, compatible with the ZEGO Express SDK.

${USAGE}

Options:
  -h, --help     Show this help; \`parley <command> --help\` shows a command's options
  --version      Show the version

Configuration (config file, environment variables, data directory): docs/configuration.md
`;

/**
 * Runs the `parley` command line.
 * @param argv the arguments after the program, e.g. `process.argv.slice(2)`.
 * @param io replaces parts of the real process (output, environment, working directory, stop signal).
 * @returns the exit code: 0 success, 1 failure, 2 usage or configuration error.
 * @example
 * process.exitCode = await main(process.argv.slice(2));
 */
export async function main(argv: readonly string[], io: Partial<CliIo> = {}): Promise<number> {
  const full: CliIo = { ...processIo(), ...io };
  try {
    return await dispatch([...argv], full);
  } catch (err) {
    return report(err, full);
  }
}

async function dispatch(argv: string[], io: CliIo): Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined) throw CliError.usage('no command given', '');
  if (first === '--help' || first === '-h') return print(io, HELP);
  if (first === '--version') return print(io, cliVersion() + '\n');
  if (first === 'help') return print(io, rest[0] === undefined ? HELP : find(rest[0]).help);
  if (first.startsWith('-')) throw CliError.usage(`unknown option '${first}'`, '');
  const command = find(first);
  if (wantsHelp(rest)) return print(io, command.help);
  return command.run(rest, io);
}

function find(name: string): Command {
  const command = COMMANDS.find((c) => c.name === name);
  if (command === undefined) throw CliError.usage(`unknown command '${name}'`, '');
  return command;
}

function print(io: CliIo, text: string): number {
  io.stdout(text);
  return 0;
}

function report(err: unknown, io: CliIo): number {
  if (!(err instanceof CliError)) {
    io.stderr(`error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    return EXIT_FAILURE;
  }
  io.stderr(`error: ${err.message}\n`);
  if (err.usageOf !== null) {
    const command = COMMANDS.find((c) => c.name === err.usageOf);
    const synopsis = command?.synopsis ?? USAGE;
    const more = command === undefined ? 'parley --help' : `parley ${command.name} --help`;
    io.stderr(`\n${synopsis}\nRun '${more}' for more.\n`);
  }
  return err.exitCode;
}
