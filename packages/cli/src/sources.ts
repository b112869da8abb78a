/**
 * Sources of settings (the config file, the environment, the flags), each remembering where every value came
 * from, so a problem found in a value, alone or once the sources are merged, names its file, variable or flag.
 */
import { type ConfigProblem, describeProblem, formatPath, problemsOf } from '@parley/server/config';
import type { z } from 'zod';
import { CliError } from './errors.js';

/** Where one value came from. */
export type Origin =
  | { kind: 'file'; file: string }
  | { kind: 'env' | 'flag'; name: string; text: string; secret: boolean }
  | { kind: 'app'; source: string };

/** The settings of one source, in the schema's shape, and where each came from by its key. */
export interface Source {
  values: Record<string, unknown>;
  /** By key as `formatPath` writes it: `media.portRange`, `apps[0]`. */
  origins: Map<string, Origin>;
}

/** Which way a problem ends the command: as a usage error of `command`, or as a configuration error. */
export type Blame = { usageOf: string } | 'config';

/**
 * Checks `source` against `schema` alone.
 * @throws CliError naming the origin of every value at fault.
 */
export function checkSource(source: Source, schema: z.ZodType, blame: Blame): void {
  const result = schema.safeParse(source.values);
  if (result.success) return;
  throw problemsError(problemsOf(result.error, schema), source.origins, blame);
}

/** A CliError whose message has one line per problem, each naming where its value came from. */
export function problemsError(
  problems: readonly ConfigProblem[],
  origins: ReadonlyMap<string, Origin>,
  blame: Blame,
): CliError {
  const message = problems.map((p) => explain(p, origins)).join('\n');
  return blame === 'config' ? CliError.config(message) : CliError.usage(message, blame.usageOf);
}

/** One problem as a line: `FILE: key reason`, `PARLEY_X reason (got "…")`, `--flag reason (got "…")`. */
export function explain(problem: ConfigProblem, origins: ReadonlyMap<string, Origin>): string {
  const duplicateOf = problem.params['duplicateOf'];
  if (typeof duplicateOf === 'number') {
    const index = problem.keys[1];
    const first = appSource(origins, duplicateOf);
    const second = appSource(origins, typeof index === 'number' ? index : -1);
    return `appID ${String(problem.params['appID'])} is defined twice: in ${first} and in ${second}`;
  }
  const origin = originOf(problem.keys, origins);
  if (origin === undefined) {
    // A setting that another one asks for is missing: name where that other one was set.
    const related = problem.params['relatedTo'];
    const cause = Array.isArray(related) ? originOf(related, origins) : undefined;
    if (cause?.kind === 'file') return `${cause.file}: ${describeProblem(problem)}`;
    if (cause?.kind === 'env' || cause?.kind === 'flag')
      return `${describeProblem(problem)} (set by ${cause.name})`;
    return describeProblem(problem);
  }
  switch (origin.kind) {
    case 'file':
      return `${origin.file}: ${describeProblem(problem)}`;
    case 'app':
      return `${origin.source}: ${describeProblem(problem)}`;
    default: {
      // The value is shown unless it is a secret or the reason already shows it.
      const shown = origin.secret || problem.reason.includes('(got ') || problem.reason.includes(origin.text);
      const got = shown ? '' : ` (got ${JSON.stringify(origin.text)})`;
      return `${origin.name} ${problem.reason}${got}`;
    }
  }
}

/** The origin of the longest leading part of `keys` that has one. */
function originOf(keys: readonly PropertyKey[], origins: ReadonlyMap<string, Origin>): Origin | undefined {
  for (let n = keys.length; n > 0; n--) {
    const origin = origins.get(formatPath(keys.slice(0, n)));
    if (origin !== undefined) return origin;
  }
  return origins.get('');
}

function appSource(origins: ReadonlyMap<string, Origin>, index: number): string {
  const origin = originOf(['apps', index], origins);
  if (origin?.kind === 'app') return origin.source;
  if (origin?.kind === 'file') return `${origin.file} apps[${index}]`;
  return `apps[${index}]`;
}
