import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

/** The engine runs in browsers too: its compiled sources must not import Node modules or `ws`. */
test('the engine imports nothing from Node', () => {
  const src = fileURLToPath(new URL('../src', import.meta.url));
  const files: string[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (name.endsWith('.js')) files.push(p);
    }
  };
  walk(src);
  assert.ok(files.length > 5);
  for (const file of files) {
    // Doc comments show how an app imports the engine; only code counts here.
    const text = readFileSync(file, 'utf8')
      .replace(/\/\*[\s\S]*?\*\//g, '')
      .replace(/^\s*\/\/.*$/gm, '');
    const imports = [...text.matchAll(/(?:from|import)\s*\(?\s*['"]([^'"]+)['"]/g)].map((m) => m[1]!);
    for (const spec of imports) {
      assert.ok(spec.startsWith('.') || spec === '@parley/protocol', `${file} imports ${spec}`);
    }
    assert.doesNotMatch(text, /\bprocess\.|\bBuffer\b|\brequire\(/, `${file} uses a Node global`);
  }
});
