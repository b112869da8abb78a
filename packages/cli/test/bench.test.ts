import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  BENCH_SCENARIOS,
  benchInvocation,
  createBenchCommand,
  defaultBenchDir,
} from '../src/commands/bench.js';
import { main } from '../src/index.js';
import { capture, tempDir, writeJson } from './support/cli.js';

/** Runs `parley …` and returns the exit code with the captured output. */
async function run(argv: string[]) {
  const c = capture();
  const code = await main(argv, c.io);
  return { code, out: c.out(), err: c.err() };
}

/** A bench folder whose run.mjs exits with the number given as its last argument (0 without one). */
async function fakeBench(): Promise<string> {
  const dir = await tempDir();
  await writeJson(dir, 'run.mjs', 'process.exit(Number(process.argv.at(-1)) || 0);\n');
  return dir;
}

describe('parley bench', () => {
  it('finds the bench folder of this checkout', () => {
    const dir = defaultBenchDir();
    assert.match(dir, /[/\\]bench[/\\]$/);
    assert.ok(existsSync(join(dir, 'run.mjs')), `${dir}run.mjs`);
  });

  it('runs node <bench>/run.mjs with the arguments as given, without a leading --', async () => {
    const dir = await fakeBench();
    assert.deepEqual(benchInvocation(['audio-fanout', '--players', '10,50', '--seconds', '5'], dir), {
      command: process.execPath,
      args: [join(dir, 'run.mjs'), 'audio-fanout', '--players', '10,50', '--seconds', '5'],
    });
    assert.deepEqual(benchInvocation(['--', 'join', '--help'], dir).args, [
      join(dir, 'run.mjs'),
      'join',
      '--help',
    ]);
  });

  it("returns the benchmark's exit code, started in the repository root with the arguments", async () => {
    const dir = await fakeBench();
    const calls: Array<{ command: string; args: string[]; cwd: string }> = [];
    const command = createBenchCommand({
      benchDir: dir,
      spawner: (cmd, args, cwd) => {
        calls.push({ command: cmd, args, cwd });
        return spawn(cmd, args, { cwd, stdio: 'ignore' });
      },
    });
    const c = capture();
    assert.equal(await command.run(['meeting', '--users', '2,4', '3'], c.io), 3);
    assert.equal(await command.run(['meeting'], c.io), 0);
    assert.deepEqual(calls[0], {
      command: process.execPath,
      args: [join(dir, 'run.mjs'), 'meeting', '--users', '2,4', '3'],
      cwd: join(dir, '..'),
    });
  });

  it('exits with 2 and the usage when no scenario is given', async () => {
    for (const argv of [['bench'], ['bench', '--']]) {
      const result = await run(argv);
      assert.equal(result.code, 2, argv.join(' '));
      assert.match(result.err, /^error: no scenario given\n\nUsage: parley bench <scenario>/);
      assert.match(result.err, /Run 'parley bench --help' for more\.\n$/);
    }
  });

  it('says clearly that bench/ is missing, with exit code 1', async () => {
    const empty = await tempDir();
    const c = capture();
    await assert.rejects(
      createBenchCommand({ benchDir: join(empty, 'bench') }).run(['join'], c.io),
      (err) => {
        assert.ok(err instanceof Error);
        assert.match(err.message, /the benchmark tool is not here: .*run\.mjs does not exist/);
        assert.match(err.message, /source checkout/);
        assert.equal((err as { exitCode?: number }).exitCode, 1);
        return true;
      },
    );
  });

  it('lists in its help exactly the scenarios bench/run.mjs has', async () => {
    const result = await run(['bench', '--help']);
    assert.equal(result.code, 0);
    assert.ok(result.out.startsWith('Usage: parley bench <scenario>'));
    assert.match(result.out, /Example/);
    const runner = spawnSync(process.execPath, [join(defaultBenchDir(), 'run.mjs'), '--help'], {
      encoding: 'utf8',
    });
    assert.equal(runner.status, 0, runner.stderr);
    const section = runner.stdout.slice(runner.stdout.indexOf('Scenarios:'));
    const listed = [...section.split('\n\n')[0]!.matchAll(/^ {2}([a-z-]+) /gm)].map((m) => m[1]);
    assert.deepEqual(listed, [...BENCH_SCENARIOS]);
    for (const name of BENCH_SCENARIOS) assert.match(result.out, new RegExp(`\\b${name}\\b`));
  });
});
