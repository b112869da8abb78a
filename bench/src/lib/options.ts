/**
 * Command-line options of the scenarios. Each scenario declares a table `{ name: { type, default, help } }`
 * with type `int` (a whole number ≥ 0), `number`, `ints` (a comma-separated list of whole numbers > 0, e.g.
 * `--players 10,50,100`) or `string`; `parseOptions` checks the arguments strictly against it.
 */
import { parseArgs } from 'node:util';

/** A mistake on the command line: printed with the usage, exit code 2. */
export class UsageError extends Error {}

/** The kinds of option value: see the file's comment. */
export type OptionType = 'int' | 'number' | 'ints' | 'string';

/** One option of a scenario. */
export interface OptionSpec {
  readonly type: OptionType;
  readonly default: number | readonly number[] | string;
  readonly help: string;
}

/** A scenario's options by name. */
export type OptionTable = Readonly<Record<string, OptionSpec>>;

/** The value an option of type `K` has once parsed. */
export type OptionValue<K extends OptionType> = K extends 'ints'
  ? number[]
  : K extends 'string'
    ? string
    : number;

/** The parsed values of an option table. */
export type OptionValues<T extends OptionTable> = { -readonly [N in keyof T]: OptionValue<T[N]['type']> };

function convert(name: string, type: OptionType, text: string): number | number[] | string {
  const bad = (what: string) => new UsageError(`--${name} must be ${what} (got ${JSON.stringify(text)})`);
  switch (type) {
    case 'int': {
      if (!/^\d+$/.test(text)) throw bad('a whole number');
      return Number(text);
    }
    case 'number': {
      const n = Number(text);
      if (text.trim() === '' || !Number.isFinite(n) || n < 0) throw bad('a number ≥ 0');
      return n;
    }
    case 'ints': {
      const list = text.split(',').map((s) => s.trim());
      if (list.length === 0 || !list.every((s) => /^\d+$/.test(s) && Number(s) > 0)) {
        throw bad('a comma-separated list of whole numbers > 0');
      }
      return [...new Set(list.map(Number))].sort((a, b) => a - b);
    }
    default:
      return text;
  }
}

/** Parses `argv` against the scenario's option table; returns every option's value (defaults filled in). */
export function parseOptions(table: OptionTable, argv: string[]): Record<string, unknown> {
  let values: Record<string, string | boolean | (string | boolean)[] | undefined>;
  try {
    values = parseArgs({
      args: argv,
      options: Object.fromEntries(Object.keys(table).map((k) => [k, { type: 'string' }])),
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (err) {
    throw new UsageError((err instanceof Error ? err.message : String(err)).split('. ')[0]);
  }
  const out: Record<string, unknown> = {};
  for (const [name, o] of Object.entries(table)) {
    const given = values[name];
    // Every option is declared as a string, so parseArgs gives a string (or nothing).
    out[name] = typeof given === 'string' ? convert(name, o.type, given) : copyDefault(o.default);
  }
  return out;
}

/** A default value, an array copied so that a run cannot change the table. */
function copyDefault(value: OptionSpec['default']): number | number[] | string {
  return typeof value === 'object' ? [...value] : value;
}

/** The help lines of an option table. */
export function optionsHelp(table: OptionTable): string[] {
  return Object.entries(table).map(([name, o]) => {
    const shown = Array.isArray(o.default) ? o.default.join(',') : String(o.default);
    const left = `  --${name} ${o.type === 'ints' ? 'A,B,…' : o.type === 'string' ? 'S' : 'N'}`;
    return `${left.padEnd(26)}${o.help} (default ${shown})`;
  });
}
