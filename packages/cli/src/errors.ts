/**
 * Errors that end a command with a message for a person and a chosen exit code.
 * Anything else thrown by a command is a bug or an environment failure and exits with 1.
 */

/** Exit code of a wrong command line or a wrong configuration. */
export const EXIT_USAGE = 2;
/** Exit code of a failure at run time (port in use, unreadable file, …). */
export const EXIT_FAILURE = 1;

/** A failure the CLI explains in one message. Build it with the static factories. */
export class CliError extends Error {
  override readonly name = 'CliError';

  private constructor(
    message: string,
    /** The process exit code this error ends the command with. */
    readonly exitCode: number,
    /** The command whose usage is printed after the message, for command-line mistakes. */
    readonly usageOf: string | null,
  ) {
    super(message);
  }

  /**
   * A wrong command line: unknown option, missing value, … Prints the message and a pointer to the help.
   * @param command the command name (`serve`, `token`), or `''` for the top level.
   */
  static usage(message: string, command: string): CliError {
    return new CliError(message, EXIT_USAGE, command);
  }

  /** A wrong configuration: config file, environment variable or data file. The message names the source. */
  static config(message: string): CliError {
    return new CliError(message, EXIT_USAGE, null);
  }

  /** A failure at run time that deserves a plain message rather than a stack trace. */
  static failure(message: string): CliError {
    return new CliError(message, EXIT_FAILURE, null);
  }
}
