/** The shape every `parley` subcommand has. */
import type { CliIo } from './io.js';

/** One subcommand: its help texts and how to run it. */
export interface Command {
  /** The word after `parley`, e.g. `serve`. */
  readonly name: string;
  /** One line for the command list of `parley --help`. */
  readonly summary: string;
  /** The usage line(s), printed with usage errors. */
  readonly synopsis: string;
  /** The full text of `parley <name> --help`. */
  readonly help: string;
  /**
   * Runs the command with the arguments after its name.
   * @returns the exit code.
   * @throws CliError for messages with their own exit code; anything else exits with 1.
   */
  run(args: string[], io: CliIo): Promise<number>;
}
