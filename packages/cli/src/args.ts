/** Command-line parsing on top of `node:util` parseArgs, with mistakes turned into usage errors. */
import { type ParseArgsConfig, parseArgs } from 'node:util';
import { CliError } from './errors.js';

/** True if the arguments ask for help (`--help` or `-h` before any `--`). */
export function wantsHelp(args: readonly string[]): boolean {
  for (const arg of args) {
    if (arg === '--') return false;
    if (arg === '--help' || arg === '-h') return true;
  }
  return false;
}

/** The option table of a command, as parseArgs takes it. */
export type OptionTable = NonNullable<ParseArgsConfig['options']>;

/** What parseArgs returns for an option table without `multiple` options: strings and booleans, or absent. */
export type FlagValues<O extends OptionTable> = {
  -readonly [K in keyof O]?: O[K]['type'] extends 'string' ? string : boolean;
};

/**
 * Parses the options of one command strictly: no positionals, no unknown options.
 * @param command the command name, for the usage error.
 * @throws CliError (usage) on any mistake.
 */
export function parseFlags<const O extends OptionTable>(
  args: string[],
  options: O,
  command: string,
): FlagValues<O> {
  try {
    return parseArgs({ args, options, strict: true, allowPositionals: false }).values as FlagValues<O>;
  } catch (err) {
    if (err instanceof TypeError && typeof (err as { code?: unknown }).code === 'string') {
      throw CliError.usage(firstSentence(err.message), command);
    }
    throw err;
  }
}

/** parseArgs explains how to pass values that start with a dash; the first sentence is what the user needs. */
function firstSentence(message: string): string {
  const end = message.search(/\.\s/);
  const sentence = end === -1 ? message : message.slice(0, end);
  return sentence.charAt(0).toLowerCase() + sentence.slice(1);
}
