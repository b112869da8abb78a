/**
 * The files the server hands to browsers: the web SDK's bundles at `/sdk/…` (from `@parley/web`) and the demo
 * page at `/` (from `@parley/demo`). A fixed table built at start — URL path → file — so no request path ever
 * reaches the file system. Files are read on request (a rebuilt SDK is served without a restart).
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, extname, join } from 'node:path';

/** Where the served files come from; a missing directory serves nothing (and says why at `/sdk`). */
export interface StaticFilesOptions {
  /** Directory of `parley.mjs` / `parley.js` (default: the installed @parley/web's dist/bundle). */
  sdkDir?: string | null;
  /** Directory of the demo page (default: the installed @parley/demo's public folder). */
  demoDir?: string | null;
}

/** A file to serve and its content type. */
export interface StaticFile {
  path: string;
  contentType: string;
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.mts': 'text/plain; charset=utf-8',
};

/** The SDK files served under `/sdk/`. */
const SDK_FILES = ['parley.mjs', 'parley.mjs.map', 'parley.js', 'parley.js.map', 'parley.d.mts'];

/**
 * @example
 * const files = StaticFiles.load({});
 * const file = files.lookup('/sdk/parley.mjs');
 */
export class StaticFiles {
  private readonly table = new Map<string, StaticFile>();
  /** Why the SDK is not served, when it is not (shown to whoever asks for it). */
  readonly sdkProblem: string | null;

  private constructor(sdkDir: string | null, demoDir: string | null) {
    let problem: string | null = null;
    if (sdkDir === null) {
      problem = 'this server does not serve the web SDK';
    } else if (!existsSync(join(sdkDir, 'parley.mjs'))) {
      problem = 'the web SDK is not built: run `npm run build` in the Parley repository';
    } else {
      for (const name of SDK_FILES) this.add(`/sdk/${name}`, join(sdkDir, name));
    }
    this.sdkProblem = problem;
    if (demoDir !== null && existsSync(demoDir)) {
      for (const name of readdirSync(demoDir)) {
        const path = join(demoDir, name);
        if (!statSync(path).isFile()) continue;
        this.add(`/${name}`, path);
        if (name === 'index.html') this.add('/', path);
      }
    }
  }

  /** The table for `options` (defaults: the installed @parley/web and @parley/demo packages). */
  static load(options: StaticFilesOptions = {}): StaticFiles {
    const sdkDir =
      options.sdkDir === undefined ? packageDir('@parley/web', join('dist', 'bundle')) : options.sdkDir;
    const demoDir = options.demoDir === undefined ? packageDir('@parley/demo', 'public') : options.demoDir;
    return new StaticFiles(sdkDir, demoDir);
  }

  /** The file served at `pathname`, if any. */
  lookup(pathname: string): StaticFile | undefined {
    return this.table.get(pathname);
  }

  /** Reads a file of the table (null if it vanished since the start, e.g. during a rebuild). */
  async read(file: StaticFile): Promise<Buffer | null> {
    try {
      return await readFile(file.path);
    } catch {
      return null;
    }
  }

  private add(urlPath: string, path: string): void {
    if (!existsSync(path)) return;
    const contentType = CONTENT_TYPES[extname(path)] ?? 'application/octet-stream';
    this.table.set(urlPath, { path, contentType });
  }
}

/** `sub` inside the directory of an installed package, or null if the package is not installed. */
function packageDir(name: string, sub: string): string | null {
  try {
    const manifest = createRequire(import.meta.url).resolve(`${name}/package.json`);
    return join(dirname(manifest), sub);
  } catch {
    return null;
  }
}
