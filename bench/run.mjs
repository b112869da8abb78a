#!/usr/bin/env node
/**
 * The benchmark tool's command: `node bench/run.mjs <scenario> [options]` (also `npm run bench -- <scenario>` and
 * `parley bench <scenario>`). The tool is the TypeScript workspace package in this folder (`@parley/bench`,
 * src/run.ts); this launcher runs its compiled form, so the command stays the same. Build first: `npm run build`.
 */
import { existsSync } from 'node:fs';

const RUN = new URL('./dist/src/run.js', import.meta.url);
if (!existsSync(RUN)) {
  process.stderr.write('error: the bench is not built; run `npm run build` first\n');
  process.exit(1);
}
const { runCli } = await import(RUN.href);
await runCli(process.argv.slice(2));
