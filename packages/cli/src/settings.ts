/**
 * The settings of `parley serve`: the server's (`@parley/server/config`) less `devAppID`, plus `devApp`, which
 * only the CLI knows. Each has one dotted key (`media.portRange`), used as it is in the config file and spelled
 * `PARLEY_MEDIA_PORT_RANGE` in the environment; the common ones have a flag too (serveFlags.ts).
 */
import {
  partialSchema,
  type Setting,
  type SettingKind,
  serverConfigSchema,
  settingsOf,
} from '@parley/server/config';
import { z } from 'zod';

/** The default port of `parley serve`; `startServer()` alone picks a free one. */
export const DEFAULT_PORT = 8080;

/** Defaults of `parley serve` that differ from the server's. */
export const SERVE_DEFAULTS: Readonly<Record<string, unknown>> = { port: DEFAULT_PORT };

const devAppField = z
  .boolean({ error: 'must be true or false' })
  .optional()
  .meta({ type: 'boolean' })
  .describe(
    '`true` serves the development app even when apps are configured; `false` never serves it. ' +
      'Default: served when no other app is configured.',
  );

const serverPartial = (partialSchema(serverConfigSchema) as z.ZodOptional<z.ZodObject>).unwrap();

/**
 * What one source (the config file, the environment, the flags) may set: every key optional, no defaults,
 * unknown keys rejected. The checks across keys run once the sources are merged.
 */
export const sourceSchema = serverPartial.omit({ devAppID: true }).extend({ devApp: devAppField });

/**
 * Every setting of `parley serve`, described as the schema describes it, with the defaults of `parley serve`.
 * The apps are a setting of the config file only.
 */
export const SERVE_SETTINGS: readonly Setting[] = settingsOf(serverConfigSchema).flatMap((setting) => {
  if (setting.path === 'devAppID') return settingsOf(z.strictObject({ devApp: devAppField }));
  const serveDefault = SERVE_DEFAULTS[setting.path];
  return [serveDefault === undefined ? setting : { ...setting, defaultValue: serveDefault }];
});

/** The setting with `path`; throws for a key that is not one (a mistake in the CLI's own tables). */
export function settingAt(path: string): Setting {
  const setting = SERVE_SETTINGS.find((s) => s.path === path);
  if (setting === undefined) throw new Error(`no setting ${path}`);
  return setting;
}

/** `media.portRange` → `PARLEY_MEDIA_PORT_RANGE`. */
export function envName(path: string): string {
  return `PARLEY_${path
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replaceAll('.', '_')
    .toUpperCase()}`;
}

/** True for settings that can be written as text (in a variable or a flag): not the list of apps. */
export function isTextual(setting: Setting): boolean {
  return setting.kind !== 'other';
}

/**
 * A setting's value from its text in a variable or a flag: numbers and booleans parsed, lists split at commas.
 * Text that is not of the setting's kind is kept as it is, for the schema to reject with its own message.
 * @returns undefined for empty text, which counts as unset.
 */
export function fromText(kind: SettingKind, text: string): unknown {
  const trimmed = text.trim();
  if (trimmed === '') return undefined;
  switch (kind) {
    case 'number':
      return /^-?\d+$/.test(trimmed) ? Number(trimmed) : trimmed;
    case 'boolean':
      if (/^(true|1|yes|on)$/i.test(trimmed)) return true;
      if (/^(false|0|no|off)$/i.test(trimmed)) return false;
      return trimmed;
    case 'list':
      return trimmed
        .split(',')
        .map((item) => item.trim())
        .filter((item) => item !== '');
    default:
      return trimmed;
  }
}

/** Sets `value` at the dotted `path` of `target`, creating the groups on the way. */
export function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split('.');
  let node = target;
  for (const key of keys.slice(0, -1)) {
    const next = node[key];
    if (typeof next === 'object' && next !== null && !Array.isArray(next))
      node = next as Record<string, unknown>;
    else {
      const group: Record<string, unknown> = {};
      node[key] = group;
      node = group;
    }
  }
  node[keys.at(-1)!] = value;
}

/** The value at the dotted `path` of `source`, or undefined. */
export function getPath(source: unknown, path: string): unknown {
  let node = source;
  for (const key of path.split('.')) {
    if (typeof node !== 'object' || node === null || Array.isArray(node)) return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}
