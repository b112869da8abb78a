import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { CliError, loadConfigFile, main, resolveServeConfig } from '../src/index.js';
import { capture, SECRET, SIGN, tempDir, writeJson } from './support/cli.js';

const ENV_APP = { PARLEY_APP_ID: '777', PARLEY_APP_SIGN: SIGN, PARLEY_SERVER_SECRET: SECRET };

/** Resolves to the message of the CliError `promise` rejects with. */
async function configError(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof CliError, `expected a CliError, got ${String(err)}`);
    assert.equal(err.exitCode, 2);
    return err.message;
  }
  assert.fail('expected a configuration error');
}

describe('serve configuration', () => {
  it('defaults to 127.0.0.1:8080, the development app and ./.parley', async () => {
    const dir = await tempDir();
    const config = await resolveServeConfig({}, {}, dir);
    assert.deepEqual(config, {
      host: '127.0.0.1',
      port: 8080,
      apps: [],
      devApp: true,
      dataDir: join(dir, '.parley'),
      configFile: null,
      logLevel: 'info',
    });
  });

  it('takes flags over environment over config file', async () => {
    const dir = await tempDir();
    const file = await writeJson(dir, 'parley.json', {
      host: '0.0.0.0',
      port: 9000,
      logLevel: 'warn',
      reconnectGraceMs: 2500,
      heartbeatIntervalMs: 1000,
      drainTimeoutMs: 5000,
    });
    const env = { PARLEY_HOST: '::1', PARLEY_PORT: '9100', PARLEY_LOG_LEVEL: 'debug' };

    const fromFile = await resolveServeConfig({ config: file }, {}, dir);
    assert.equal(fromFile.host, '0.0.0.0');
    assert.equal(fromFile.port, 9000);
    assert.equal(fromFile.logLevel, 'warn');
    assert.equal(fromFile.reconnectGraceMs, 2500);
    assert.equal(fromFile.heartbeatIntervalMs, 1000);
    assert.equal(fromFile.drainTimeoutMs, 5000);
    assert.equal(fromFile.configFile, file);

    const fromEnv = await resolveServeConfig({ config: file }, env, dir);
    assert.deepEqual([fromEnv.host, fromEnv.port, fromEnv.logLevel], ['::1', 9100, 'debug']);

    const fromFlags = await resolveServeConfig(
      { config: file, host: 'localhost', port: 0, logLevel: 'error' },
      env,
      dir,
    );
    assert.deepEqual([fromFlags.host, fromFlags.port, fromFlags.logLevel], ['localhost', 0, 'error']);
  });

  it('finds the config file by --config or PARLEY_CONFIG, relative to the working directory', async () => {
    const dir = await tempDir();
    await writeJson(dir, 'a.json', { port: 1111 });
    await writeJson(dir, 'b.json', { port: 2222 });
    assert.equal((await resolveServeConfig({}, { PARLEY_CONFIG: 'a.json' }, dir)).port, 1111);
    assert.equal(
      (await resolveServeConfig({ config: 'b.json' }, { PARLEY_CONFIG: 'a.json' }, dir)).port,
      2222,
    );
  });

  it('resolves the data directory from --data-dir, then PARLEY_DATA_DIR, against the working directory', async () => {
    const dir = await tempDir();
    assert.equal(
      (await resolveServeConfig({}, { PARLEY_DATA_DIR: 'state' }, dir)).dataDir,
      join(dir, 'state'),
    );
    assert.equal(
      (await resolveServeConfig({ dataDir: '/abs/data' }, { PARLEY_DATA_DIR: 'state' }, dir)).dataDir,
      '/abs/data',
    );
  });

  it('serves the development app only when no app is configured, unless told otherwise', async () => {
    const dir = await tempDir();
    const app = { appID: 42, appSign: SIGN, serverSecret: SECRET };
    const withApps = await writeJson(dir, 'apps.json', { apps: [app] });
    const withAppsAndDev = await writeJson(dir, 'dev.json', { apps: [app], devApp: true });
    const empty = await writeJson(dir, 'empty.json', { apps: [] });

    const configured = await resolveServeConfig({ config: withApps }, {}, dir);
    assert.equal(configured.devApp, false);
    assert.deepEqual(configured.apps, [{ app, source: `${withApps} apps[0]` }]);
    assert.equal((await resolveServeConfig({ config: withAppsAndDev }, {}, dir)).devApp, true);
    assert.equal((await resolveServeConfig({ config: empty }, {}, dir)).devApp, true);
    assert.equal(
      (await resolveServeConfig({ config: withAppsAndDev, devApp: false }, {}, dir)).devApp,
      false,
    );
    assert.equal((await resolveServeConfig({ config: withApps, devApp: true }, {}, dir)).devApp, true);
    assert.equal((await resolveServeConfig({}, ENV_APP, dir)).devApp, false);
  });

  it('adds the app of PARLEY_APP_ID, PARLEY_APP_SIGN and PARLEY_SERVER_SECRET after the file apps', async () => {
    const dir = await tempDir();
    const file = await writeJson(dir, 'apps.json', {
      apps: [{ appID: 42, appSign: SIGN, serverSecret: SECRET }],
    });
    const config = await resolveServeConfig({ config: file }, ENV_APP, dir);
    assert.deepEqual(
      config.apps.map((a) => a.app.appID),
      [42, 777],
    );
    assert.deepEqual(config.apps[1], {
      app: { appID: 777, appSign: SIGN, serverSecret: SECRET },
      source: 'PARLEY_APP_ID',
    });
  });

  it('rejects an incomplete or invalid environment app, naming the variable', async () => {
    const dir = await tempDir();
    const missing = await configError(resolveServeConfig({}, { PARLEY_APP_ID: '777' }, dir));
    assert.match(missing, /PARLEY_APP_SIGN and PARLEY_SERVER_SECRET must be set/);
    const badId = await configError(resolveServeConfig({}, { ...ENV_APP, PARLEY_APP_ID: 'seven' }, dir));
    assert.match(badId, /^PARLEY_APP_ID must be an integer in 1\.\.4294967295/);
    const badSign = await configError(resolveServeConfig({}, { ...ENV_APP, PARLEY_APP_SIGN: 'xyz' }, dir));
    assert.match(badSign, /^PARLEY_APP_SIGN must be 64 hex characters \(got 3/);
    const badSecret = await configError(
      resolveServeConfig({}, { ...ENV_APP, PARLEY_SERVER_SECRET: 'abc' }, dir),
    );
    assert.match(badSecret, /^PARLEY_SERVER_SECRET must be exactly 32 characters \(got 3\)/);
    assert.match(
      await configError(resolveServeConfig({}, { PARLEY_PORT: 'http' }, dir)),
      /^PARLEY_PORT must be/,
    );
    assert.match(
      await configError(resolveServeConfig({}, { PARLEY_LOG_LEVEL: 'loud' }, dir)),
      /^PARLEY_LOG_LEVEL/,
    );
  });

  it('rejects invalid config files with messages that name the file and the field', async () => {
    const dir = await tempDir();
    const app = { appID: 42, appSign: SIGN, serverSecret: SECRET };
    const cases: Array<[string, unknown, RegExp]> = [
      ['json', '{"port": 80,', /: not valid JSON/],
      ['array', [app], /: must contain a JSON object/],
      ['unknown', { prot: 80 }, /: unknown key "prot" \(allowed: host, port, apps/],
      ['host', { host: '' }, /: host must be a non-empty string/],
      ['port', { port: 70000 }, /: port must be an integer in 0\.\.65535/],
      ['portStr', { port: '80' }, /: port must be an integer/],
      ['apps', { apps: app }, /: apps must be an array/],
      ['appObj', { apps: ['x'] }, /: apps\[0\] must be an object/],
      ['appKey', { apps: [{ ...app, appId: 1 }] }, /: apps\[0\] has an unknown key "appId"/],
      ['appIdMissing', { apps: [{ appSign: SIGN, serverSecret: SECRET }] }, /: apps\[0\]\.appID is missing/],
      [
        'appId0',
        { apps: [{ ...app, appID: 0 }] },
        /: apps\[0\]\.appID must be an integer in 1\.\.4294967295 \(got 0\)/,
      ],
      ['appIdBig', { apps: [{ ...app, appID: 4294967296 }] }, /: apps\[0\]\.appID must be an integer/],
      ['appIdFrac', { apps: [{ ...app, appID: 1.5 }] }, /: apps\[0\]\.appID must be an integer/],
      [
        'appIdStr',
        { apps: [{ ...app, appID: '42' }] },
        /: apps\[0\]\.appID must be an integer .*\(got "42"\)/,
      ],
      [
        'signLen',
        { apps: [app, { ...app, appID: 43, appSign: 'ab' }] },
        /: apps\[1\]\.appSign must be 64 hex/,
      ],
      [
        'signHex',
        { apps: [{ ...app, appSign: 'zz'.repeat(32) }] },
        /: apps\[0\]\.appSign must contain only hex/,
      ],
      [
        'secret',
        { apps: [{ ...app, serverSecret: SECRET.slice(1) }] },
        /serverSecret must be exactly 32 .*\(got 31\)/,
      ],
      [
        'secretAscii',
        { apps: [{ ...app, serverSecret: 'é'.repeat(32) }] },
        /serverSecret must contain only ASCII/,
      ],
      ['dup', { apps: [app, app] }, /appID 42 is defined twice: in .*apps\[0\] and in .*apps\[1\]/],
      ['devApp', { devApp: 'yes' }, /: devApp must be true or false/],
      ['grace', { reconnectGraceMs: -1 }, /: reconnectGraceMs must be an integer/],
      ['heartbeat', { heartbeatIntervalMs: 0 }, /: heartbeatIntervalMs must be an integer/],
      [
        'drain',
        { drainTimeoutMs: 1.5 },
        /: drainTimeoutMs must be an integer number of milliseconds in 0\.\.2147483647/,
      ],
      ['drainMax', { drainTimeoutMs: 2 ** 31 }, /: drainTimeoutMs must be an integer/],
      ['level', { logLevel: 'loud' }, /: logLevel must be one of debug, info, warn, error, silent/],
    ];
    for (const [name, content, expected] of cases) {
      const file = await writeJson(dir, `${name}.json`, content);
      const message = await configError(resolveServeConfig({ config: file }, {}, dir));
      assert.ok(message.includes(file), `${name}: "${message}" does not name ${file}`);
      assert.match(message, expected, name);
    }
  });

  it('rejects a missing config file, saying where its name came from', async () => {
    const dir = await tempDir();
    const missing = join(dir, 'missing.json');
    assert.match(
      await configError(loadConfigFile(missing, '--config')),
      /missing\.json \(from --config\) does not exist/,
    );
    const fromEnv = await configError(resolveServeConfig({}, { PARLEY_CONFIG: missing }, dir));
    assert.match(fromEnv, /\(from PARLEY_CONFIG\)/);
  });

  it('rejects an AppID defined both in the file and in the environment', async () => {
    const dir = await tempDir();
    const file = await writeJson(dir, 'apps.json', {
      apps: [{ appID: 777, appSign: SIGN, serverSecret: SECRET }],
    });
    const message = await configError(resolveServeConfig({ config: file }, ENV_APP, dir));
    assert.match(message, /appID 777 is defined twice: in .*apps\.json apps\[0\] and in PARLEY_APP_ID/);
  });

  it('makes `parley serve` exit with 2 and a message on stderr for configuration errors', async () => {
    const dir = await tempDir();
    const file = await writeJson(dir, 'bad.json', { port: 'eighty' });
    const c = capture({ cwd: dir });
    assert.equal(await main(['serve', '--config', 'bad.json'], c.io), 2);
    assert.equal(c.err(), `error: ${file}: port must be an integer in 0..65535\n`);
    assert.equal(c.out(), '');

    const none = capture({ cwd: dir });
    assert.equal(await main(['serve', '--no-dev-app', '--data-dir', dir], none.io), 2);
    assert.match(none.err(), /^error: no app to serve/);

    const flag = capture({ cwd: dir });
    assert.equal(await main(['serve', '--port', '80x'], flag.io), 2);
    assert.match(
      flag.err(),
      /^error: --port must be an integer in 0\.\.65535 \(got "80x"\)\n\nUsage: parley serve/,
    );
  });
});
