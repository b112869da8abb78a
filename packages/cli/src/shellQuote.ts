/** Quoting of command-line words for POSIX shells, for commands the CLI prints for copying. */

/** `word` as is if the shell would read it unchanged, else in single quotes. */
export function shellQuote(word: string): string {
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(word)) return word;
  return `'${word.replaceAll("'", `'\\''`)}'`;
}
