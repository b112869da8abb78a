/** `parley api <Action> key=value…` against a running server: signed calls, lists, the exit code of a refusal. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createLogger, type RunningServer, startServer } from '@parley/server';
import { main } from '../src/index.js';
import { capture, SECRET, SIGN, tempDir, writeJson } from './support/cli.js';

const APP_ID = 1234567;

async function run(argv: string[]) {
  const c = capture();
  const code = await main(argv, c.io);
  return { code, out: c.out(), err: c.err() };
}

describe('parley api', () => {
  let server: RunningServer;
  let base: string[];
  before(async () => {
    server = await startServer({
      apps: [{ appID: APP_ID, appSign: SIGN, serverSecret: SECRET }],
      port: 0,
      web: false,
      logger: createLogger({ level: 'silent' }),
    });
    base = ['--url', server.httpUrl, '--app-id', String(APP_ID), '--secret', SECRET];
  });
  after(() => server.close());

  it('prints the JSON reply of a signed call; Name[]= and repeated names make lists', async () => {
    for (const extra of [[], ['--post']]) {
      const r = await run(['api', 'DescribeUserNum', 'RoomId[]=a', 'RoomId=b', ...base, ...extra]);
      assert.equal(r.code, 0, r.err);
      const reply = JSON.parse(r.out) as { Code: number; Data: { UserCountList: { RoomId: string }[] } };
      assert.equal(reply.Code, 0);
      assert.deepEqual(
        reply.Data.UserCountList.map((c) => c.RoomId),
        ['a', 'b'],
      );
    }
  });

  it('takes the app from a config file, by --app-id or as its only app', async () => {
    const dir = await tempDir();
    const other = { appID: 42, appSign: 'cd'.repeat(32), serverSecret: 'f'.repeat(32) };
    const one = await writeJson(dir, 'one.json', {
      apps: [{ appID: APP_ID, appSign: SIGN, serverSecret: SECRET }],
    });
    const two = await writeJson(dir, 'two.json', {
      apps: [other, { appID: APP_ID, appSign: SIGN, serverSecret: SECRET }],
    });
    const url = ['--url', server.httpUrl];
    for (const args of [
      ['--config', one],
      ['--config', two, '--app-id', String(APP_ID)],
    ]) {
      const r = await run(['api', 'DescribeUserNum', 'RoomId[]=r', ...url, ...args]);
      assert.equal(r.code, 0, r.err);
      assert.equal((JSON.parse(r.out) as { Code: number }).Code, 0);
    }
    const several = await run(['api', 'DescribeUserNum', 'RoomId[]=r', ...url, '--config', two]);
    assert.equal(several.code, 2);
    assert.match(several.err, /several apps \(42, 1234567\)/);
    const missing = await run([
      'api',
      'DescribeUserNum',
      'RoomId[]=r',
      ...url,
      '--config',
      one,
      '--app-id',
      '7',
    ]);
    assert.notEqual(missing.code, 0);
    assert.match(missing.err, /no app 7/);
  });

  it('exits 1 with the reply when the server refuses, 2 for a wrong secret, missing action or bad pair', async () => {
    const refused = await run(['api', 'KickoutUser', 'RoomId=r', 'UserId[]=nobody', ...base]);
    assert.equal(refused.code, 1);
    assert.equal((JSON.parse(refused.out) as { Code: number }).Code, 50002);
    const wrongSecret = await run([
      'api',
      'DescribeUserNum',
      'RoomId[]=r',
      ...base.slice(0, 4),
      '--secret',
      'x'.repeat(32),
    ]);
    assert.equal(wrongSecret.code, 1);
    assert.equal((JSON.parse(wrongSecret.out) as { Code: number }).Code, 100000005);
    assert.equal((await run(['api', ...base])).code, 2);
    const badPair = await run(['api', 'DescribeUserNum', 'RoomId', ...base]);
    assert.equal(badPair.code, 2);
    assert.match(badPair.err, /Name=value/);
  });
});
