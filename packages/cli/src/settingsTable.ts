/**
 * The table of every setting in docs/configuration.md, made from the schema: key, variable, flag, kind,
 * default and meaning. A test keeps the page equal to it; `node scripts/config-table.mjs` rewrites it.
 */
import { SETTING_FLAGS } from './serveFlags.js';
import { envName, isTextual, SERVE_SETTINGS } from './settings.js';

/** The markers around the generated table in the documentation. */
export const TABLE_BEGIN = '<!-- settings table: made by scripts/config-table.mjs from the schema -->';
export const TABLE_END = '<!-- end of settings table -->';

/** The Markdown table, one row per setting, columns padded. */
export function settingsTable(): string {
  const header = ['Key', 'Environment', 'Flag', 'Value', 'Default', 'Meaning'];
  const rows = SERVE_SETTINGS.map((setting) => {
    const flags = SETTING_FLAGS.filter((f) => f.path === setting.path).map((f) =>
      code(f.spec.replace(/<([^>]+)>/, (_m, name: string) => name.toUpperCase())),
    );
    const env =
      setting.path === 'apps'
        ? 'one app: `PARLEY_APP_ID`, `PARLEY_APP_SIGN`, `PARLEY_SERVER_SECRET`'
        : isTextual(setting)
          ? code(envName(setting.path))
          : '—';
    return [
      code(setting.path),
      env,
      flags.length === 0 ? '—' : flags.join(', '),
      setting.type,
      defaultText(setting.defaultValue),
      setting.description,
    ].map((cell) => cell.replaceAll('|', '\\|'));
  });
  const widths = header.map((_, i) => Math.max(header[i]!.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

function code(text: string): string {
  return `\`${text}\``;
}

function defaultText(value: unknown): string {
  if (value === undefined) return '—';
  if (Array.isArray(value)) return value.length === 0 ? 'none' : code(value.join(','));
  return code(String(value));
}
