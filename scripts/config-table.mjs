#!/usr/bin/env node
// Rewrites the table of every setting in docs/configuration.md from the settings schema (build first).
// Usage: node scripts/config-table.mjs — the docs test (packages/cli/test/docs.test.ts) fails until it is run.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { settingsTable, TABLE_BEGIN, TABLE_END } from '../packages/cli/dist/src/index.js';

const file = fileURLToPath(new URL('../docs/configuration.md', import.meta.url));
const text = readFileSync(file, 'utf8');
const begin = text.indexOf(TABLE_BEGIN);
const end = text.indexOf(TABLE_END);
if (begin === -1 || end < begin) {
  console.error(`docs/configuration.md has no "${TABLE_BEGIN}" … "${TABLE_END}" section`);
  process.exit(1);
}
writeFileSync(
  file,
  `${text.slice(0, begin + TABLE_BEGIN.length)}\n\n${settingsTable()}\n\n${text.slice(end)}`,
);
console.log('docs/configuration.md: settings table rewritten');
