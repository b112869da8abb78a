#!/usr/bin/env node
// Bundles the compiled web SDK (dist/src, from `tsc -b`) into the two files a Parley server serves:
//   dist/bundle/parley.mjs — an ES module (`import { ZegoExpressEngine } from '/sdk/parley.mjs'`)
//   dist/bundle/parley.js  — a classic script that defines `window.ZegoExpressEngine` (and `window.Parley`)
// Both are minified with a source map next to them, and typed by dist/bundle/parley.d.mts.
import { mkdir, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
const entry = `${root}dist/src/index.js`;
const out = `${root}dist/bundle`;
const common = {
  entryPoints: [entry],
  bundle: true,
  platform: 'browser',
  target: ['es2020', 'chrome90', 'firefox90', 'safari15'],
  minify: true,
  sourcemap: 'linked',
  legalComments: 'none',
  logLevel: 'warning',
};

await mkdir(out, { recursive: true });
await Promise.all([
  build({ ...common, format: 'esm', outfile: `${out}/parley.mjs` }),
  build({
    ...common,
    format: 'iife',
    globalName: 'Parley',
    footer: { js: 'globalThis.ZegoExpressEngine=Parley.ZegoExpressEngine;' },
    outfile: `${out}/parley.js`,
  }),
  writeFile(
    `${out}/parley.d.mts`,
    "// The types of parley.mjs: the same exports as @parley/web.\nexport * from '../src/index.js';\n",
  ),
]);
