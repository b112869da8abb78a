/**
 * The settings of a configuration schema as a flat list (`media.portRange`, …), read from the schema itself, so
 * the environment variables, the flags and the documentation of `parley serve` follow it without a hand-kept
 * list; and the same schema with every key optional and no defaults, to check one source of settings alone.
 */
import { type core, z } from 'zod';
import type { SettingMeta } from './fields.js';

/** How a setting's value is written in an environment variable or on the command line. */
export type SettingKind = 'string' | 'number' | 'boolean' | 'list' | 'other';

/** One setting: a leaf of the schema. */
export interface Setting {
  /** Dotted key, e.g. `media.portRange`. */
  path: string;
  kind: SettingKind;
  /** The default value, or undefined if the setting has none (or a derived one, told in the description). */
  defaultValue: unknown;
  description: string;
  /** The value's kind in a few words, for the documentation. */
  type: string;
  /** The value is a file path. */
  file: boolean;
}

type Schema = core.$ZodType;

/**
 * Lists the settings of `schema`, groups first-to-last as written.
 * @example
 * settingsOf(serverConfigSchema).map((s) => s.path); // ['host', 'port', 'apps', …, 'turn.ttlSeconds']
 */
export function settingsOf(schema: Schema): Setting[] {
  const list: Setting[] = [];
  walk(schema, '', list);
  return list;
}

function walk(schema: Schema, prefix: string, out: Setting[]): void {
  for (const [key, field] of Object.entries(objectShape(schema) ?? {})) {
    const path = prefix === '' ? key : `${prefix}.${key}`;
    if (objectShape(field) !== null) {
      walk(field, path, out);
      continue;
    }
    const meta = metaOf(field);
    out.push({
      path,
      kind: kindOf(field),
      defaultValue: defaultOf(field),
      description: typeof meta.description === 'string' ? meta.description : '',
      type: typeof meta.type === 'string' ? meta.type : '',
      file: meta.file === true,
    });
  }
}

/**
 * The schema of one source of settings: the same keys, each optional, without defaults and without the
 * checks that look across keys (those run once all sources are merged). Unknown keys stay errors.
 */
export function partialSchema(schema: Schema): z.ZodType {
  const shape = objectShape(schema);
  if (shape === null) return z.optional(withoutDefault(schema));
  const partial: Record<string, z.ZodType> = {};
  for (const [key, field] of Object.entries(shape)) partial[key] = partialSchema(field);
  return z.optional(
    z.strictObject(partial, {
      error: (issue) => (issue.input === undefined ? 'is missing' : 'must be an object of settings'),
    }),
  );
}

/** The shape of an object schema, looking through defaults, optionals and transforms; null for a leaf. */
export function objectShape(schema: Schema): Record<string, Schema> | null {
  const def = schema._zod.def;
  switch (def.type) {
    case 'object':
      return (def as core.$ZodObjectDef).shape;
    case 'default':
    case 'prefault':
    case 'optional':
      return objectShape((def as core.$ZodDefaultDef).innerType);
    case 'pipe':
      return objectShape((def as core.$ZodPipeDef).in);
    default:
      return null;
  }
}

function withoutDefault(schema: Schema): Schema {
  const def = schema._zod.def;
  if (def.type === 'default' || def.type === 'prefault' || def.type === 'optional') {
    return withoutDefault((def as core.$ZodDefaultDef).innerType);
  }
  return schema;
}

function defaultOf(schema: Schema): unknown {
  const def = schema._zod.def;
  if (def.type === 'default') return (def as core.$ZodDefaultDef).defaultValue;
  if (def.type === 'optional') return defaultOf((def as core.$ZodOptionalDef).innerType);
  return undefined;
}

/** The metadata of a schema and every schema it wraps, the outermost winning. */
function metaOf(schema: Schema): SettingMeta & { description?: unknown } {
  const inner = innerOf(schema);
  const own = (z.globalRegistry.get(schema) ?? {}) as SettingMeta & { description?: unknown };
  return inner === null ? { ...own } : { ...metaOf(inner), ...own };
}

function kindOf(schema: Schema): SettingKind {
  const def = schema._zod.def;
  switch (def.type) {
    case 'string':
    case 'enum':
      return 'string';
    case 'number':
      return 'number';
    case 'boolean':
      return 'boolean';
    case 'array':
      // A list of objects (the apps) has no spelling in a variable or a flag.
      return objectShape((def as core.$ZodArrayDef).element) === null ? 'list' : 'other';
    case 'union': {
      // A literal union of numbers reads as a number; one of several spellings reads as its first.
      const options = (def as core.$ZodUnionDef).options;
      if (options.every((o) => o._zod.def.type === 'literal')) return 'number';
      return kindOf(options[0]!);
    }
    default: {
      const inner = innerOf(schema);
      return inner === null ? 'other' : kindOf(inner);
    }
  }
}

function innerOf(schema: Schema): Schema | null {
  const def = schema._zod.def as core.$ZodTypeDef & { innerType?: Schema; in?: Schema };
  if (def.type === 'pipe') return def.in ?? null;
  return def.innerType ?? null;
}
