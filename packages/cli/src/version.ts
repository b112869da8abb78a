/** The version of the CLI, read from its package.json. */
import { readFileSync } from 'node:fs';

/** The `version` of `@parley/cli`'s package.json, e.g. `0.1.0`. */
export function cliVersion(): string {
  // Compiled to dist/src/version.js, so the package.json is two levels up (as it is from src/).
  const text = readFileSync(new URL('../../package.json', import.meta.url), 'utf8');
  const version = (JSON.parse(text) as { version?: unknown }).version;
  return typeof version === 'string' ? version : 'unknown';
}
