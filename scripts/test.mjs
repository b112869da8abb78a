#!/usr/bin/env node
// Runs every compiled test file of the monorepo with Node's own test runner.
// Test files are compiled by `tsc -b` to packages/*/dist/test/**/*.test.js (and apps/*/dist/test).
// Usage: node scripts/test.mjs [substring ...]  — only files whose path contains one of the substrings.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const filters = process.argv.slice(2);

function walk(dir, out) {
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (name.endsWith('.test.js')) out.push(p);
  }
  return out;
}

const files = [];
for (const top of ['packages', 'apps']) {
  const base = join(root, top);
  if (!existsSync(base)) continue;
  for (const pkg of readdirSync(base)) walk(join(base, pkg, 'dist', 'test'), files);
}
// The bench is one workspace package at the top (@parley/bench), not a folder of packages.
walk(join(root, 'bench', 'dist', 'test'), files);
// A test whose TypeScript source is gone (renamed, moved) may still sit compiled in dist: tsc -b never deletes.
const hasSource = (file) =>
  existsSync(file.replace(`${sep}dist${sep}test${sep}`, `${sep}test${sep}`).replace(/\.js$/, '.ts'));
const selected = files
  .filter(hasSource)
  .map((f) => relative(root, f))
  .filter((f) => filters.length === 0 || filters.some((s) => f.includes(s)))
  .sort();
if (selected.length === 0) {
  console.error('no test files found (did `tsc -b` run?)');
  process.exit(1);
}
// The timeout is a safety net for a hung file, not a speed target: the longest file (the network lab, five calls
// across namespaces) takes about a minute alone and over two on a loaded machine.
const args = ['--enable-source-maps', '--test', '--test-concurrency=2', '--test-timeout=300000', ...selected];
const child = spawn(process.execPath, args, { cwd: root, stdio: 'inherit' });
child.on('exit', (code, signal) => process.exit(signal ? 1 : (code ?? 1)));
