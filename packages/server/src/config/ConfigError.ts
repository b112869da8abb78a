/**
 * A configuration that does not pass its schema, as a list of problems that each name the key at fault and
 * say why ("media.portRange must be …"), for a person to read.
 */
import type { core, z } from 'zod';
import { objectShape } from './settings.js';

/** One thing wrong with a configuration. */
export interface ConfigProblem {
  /** Where: the key as written in a config file, e.g. `media.portRange`, `apps[1].appSign`; `''` for the whole. */
  path: string;
  /** Why, starting with a verb: `must be …`, `is missing`, `has an unknown key …`. */
  reason: string;
  /** The key's path as a list, for looking up where its value came from. */
  keys: PropertyKey[];
  /**
   * Extra facts of the check that failed: `relatedTo`, the keys of the setting whose value asks for this one;
   * `duplicateOf` and `appID`, the index of the first app with an AppID defined twice.
   */
  params: Record<string, unknown>;
}

/** `path reason`, or the reason alone for the whole configuration. */
export function describeProblem(problem: ConfigProblem): string {
  return problem.path === '' ? problem.reason : `${problem.path} ${problem.reason}`;
}

/** Options that `startServer` cannot run with. */
export class ConfigError extends TypeError {
  override readonly name = 'ConfigError';

  constructor(readonly problems: readonly ConfigProblem[]) {
    super(problems.map(describeProblem).join('; '));
  }
}

/**
 * The problems of a failed parse, in the order zod found them.
 * @param schema the schema that was parsed, to list the allowed keys next to an unknown one.
 */
export function problemsOf(error: z.ZodError, schema: core.$ZodType): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  for (const issue of error.issues) {
    const params = (issue as { params?: Record<string, unknown> }).params ?? {};
    if (issue.code === 'unrecognized_keys') {
      const allowed = Object.keys(shapeAt(schema, issue.path) ?? {}).join(', ');
      const where = formatPath(issue.path);
      for (const key of issue.keys) {
        const what = `unknown key ${JSON.stringify(key)} (allowed: ${allowed})`;
        problems.push({
          path: where,
          reason: where === '' ? what : `has an ${what}`,
          keys: [...issue.path, key],
          params,
        });
      }
      continue;
    }
    problems.push({ path: formatPath(issue.path), reason: issue.message, keys: [...issue.path], params });
  }
  return problems;
}

/** `['apps', 1, 'appSign']` → `apps[1].appSign`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let text = '';
  for (const key of path) {
    if (typeof key === 'number') text += `[${key}]`;
    else text += text === '' ? String(key) : `.${String(key)}`;
  }
  return text;
}

function shapeAt(schema: core.$ZodType, path: readonly PropertyKey[]): Record<string, core.$ZodType> | null {
  let current: core.$ZodType | undefined = schema;
  for (const key of path) {
    if (current === undefined) return null;
    if (typeof key === 'number') {
      current = elementOf(current);
      continue;
    }
    current = objectShape(current)?.[String(key)];
  }
  return current === undefined ? null : objectShape(current);
}

function elementOf(schema: core.$ZodType): core.$ZodType | undefined {
  const def = schema._zod.def as core.$ZodTypeDef & { element?: core.$ZodType; innerType?: core.$ZodType };
  if (def.type === 'array') return def.element;
  return def.innerType === undefined ? undefined : elementOf(def.innerType);
}
