/**
 * `@parley/cli`: the `parley` command line (`parley serve`, `parley token`, `parley bench`), usable in-process too.
 * @example
 * import { main } from '@parley/cli';
 * const code = await main(['token', '--app-id', '1', '--user-id', 'u1', '--secret', secret], { stdout });
 */
export type { SourcedApp } from './appValidation.js';
export { resolveServeConfig, type ServeConfig } from './config.js';
export { type ConfigFile, loadConfigFile } from './configFile.js';
export { type DevApp, devAppFile, loadOrCreateDevApp, readDevApp } from './devApp.js';
export { CliError } from './errors.js';
export type { CliIo } from './io.js';
export { main } from './main.js';
export { settingsTable, TABLE_BEGIN, TABLE_END } from './settingsTable.js';
