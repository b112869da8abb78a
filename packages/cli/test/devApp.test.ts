import assert from 'node:assert/strict';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { validateAppSign } from '@parley/token';
import { CliError, devAppFile, loadOrCreateDevApp, readDevApp } from '../src/index.js';
import { SECRET, SIGN, tempDir } from './support/cli.js';

describe('development app', () => {
  it('is created on first use with a random AppID, AppSign and ServerSecret, in a 0600 file', async () => {
    const dataDir = join(await tempDir(), 'nested', '.parley');
    const dev = await loadOrCreateDevApp(dataDir);
    assert.equal(dev.created, true);
    assert.equal(dev.file, join(dataDir, 'dev-app.json'));
    const { appID, appSign, serverSecret } = dev.app;
    assert.ok(Number.isInteger(appID) && appID >= 1e9 && appID < 4e9, `appID ${appID}`);
    assert.equal(validateAppSign(appSign), 0);
    assert.equal(serverSecret.length, 32);
    assert.deepEqual(JSON.parse(await readFile(dev.file, 'utf8')), dev.app);
    if (process.platform !== 'win32') {
      assert.equal((await stat(dev.file)).mode & 0o777, 0o600);
      assert.equal((await stat(dataDir)).mode & 0o077, 0, 'the data directory is private too');
    }
  });

  it('is reused on later starts', async () => {
    const dataDir = await tempDir();
    const first = await loadOrCreateDevApp(dataDir);
    const second = await loadOrCreateDevApp(dataDir);
    assert.equal(second.created, false);
    assert.deepEqual(second.app, first.app);
    assert.deepEqual((await readDevApp(dataDir))?.app, first.app);
  });

  it('is different in every new data directory', async () => {
    const a = await loadOrCreateDevApp(await tempDir());
    const b = await loadOrCreateDevApp(await tempDir());
    assert.notEqual(a.app.appSign, b.app.appSign);
    assert.notEqual(a.app.serverSecret, b.app.serverSecret);
  });

  it('reads as null where none was created yet', async () => {
    assert.equal(await readDevApp(await tempDir()), null);
  });

  it('reports a corrupt file, naming it, and leaves it alone', async () => {
    const dataDir = await tempDir();
    const file = devAppFile(dataDir);
    await writeFile(file, '{"appID": 12');
    await assert.rejects(loadOrCreateDevApp(dataDir), (err: unknown) => {
      assert.ok(err instanceof CliError);
      assert.equal(err.exitCode, 2);
      assert.ok(err.message.startsWith(`${file}: not valid JSON`), err.message);
      assert.match(err.message, /delete it to create a new development app/);
      return true;
    });
    assert.equal(await readFile(file, 'utf8'), '{"appID": 12');
  });

  it('reports a file with an invalid field, naming the file and the field', async () => {
    const dataDir = await tempDir();
    const file = devAppFile(dataDir);
    await writeFile(file, JSON.stringify({ appID: 5, appSign: SIGN, serverSecret: 'short' }));
    await assert.rejects(loadOrCreateDevApp(dataDir), (err: unknown) => {
      assert.ok(err instanceof CliError);
      assert.ok(
        err.message.startsWith(`${file}: serverSecret must be exactly 32 characters (got 5)`),
        err.message,
      );
      return true;
    });
  });

  it('accepts a hand-written file with valid credentials', async () => {
    const dataDir = await tempDir();
    const app = { appID: 5, appSign: SIGN, serverSecret: SECRET };
    await writeFile(devAppFile(dataDir), JSON.stringify(app));
    assert.deepEqual(await loadOrCreateDevApp(dataDir), { app, file: devAppFile(dataDir), created: false });
  });
});
