import assert from 'node:assert/strict';
import { chmod, writeFile } from 'node:fs/promises';
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
  it('defaults to 127.0.0.1:8080, the development app, ./.parley and the server defaults', async () => {
    const dir = await tempDir();
    const config = await resolveServeConfig([], {}, dir);
    assert.equal(config.server.host, '127.0.0.1');
    assert.equal(config.server.port, 8080);
    assert.equal(config.server.logLevel, 'info');
    assert.deepEqual(config.server.apps, []);
    assert.equal(config.server.rooms.reconnectGraceMs, 10_000);
    assert.equal(config.server.signaling.heartbeatTimeoutMs, 15_000, 'three heartbeat intervals');
    assert.equal(config.server.media.announcedAddresses, undefined, 'chosen at start from the host');
    assert.deepEqual(config.server.turn, { urls: [], ttlSeconds: 86_400 });
    assert.deepEqual(config.apps, []);
    assert.equal(config.devApp, true);
    assert.equal(config.dataDir, join(dir, '.parley'));
    assert.equal(config.configFile, null);
  });

  it('takes flags over environment over config file, key by key inside the groups', async () => {
    const dir = await tempDir();
    const file = await writeJson(dir, 'parley.json', {
      host: '0.0.0.0',
      port: 9000,
      logLevel: 'warn',
      rooms: { reconnectGraceMs: 2500 },
      signaling: { heartbeatIntervalMs: 1000 },
      media: { portRange: '40000-40999', stunPort: 3478, announcedAddresses: ['10.0.0.1'] },
      drainTimeoutMs: 5000,
    });
    const env = {
      PARLEY_HOST: '::1',
      PARLEY_PORT: '9100',
      PARLEY_LOG_LEVEL: 'debug',
      PARLEY_MEDIA_PORT_RANGE: '41000-41999',
      PARLEY_MEDIA_ANNOUNCED_ADDRESSES: '10.0.0.2, 10.0.0.3',
    };

    const fromFile = await resolveServeConfig(['--config', file], {}, dir);
    const s = fromFile.server;
    assert.deepEqual([s.host, s.port, s.logLevel], ['0.0.0.0', 9000, 'warn']);
    assert.equal(s.rooms.reconnectGraceMs, 2500);
    assert.equal(s.signaling.heartbeatIntervalMs, 1000);
    assert.equal(s.signaling.heartbeatTimeoutMs, 3000);
    assert.deepEqual(s.media.portRange, [40000, 40999]);
    assert.equal(s.drainTimeoutMs, 5000);
    assert.equal(fromFile.configFile, file);

    const fromEnv = (await resolveServeConfig(['--config', file], env, dir)).server;
    assert.deepEqual([fromEnv.host, fromEnv.port, fromEnv.logLevel], ['::1', 9100, 'debug']);
    assert.deepEqual(fromEnv.media.portRange, [41000, 41999]);
    assert.deepEqual(fromEnv.media.announcedAddresses, ['10.0.0.2', '10.0.0.3']);
    assert.equal(fromEnv.media.stunPort, 3478, 'the rest of the group still comes from the file');

    const args = ['--config', file, '--host', 'localhost', '-p', '0', '--log-level', 'error'];
    args.push('--port-range', '42000-42000', '--announce', '10.0.0.4', '--announce', '10.0.0.5,10.0.0.6');
    const fromFlags = await resolveServeConfig(args, env, dir);
    const f = fromFlags.server;
    assert.deepEqual([f.host, f.port, f.logLevel], ['localhost', 0, 'error']);
    assert.deepEqual(f.media.portRange, [42000, 42000]);
    assert.deepEqual(f.media.announcedAddresses, ['10.0.0.4', '10.0.0.5', '10.0.0.6']);
    assert.equal(f.rooms.reconnectGraceMs, 2500);
    assert.deepEqual(fromFlags.origins.get('media.portRange'), {
      kind: 'flag',
      name: '--port-range',
      text: '42000-42000',
      secret: false,
    });
  });

  it('maps every setting onto PARLEY_ and its key in capitals', async () => {
    const dir = await tempDir();
    const env = {
      PARLEY_SIGNALING_HEARTBEAT_INTERVAL_MS: '2000',
      PARLEY_SIGNALING_MAX_FRAME_BYTES: '4096',
      PARLEY_ROOMS_OUTBOX_CAPACITY: '100',
      PARLEY_ROOMS_TOKEN_WARNING_SECONDS: '60',
      PARLEY_MEDIA_BIND_ADDRESS: '0.0.0.0',
      PARLEY_MEDIA_STUN_PORT: '3479',
      PARLEY_MEDIA_MAX_TRANSPORTS: '20',
      PARLEY_MEDIA_RETRANSMISSION_BUFFER_SIZE: '2048',
      PARLEY_TURN_URLS: 'turn:turn.example.org:3478?transport=udp,turns:turn.example.org:5349',
      PARLEY_TURN_SECRET: 's3cret',
      PARLEY_TURN_TTL_SECONDS: '3600',
      PARLEY_DEV_APP: 'false',
    };
    const { server, devApp } = await resolveServeConfig([], env, dir);
    assert.equal(server.signaling.heartbeatIntervalMs, 2000);
    assert.equal(server.signaling.maxFrameBytes, 4096);
    assert.equal(server.rooms.outboxCapacity, 100);
    assert.equal(server.rooms.tokenWarningSeconds, 60);
    assert.equal(server.media.bindAddress, '0.0.0.0');
    assert.equal(server.media.stunPort, 3479);
    assert.equal(server.media.maxTransports, 20);
    assert.equal(server.media.retransmissionBufferSize, 2048);
    assert.deepEqual(server.turn, {
      urls: ['turn:turn.example.org:3478?transport=udp', 'turns:turn.example.org:5349'],
      secret: 's3cret',
      ttlSeconds: 3600,
    });
    assert.equal(devApp, false);
  });

  it('takes relative certificate paths from the working directory, or from the config file’s directory', async () => {
    const dir = await tempDir();
    const file = await writeJson(dir, 'parley.json', { tls: { cert: 'tls/cert.pem', key: 'tls/key.pem' } });
    const elsewhere = await tempDir();
    const missingFromFile = await configError(resolveServeConfig(['--config', file], {}, elsewhere));
    assert.match(
      missingFromFile,
      new RegExp(`tls\\.cert names ${join(dir, 'tls/cert.pem')}, which does not exist`),
    );
    const fromFlags = await configError(
      resolveServeConfig(['--tls-cert', 'c.pem', '--tls-key', 'k.pem'], {}, dir),
    );
    assert.equal(fromFlags, `--tls-cert names ${join(dir, 'c.pem')}, which does not exist`);
  });

  it('finds the config file by --config or PARLEY_CONFIG, relative to the working directory', async () => {
    const dir = await tempDir();
    await writeJson(dir, 'a.json', { port: 1111 });
    await writeJson(dir, 'b.json', { port: 2222 });
    assert.equal((await resolveServeConfig([], { PARLEY_CONFIG: 'a.json' }, dir)).server.port, 1111);
    const both = await resolveServeConfig(['-c', 'b.json'], { PARLEY_CONFIG: 'a.json' }, dir);
    assert.equal(both.server.port, 2222);
  });

  it('resolves the data directory from --data-dir, then PARLEY_DATA_DIR, against the working directory', async () => {
    const dir = await tempDir();
    assert.equal(
      (await resolveServeConfig([], { PARLEY_DATA_DIR: 'state' }, dir)).dataDir,
      join(dir, 'state'),
    );
    const flag = await resolveServeConfig(['--data-dir', '/abs/data'], { PARLEY_DATA_DIR: 'state' }, dir);
    assert.equal(flag.dataDir, '/abs/data');
  });

  it('serves the development app only when no app is configured, unless told otherwise', async () => {
    const dir = await tempDir();
    const app = { appID: 42, appSign: SIGN, serverSecret: SECRET };
    const withApps = await writeJson(dir, 'apps.json', { apps: [app] });
    const withAppsAndDev = await writeJson(dir, 'dev.json', { apps: [app], devApp: true });
    const empty = await writeJson(dir, 'empty.json', { apps: [] });

    const configured = await resolveServeConfig(['--config', withApps], {}, dir);
    assert.equal(configured.devApp, false);
    assert.deepEqual(configured.apps, [{ app, source: `${withApps} apps[0]` }]);
    assert.deepEqual(configured.server.apps, [app]);
    assert.equal((await resolveServeConfig(['--config', withAppsAndDev], {}, dir)).devApp, true);
    assert.equal((await resolveServeConfig(['--config', empty], {}, dir)).devApp, true);
    const off = await resolveServeConfig(['--config', withAppsAndDev, '--no-dev-app'], {}, dir);
    assert.equal(off.devApp, false);
    assert.equal((await resolveServeConfig(['--config', withApps, '--dev-app'], {}, dir)).devApp, true);
    assert.equal((await resolveServeConfig([], ENV_APP, dir)).devApp, false);
  });

  it('adds the app of PARLEY_APP_ID, PARLEY_APP_SIGN and PARLEY_SERVER_SECRET after the file apps', async () => {
    const dir = await tempDir();
    const file = await writeJson(dir, 'apps.json', {
      apps: [{ appID: 42, appSign: SIGN, serverSecret: SECRET }],
    });
    const config = await resolveServeConfig(['--config', file], ENV_APP, dir);
    assert.deepEqual(
      config.apps.map((a) => a.app.appID),
      [42, 777],
    );
    assert.deepEqual(config.apps[1], {
      app: { appID: 777, appSign: SIGN, serverSecret: SECRET },
      source: 'PARLEY_APP_ID',
    });
  });

  it('gives the app of the environment server callbacks from PARLEY_CALLBACK_URL and PARLEY_CALLBACK_SECRET', async () => {
    const dir = await tempDir();
    const env = {
      ...ENV_APP,
      PARLEY_CALLBACK_URL: 'http://127.0.0.1:9/cb',
      PARLEY_CALLBACK_SECRET: 'shh',
    };
    const config = await resolveServeConfig([], env, dir);
    assert.deepEqual(config.apps[0]?.app, {
      appID: 777,
      appSign: SIGN,
      serverSecret: SECRET,
      callbackUrl: 'http://127.0.0.1:9/cb',
      callbackSecret: 'shh',
    });
  });

  it('rejects an incomplete or invalid environment, naming the variable', async () => {
    const dir = await tempDir();
    const cases: Array<[Record<string, string>, RegExp]> = [
      [{ PARLEY_APP_ID: '777' }, /PARLEY_APP_SIGN and PARLEY_SERVER_SECRET must be set/],
      [{ ...ENV_APP, PARLEY_CALLBACK_URL: 'ftp://127.0.0.1/cb' }, /^PARLEY_CALLBACK_URL must be an http/],
      [{ ...ENV_APP, PARLEY_CALLBACK_URL: 'http://127.0.0.1/cb' }, /^PARLEY_CALLBACK_SECRET must be set too/],
      [
        { PARLEY_CALLBACK_URL: 'http://127.0.0.1/cb' },
        /^PARLEY_CALLBACK_URL and PARLEY_CALLBACK_SECRET need the app/,
      ],
      [{ ...ENV_APP, PARLEY_APP_ID: 'seven' }, /^PARLEY_APP_ID must be an integer in 1\.\.4294967295/],
      [{ ...ENV_APP, PARLEY_APP_SIGN: 'xyz' }, /^PARLEY_APP_SIGN must be 64 hex characters \(got 3/],
      [
        { ...ENV_APP, PARLEY_SERVER_SECRET: 'abc' },
        /^PARLEY_SERVER_SECRET must be exactly 32 characters \(got 3\)/,
      ],
      [{ PARLEY_PORT: 'http' }, /^PARLEY_PORT must be an integer in 0\.\.65535 \(got "http"\)$/],
      [{ PARLEY_LOG_LEVEL: 'loud' }, /^PARLEY_LOG_LEVEL must be one of debug, info, warn, error, silent/],
      [
        { PARLEY_MEDIA_PORT_RANGE: '50999-50000' },
        /^PARLEY_MEDIA_PORT_RANGE must be "A-B" .*50999-50000 is reversed/,
      ],
      [{ PARLEY_MEDIA_PORT_RANGE: '80-90' }, /^PARLEY_MEDIA_PORT_RANGE must be "A-B" with 1024 ≤ A/],
      [
        { PARLEY_MEDIA_ANNOUNCED_ADDRESSES: '10.0.0.1,example.com' },
        /^PARLEY_MEDIA_ANNOUNCED_ADDRESSES must be an IP/,
      ],
      [
        { PARLEY_MEDIA_BIND_ADDRESS: '::' },
        /^PARLEY_MEDIA_BIND_ADDRESS must be an IPv4 address \(got "::"\)/,
      ],
      [{ PARLEY_TURN_URLS: 'stun:x.org' }, /^PARLEY_TURN_URLS must be a turn: or turns: URL/],
      [
        { PARLEY_TURN_URLS: 'turn:x.org' },
        /^turn\.secret is required with turn\.urls.* \(set by PARLEY_TURN_URLS\)$/,
      ],
      [
        { PARLEY_TURN_SECRET: ' ', PARLEY_TURN_TTL_SECONDS: '5' },
        /^PARLEY_TURN_TTL_SECONDS must be an integer/,
      ],
      [
        { PARLEY_TLS_KEY: '/k.pem' },
        /^tls\.cert must be set too: tls\.key and tls\.cert go together \(set by PARLEY_TLS_KEY\)/,
      ],
    ];
    for (const [env, expected] of cases) {
      assert.match(await configError(resolveServeConfig([], env, dir)), expected, JSON.stringify(env));
    }
  });

  it('never repeats a secret in a message', async () => {
    const dir = await tempDir();
    const message = await configError(
      resolveServeConfig(['--turn-secret', ' '], { PARLEY_TURN_URLS: 'turn:x.org' }, dir),
    );
    assert.match(message, /turn\.secret is required/, 'a blank secret counts as none');
    const file = await writeJson(dir, 'secret.json', { turn: { secret: 42 } });
    const fromFile = await configError(resolveServeConfig(['--config', file], {}, dir));
    assert.equal(fromFile, `${file}: turn.secret must be a non-empty string`);
  });

  it('rejects invalid config files with messages that name the file and the field', async () => {
    const dir = await tempDir();
    const app = { appID: 42, appSign: SIGN, serverSecret: SECRET };
    const cases: Array<[string, unknown, RegExp]> = [
      ['json', '{"port": 80,', /: not valid JSON/],
      ['array', [app], /: must contain a JSON object/],
      [
        'unknown',
        { prot: 80 },
        /: unknown key "prot" \(allowed: host, port, apps, logLevel, drainTimeoutMs, signaling/,
      ],
      ['oldKey', { reconnectGraceMs: 1 }, /: unknown key "reconnectGraceMs"/],
      [
        'nested',
        { media: { portrange: '1-2' } },
        /: media has an unknown key "portrange" \(allowed: announced/,
      ],
      ['group', { media: 5 }, /: media must be/],
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
      ['grace', { rooms: { reconnectGraceMs: -1 } }, /: rooms\.reconnectGraceMs must be an integer/],
      ['heartbeat', { signaling: { heartbeatIntervalMs: 0 } }, /: signaling\.heartbeatIntervalMs must be/],
      ['drain', { drainTimeoutMs: 1.5 }, /: drainTimeoutMs must be an integer number of milliseconds/],
      ['level', { logLevel: 'loud' }, /: logLevel must be one of debug, info, warn, error, silent/],
      [
        'ip',
        { media: { announcedAddresses: ['1.2.3.4', '1.2.3'] } },
        /announcedAddresses\[1\] must be an IP/,
      ],
      ['range', { media: { portRange: '50000-49999' } }, /: media\.portRange must be .*is reversed/],
      ['turn', { turn: { urls: ['turn:a.org'] } }, /: turn\.secret is required with turn\.urls/],
      ['tls', { tls: { cert: 'c.pem' } }, /: tls\.key must be set too/],
      [
        'rtx',
        { media: { retransmissionBufferSize: 1000 } },
        /retransmissionBufferSize must be a power of two/,
      ],
    ];
    for (const [name, content, expected] of cases) {
      const file = await writeJson(dir, `${name}.json`, content);
      const message = await configError(resolveServeConfig(['--config', file], {}, dir));
      assert.ok(message.includes(file), `${name}: "${message}" does not name ${file}`);
      assert.match(message, expected, name);
    }
  });

  it('lists every problem of a file, one a line', async () => {
    const dir = await tempDir();
    const file = await writeJson(dir, 'two.json', { port: -1, media: { stunPort: 'x' } });
    const message = await configError(resolveServeConfig(['--config', file], {}, dir));
    assert.deepEqual(message.split('\n'), [
      `${file}: port must be an integer in 0..65535`,
      `${file}: media.stunPort must be an integer in 0..65535`,
    ]);
  });

  it('rejects a missing or unreadable config file or certificate, saying where its name came from', async () => {
    const dir = await tempDir();
    const missing = join(dir, 'missing.json');
    assert.match(
      await configError(loadConfigFile(missing, '--config')),
      /missing\.json \(from --config\) does not exist/,
    );
    const fromEnv = await configError(resolveServeConfig([], { PARLEY_CONFIG: missing }, dir));
    assert.match(fromEnv, /\(from PARLEY_CONFIG\)/);

    const notPem = join(dir, 'not.pem');
    await writeFile(notPem, 'not a certificate');
    const unusable = await configError(
      resolveServeConfig(['--tls-cert', notPem, '--tls-key', notPem], {}, dir),
    );
    assert.match(
      unusable,
      /^--tls-cert names .*not\.pem, which is not a certificate for the key in .*not\.pem/,
    );
    // root reads any file: an unreadable one can only be made for other users.
    if (process.getuid?.() !== 0) {
      await chmod(notPem, 0);
      const message = await configError(
        resolveServeConfig([], { PARLEY_TLS_CERT: notPem, PARLEY_TLS_KEY: notPem }, dir),
      );
      assert.match(message, /^PARLEY_TLS_CERT names .*not\.pem, which cannot be read/);
    }
  });

  it('rejects an AppID defined both in the file and in the environment', async () => {
    const dir = await tempDir();
    const file = await writeJson(dir, 'apps.json', {
      apps: [{ appID: 777, appSign: SIGN, serverSecret: SECRET }],
    });
    const message = await configError(resolveServeConfig(['--config', file], ENV_APP, dir));
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

    const flags: Array<[string[], RegExp]> = [
      [
        ['--port', '80x'],
        /^error: --port must be an integer in 0\.\.65535 \(got "80x"\)\n\nUsage: parley serve/,
      ],
      [
        ['--announce', '10.0.0.1', '--announce', 'x'],
        /^error: --announce must be an IP address \(got "x"\)\n/,
      ],
      [['--port-range', '60000-50000'], /^error: --port-range must be "A-B" .*60000-50000 is reversed\n/],
      [['--media-bind', 'eth0'], /^error: --media-bind must be an IPv4 address \(got "eth0"\)\n/],
      [['--turn-url', 'http://turn.org'], /^error: --turn-url must be a turn: or turns: URL/],
      [['--port'], /^error: option '-p, --port <n>' argument missing\n\nUsage: parley serve/],
      [['extra'], /^error: unexpected argument: parley serve takes options only\n/],
    ];
    for (const [args, expected] of flags) {
      const flag = capture({ cwd: dir });
      assert.equal(await main(['serve', ...args], flag.io), 2, args.join(' '));
      assert.match(flag.err(), expected, args.join(' '));
    }
  });
});
