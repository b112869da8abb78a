import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, it } from 'node:test';
import { main } from '../src/index.js';
import { capture } from './support/cli.js';

async function run(argv: string[]) {
  const c = capture();
  const code = await main(argv, c.io);
  return { code, out: c.out(), err: c.err() };
}

describe('parley command line', () => {
  it('prints the help on stdout with --help, -h and help', async () => {
    for (const argv of [['--help'], ['-h'], ['help']]) {
      const result = await run(argv);
      assert.equal(result.code, 0);
      assert.equal(result.err, '');
      assert.match(result.out, /Usage: parley <command>/);
      assert.match(result.out, /\n {2}serve {3}/);
      assert.match(result.out, /\n {2}token {3}/);
    }
  });

  it("prints a command's help with `<command> --help` and `help <command>`", async () => {
    for (const name of ['serve', 'token']) {
      for (const argv of [
        [name, '--help'],
        [name, '-h'],
        ['help', name],
        [name, '--port', 'x', '--help'],
      ]) {
        const result = await run(argv);
        assert.equal(result.code, 0, argv.join(' '));
        assert.ok(result.out.startsWith(`Usage: parley ${name} `), argv.join(' '));
        assert.match(result.out, /Example/);
      }
    }
  });

  it('prints the version of the package with --version', async () => {
    const pkg = JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8')) as {
      version: string;
    };
    const result = await run(['--version']);
    assert.equal(result.code, 0);
    assert.equal(result.out, `${pkg.version}\n`);
  });

  it('exits with 2 and the usage on stderr for a missing or unknown command or option', async () => {
    const cases: Array<[string[], RegExp]> = [
      [[], /^error: no command given\n/],
      [['frobnicate'], /^error: unknown command 'frobnicate'\n/],
      [['help', 'frobnicate'], /^error: unknown command 'frobnicate'\n/],
      [['--verbose'], /^error: unknown option '--verbose'\n/],
    ];
    for (const [argv, expected] of cases) {
      const result = await run(argv);
      assert.equal(result.code, 2, argv.join(' '));
      assert.equal(result.out, '');
      assert.match(result.err, expected);
      assert.match(result.err, /Usage: parley <command>[\s\S]*serve[\s\S]*token/);
    }
  });

  it('exits with 2 and the command usage for an unknown option of a command', async () => {
    const result = await run(['serve', '--prot', '80']);
    assert.equal(result.code, 2);
    assert.match(
      result.err,
      /^error: unknown option '--prot' \(did you mean --port\?\)\n\nUsage: parley serve /,
    );
    assert.match(result.err, /Run 'parley serve --help' for more\.\n$/);
  });
});
