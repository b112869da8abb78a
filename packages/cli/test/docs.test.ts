/** docs/configuration.md lists every setting as the schema defines it, and every flag of `parley serve`. */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, it } from 'node:test';
import { SETTING_FLAGS } from '../src/serveFlags.js';
import { SERVE_SETTINGS } from '../src/settings.js';
import { settingsTable, TABLE_BEGIN, TABLE_END } from '../src/settingsTable.js';

const DOCS = new URL('../../../../docs/configuration.md', import.meta.url);

describe('docs/configuration.md', () => {
  it('has the table of every setting made from the schema (run node scripts/config-table.mjs)', async () => {
    const text = await readFile(DOCS, 'utf8');
    const begin = text.indexOf(TABLE_BEGIN);
    const end = text.indexOf(TABLE_END);
    assert.ok(begin !== -1 && end > begin, 'the settings table markers');
    assert.equal(text.slice(begin + TABLE_BEGIN.length, end).trim(), settingsTable());
    for (const { path } of SERVE_SETTINGS) assert.ok(text.includes(`| \`${path}\``), path);
  });

  it('mentions every flag of parley serve', async () => {
    const text = await readFile(DOCS, 'utf8');
    for (const { spec } of SETTING_FLAGS) {
      const flag = spec.split(', ').at(-1)!.split(' ')[0]!;
      assert.ok(text.includes(flag), flag);
    }
  });
});
