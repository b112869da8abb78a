/**
 * @parley/rtp stays free of I/O and of any RTP stack: its sources import only each other and node:crypto
 * (the SRTP ciphers). The SFU, the Node SDK and the bench share it for that reason.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const src = fileURLToPath(new URL('../../src', import.meta.url));

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

test('the sources import only each other and node:crypto', () => {
  const files = sources(src);
  assert.ok(files.length >= 10, `${files.length} source files found under ${src}`);
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    // `from '…'`, a bare `import '…'`, and `import('…')`.
    const pattern = /\bfrom\s+'([^']+)'|\bimport\s+'([^']+)'|\bimport\s*\(\s*'([^']+)'/g;
    const specifiers = [...text.matchAll(pattern)].map((m) => m[1] ?? m[2] ?? m[3]);
    for (const specifier of specifiers) {
      const allowed =
        specifier!.startsWith('./') || specifier!.startsWith('../') || specifier === 'node:crypto';
      assert.ok(allowed, `${file} imports ${specifier}`);
    }
    assert.doesNotMatch(text, /\brequire\s*\(/, `${file} uses require`);
  }
});
