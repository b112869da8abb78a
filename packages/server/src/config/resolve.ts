/** Parsing options with the schema: the one place defaults are applied. */
import { ConfigError, problemsOf } from './ConfigError.js';
import { type ResolvedConfig, serverConfigSchema } from './schema.js';

/**
 * Checks `input` against {@link serverConfigSchema} and applies the defaults.
 * @throws ConfigError listing every problem.
 * @example
 * const config = resolveServerConfig({ apps, media: { portRange: '50000-50999' } });
 * config.media.portRange; // [50000, 50999]
 */
export function resolveServerConfig(input: unknown): ResolvedConfig {
  const result = serverConfigSchema.safeParse(input);
  if (!result.success) throw new ConfigError(problemsOf(result.error, serverConfigSchema));
  return result.data;
}
