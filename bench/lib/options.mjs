/**
 * Command-line options of the scenarios. Each scenario declares a table `{ name: { type, default, help } }`
 * with type `int` (a whole number ≥ 0), `number`, `ints` (a comma-separated list of whole numbers > 0, e.g.
 * `--players 10,50,100`) or `string`; `parseOptions` checks the arguments strictly against it.
 */
import { parseArgs } from 'node:util';

/** A mistake on the command line: printed with the usage, exit code 2. */
export class UsageError extends Error {}

function convert(name, type, text) {
  const bad = (what) => new UsageError(`--${name} must be ${what} (got ${JSON.stringify(text)})`);
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
export function parseOptions(table, argv) {
  let values;
  try {
    values = parseArgs({
      args: argv,
      options: Object.fromEntries(Object.keys(table).map((k) => [k, { type: 'string' }])),
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (err) {
    throw new UsageError(err.message.split('. ')[0]);
  }
  const out = {};
  for (const [name, o] of Object.entries(table)) {
    out[name] = values[name] === undefined ? o.default : convert(name, o.type, values[name]);
  }
  return out;
}

/** The help lines of an option table. */
export function optionsHelp(table) {
  return Object.entries(table).map(([name, o]) => {
    const shown = Array.isArray(o.default) ? o.default.join(',') : String(o.default);
    const left = `  --${name} ${o.type === 'ints' ? 'A,B,…' : o.type === 'string' ? 'S' : 'N'}`;
    return `${left.padEnd(26)}${o.help} (default ${shown})`;
  });
}
