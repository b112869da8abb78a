/**
 * The development app: one AppID with a random AppSign and ServerSecret, created on the first `parley serve` and
 * kept in `<dataDir>/dev-app.json` (mode 0600) so tokens and apps keep working across restarts.
 * A damaged file is reported, never replaced: replacing it would silently invalidate every token made from it.
 */
import { randomInt } from 'node:crypto';
import { mkdir, open, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { AppConfig } from '@parley/server';
import { generateAppSign, generateServerSecret } from '@parley/token';
import { parseAppObject } from './appValidation.js';
import { CliError } from './errors.js';

/** File name of the development app inside the data directory. */
export const DEV_APP_FILE = 'dev-app.json';

/** The development app and where it lives. */
export interface DevApp {
  app: AppConfig;
  /** Absolute path of `dev-app.json`. */
  file: string;
  /** True if this call created the file, false if it was already there. */
  created: boolean;
}

/** Path of the development app file in `dataDir`. */
export function devAppFile(dataDir: string): string {
  return join(dataDir, DEV_APP_FILE);
}

/**
 * A fresh development app: AppID drawn from 1,000,000,000..3,999,999,999 (ten digits, never 0, clear of small
 * hand-picked AppIDs), random AppSign and ServerSecret.
 */
export function newDevApp(): AppConfig {
  return {
    appID: randomInt(1_000_000_000, 4_000_000_000),
    appSign: generateAppSign(),
    serverSecret: generateServerSecret(),
  };
}

/**
 * Reads the development app of `dataDir`.
 * @returns null if the file does not exist.
 * @throws CliError (config) naming the file if it is not a valid app.
 */
export async function readDevApp(dataDir: string): Promise<DevApp | null> {
  const file = devAppFile(dataDir);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if (errorCode(err) === 'ENOENT') return null;
    throw CliError.failure(`cannot read ${file}: ${(err as Error).message}`);
  }
  return { app: parseDevApp(text, file), file, created: false };
}

/**
 * Returns the development app of `dataDir`, creating the directory and the file on first use.
 * @example
 * const { app, created } = await loadOrCreateDevApp('/home/me/project/.parley');
 */
export async function loadOrCreateDevApp(dataDir: string): Promise<DevApp> {
  const existing = await readDevApp(dataDir);
  if (existing !== null) return existing;
  const file = devAppFile(dataDir);
  const app = newDevApp();
  try {
    await mkdir(dataDir, { recursive: true, mode: 0o700 });
    // 'wx' creates exclusively: if another process created the file meanwhile, use its app instead.
    const handle = await open(file, 'wx', 0o600);
    try {
      // The mode given to open() is reduced by the umask; the secret file must be exactly owner-only.
      await handle.chmod(0o600);
      await handle.writeFile(JSON.stringify(app, null, 2) + '\n', 'utf8');
    } catch (err) {
      // A half-written file would be reported as damaged on every later start.
      await handle.close();
      await rm(file, { force: true });
      throw err;
    }
    await handle.close();
  } catch (err) {
    if (errorCode(err) === 'EEXIST') {
      const raced = await readDevApp(dataDir);
      if (raced !== null) return raced;
    }
    throw CliError.failure(`cannot create the development app in ${dataDir}: ${(err as Error).message}`);
  }
  return { app, file, created: true };
}

function parseDevApp(text: string, file: string): AppConfig {
  const hint =
    'Fix the file, or delete it to create a new development app (tokens made with the old one stop working).';
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw CliError.config(`${file}: not valid JSON (${(err as Error).message}). ${hint}`);
  }
  try {
    return parseAppObject(raw, file);
  } catch (err) {
    if (err instanceof CliError) throw CliError.config(`${err.message}. ${hint}`);
    throw err;
  }
}

function errorCode(err: unknown): unknown {
  return typeof err === 'object' && err !== null ? (err as { code?: unknown }).code : undefined;
}
