import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { verifyToken04 } from '@parley/token';
import { loadOrCreateDevApp, main } from '../src/index.js';
import { capture, SECRET, tempDir } from './support/cli.js';

const APP_ID = 1234567;
const BASE = ['token', '--app-id', String(APP_ID), '--secret', SECRET];

/** Runs `parley …` and returns the exit code with the captured output. */
async function run(argv: string[], options: Parameters<typeof capture>[0] = {}) {
  const c = capture(options);
  const code = await main(argv, c.io);
  return { code, out: c.out(), err: c.err() };
}

/** The single token line of a successful run. */
function tokenOf(result: { code: number; out: string; err: string }): string {
  assert.equal(result.code, 0, result.err);
  assert.equal(result.err, '');
  assert.match(result.out, /^04[A-Za-z0-9+/]+=*\n$/);
  return result.out.trimEnd();
}

describe('parley token', () => {
  it('prints only a token that verifies for the app and user, valid for an hour, without payload', async () => {
    const token = tokenOf(await run([...BASE, '--user-id', 'alice']));
    const claims = verifyToken04(token, { appId: APP_ID, secret: SECRET, userId: 'alice' });
    assert.equal(claims.payload, '');
    assert.equal(claims.privilege, null);
    assert.ok(Math.abs(claims.expire - (Date.now() / 1000 + 3600)) < 5);
  });

  it('honours --ttl', async () => {
    const token = tokenOf(await run([...BASE, '--user-id', 'alice', '--ttl', '60']));
    const claims = verifyToken04(token, { appId: APP_ID, secret: SECRET });
    assert.ok(Math.abs(claims.expire - (Date.now() / 1000 + 60)) < 5);
  });

  it('builds the privilege payload from --room, --no-publish and --streams', async () => {
    const token = tokenOf(
      await run([...BASE, '-u', 'bob', '--room', 'r1', '--no-publish', '--streams', 'a, b,']),
    );
    const claims = verifyToken04(token, { appId: APP_ID, secret: SECRET, userId: 'bob' });
    assert.deepEqual(claims.privilege, {
      roomId: 'r1',
      canLogin: true,
      canPublish: false,
      streamIdList: ['a', 'b'],
    });
  });

  it('allows login and publishing in any room with --publish alone', async () => {
    const token = tokenOf(await run([...BASE, '--user-id', 'bob', '--publish']));
    const claims = verifyToken04(token, { appId: APP_ID, secret: SECRET });
    assert.deepEqual(claims.privilege, { roomId: '', canLogin: true, canPublish: true, streamIdList: null });
  });

  it('takes the AppID and secret of the development app from --data-dir or PARLEY_DATA_DIR', async () => {
    const dataDir = await tempDir();
    const { app } = await loadOrCreateDevApp(dataDir);
    const viaFlag = tokenOf(await run(['token', '--data-dir', dataDir, '--user-id', 'carol']));
    assert.equal(verifyToken04(viaFlag, { appId: app.appID, secret: app.serverSecret }).userId, 'carol');
    const viaEnv = tokenOf(await run(['token', '--user-id', 'dave'], { env: { PARLEY_DATA_DIR: dataDir } }));
    assert.equal(verifyToken04(viaEnv, { appId: app.appID, secret: app.serverSecret }).userId, 'dave');
    const sameApp = await run([
      'token',
      '--data-dir',
      dataDir,
      '--app-id',
      String(app.appID),
      '--user-id',
      'e',
    ]);
    tokenOf(sameApp);
    const otherApp = await run(['token', '--data-dir', dataDir, '--app-id', '5', '--user-id', 'e']);
    assert.equal(otherApp.code, 2);
    assert.match(otherApp.err, /--app-id 5 is not the AppID of the development app/);
  });

  it('says where it looked when there is neither --secret nor a development app', async () => {
    const dir = await tempDir();
    const result = await run(['token', '--user-id', 'u'], { cwd: dir });
    assert.equal(result.code, 2);
    assert.equal(result.out, '');
    assert.ok(result.err.includes(`${dir}/.parley/dev-app.json`), result.err);
  });

  it('prints generator errors as "error <code>: <message>" with exit code 2', async () => {
    const cases: Array<[string[], number]> = [
      [['token', '--app-id', '0', '--secret', SECRET, '--user-id', 'u'], 1],
      [['token', '--app-id', '4294967296', '--secret', SECRET, '--user-id', 'u'], 1],
      [['token', '--app-id', '1', '--secret', SECRET, '--user-id', ''], 3],
      [['token', '--app-id', '1', '--secret', 'short', '--user-id', 'u'], 5],
      [[...BASE, '--user-id', 'u', '--ttl', '0'], 6],
      [[...BASE, '--user-id', 'u', '--ttl=-5'], 6],
    ];
    for (const [argv, errorCode] of cases) {
      const result = await run(argv);
      assert.equal(result.code, 2, argv.join(' '));
      assert.equal(result.out, '');
      assert.match(result.err, new RegExp(`^error ${errorCode}: \\S.*\\n$`), argv.join(' '));
    }
  });

  it('refuses contradictory or incomplete options with usage errors', async () => {
    const cases: Array<[string[], RegExp]> = [
      [[...BASE], /--user-id is required/],
      [[...BASE, '--user-id', 'u', '--publish', '--no-publish'], /contradict/],
      [['token', '--secret', SECRET, '--user-id', 'u'], /--app-id is required with --secret/],
      [[...BASE, '--user-id', 'u', '--data-dir', '/tmp'], /either --secret or --data-dir/],
      [
        ['token', '--app-id', 'twelve', '--secret', SECRET, '--user-id', 'u'],
        /--app-id must be a decimal number/,
      ],
      [[...BASE, '--user-id', 'u', '--ttl', '1h'], /--ttl must be a whole number of seconds/],
      [[...BASE, '--user-id', 'u', '--colour'], /unknown option '--colour'/],
      [[...BASE, '--user-id', 'u', 'extra'], /unexpected argument 'extra'/],
      [[...BASE, '--user-id'], /argument missing/],
      [[...BASE, '--user-id', 'u', '--ttl', '-5'], /^error: option '--ttl' argument is ambiguous\n/],
    ];
    for (const [argv, expected] of cases) {
      const result = await run(argv);
      assert.equal(result.code, 2, argv.join(' '));
      assert.equal(result.out, '');
      assert.match(result.err, expected, argv.join(' '));
      assert.match(result.err, /Usage: parley token/, argv.join(' '));
    }
  });
});
