/**
 * The settings schema: defaults, the checks of every kind of value, unknown keys, the checks across keys, the
 * flat list of settings the CLI and the documentation are made from, and the media addresses chosen from the
 * host and the interfaces.
 */
import assert from 'node:assert/strict';
import type { NetworkInterfaceInfo } from 'node:os';
import { describe, it } from 'node:test';
import {
  ConfigError,
  describeProblem,
  mediaAddresses,
  partialSchema,
  resolveServerConfig,
  serverConfigSchema,
  settingsOf,
} from '../src/config/index.js';
import { createLogger, startServer } from '../src/index.js';
import { APP, OTHER_APP } from './support/harness.js';

/** The problems of `input`, as `key reason` lines. */
function problems(input: unknown): string[] {
  try {
    resolveServerConfig(input);
  } catch (err) {
    assert.ok(err instanceof ConfigError && err instanceof TypeError, String(err));
    return err.problems.map(describeProblem);
  }
  assert.fail('expected a ConfigError');
}

describe('the settings schema', () => {
  it('fills every default, the heartbeat timeout from the interval', () => {
    const config = resolveServerConfig({ apps: [APP] });
    assert.deepEqual(config, {
      host: '127.0.0.1',
      port: 0,
      apps: [APP],
      logLevel: 'info',
      drainTimeoutMs: 30_000,
      signaling: {
        heartbeatIntervalMs: 5000,
        heartbeatTimeoutMs: 15_000,
        loginTimeoutMs: 30_000,
        maxFrameBytes: 65_536,
        framesPerSecond: 100,
      },
      rooms: {
        reconnectGraceMs: 10_000,
        onlineCountIntervalMs: 30_000,
        roomMessagesPerSecond: 50,
        userMessagesPerSecond: 10,
        maxStreamsPerSession: 10,
        outboxCapacity: 4096,
        tokenWarningSeconds: 30,
      },
      media: {
        stunPort: 0,
        maxTransports: 500,
        maxPlayersPerStream: 100,
        keyframeRequestIntervalMs: 500,
        retransmissionBufferSize: 1024,
        connectTimeoutMs: 20_000,
        inactivityTimeoutMs: 15_000,
      },
      tls: {},
      turn: { urls: [], ttlSeconds: 86_400 },
      limits: {
        socketsPerAddress: 500,
        preLoginSocketsPerAddress: 100,
        framesPerSecondPerAddress: 1000,
        loginsPerSecondPerAddress: 50,
        loginFailuresBeforeBackoff: 10,
        loginBackoffMs: 1000,
        loginBackoffMaxMs: 60_000,
        loginFailureMemoryMs: 600_000,
        maxTrackedAddresses: 100_000,
        trustedProxies: [],
      },
      http: { headersTimeoutMs: 10_000, requestTimeoutMs: 30_000, keepAliveTimeoutMs: 5000 },
      cluster: { heartbeatMs: 1000, nodeTimeoutMs: 5000, pipeLingerMs: 10_000 },
      callbacks: { retryDelaysMs: [2000, 4000, 8000, 16_000, 32_000], timeoutMs: 5000, queueLimit: 10_000 },
    });
    const slow = resolveServerConfig({ apps: [], signaling: { heartbeatIntervalMs: 1000 } });
    assert.equal(slow.signaling.heartbeatTimeoutMs, 3000);
    // A resolved configuration is valid input and resolves to itself.
    assert.deepEqual(resolveServerConfig(config), config);
  });

  it('reads a port range as "A-B" or [A, B], with 1024 ≤ A ≤ B ≤ 65535', () => {
    const range = (portRange: unknown) =>
      resolveServerConfig({ apps: [], media: { portRange } }).media.portRange;
    assert.deepEqual(range('50000-50999'), [50000, 50999]);
    assert.deepEqual(range(' 50000 - 50000 '), [50000, 50000]);
    assert.deepEqual(range([1024, 65535]), [1024, 65535]);
    const reason = 'media.portRange must be "A-B" with 1024 ≤ A ≤ B ≤ 65535';
    assert.deepEqual(problems({ apps: [], media: { portRange: '50999-50000' } }), [
      `${reason}: 50999-50000 is reversed`,
    ]);
    assert.deepEqual(problems({ apps: [], media: { portRange: '80-90' } }), [`${reason} (got 80-90)`]);
    assert.deepEqual(problems({ apps: [], media: { portRange: '50000-70000' } }), [
      `${reason} (got 50000-70000)`,
    ]);
    assert.deepEqual(problems({ apps: [], media: { portRange: '50000:50999' } }), [
      `${reason} (got "50000:50999")`,
    ]);
    assert.deepEqual(problems({ apps: [], media: { portRange: 50000 } }), [reason]);
  });

  it('takes one media port, or a port range, not both', () => {
    assert.equal(resolveServerConfig({ apps: [], media: { udpPort: 50000 } }).media.udpPort, 50000);
    assert.equal(resolveServerConfig({ apps: [] }).media.udpPort, undefined, 'unset: a free port');
    assert.deepEqual(problems({ apps: [], media: { udpPort: 50000, portRange: '50001-50999' } }), [
      'media.udpPort excludes media.portRange: one port for every transport, or a socket per transport',
    ]);
  });

  it('checks addresses, URLs and numbers, naming each key', () => {
    assert.deepEqual(
      problems({
        apps: [],
        port: 65536,
        media: { announcedAddresses: ['192.0.2.1', 'host.example', '192.0.2.1'], bindAddress: '::' },
        signaling: { heartbeatIntervalMs: 0 },
        rooms: { reconnectGraceMs: 1.5 },
        turn: { urls: ['turn:ok.example:3478', 'stun:bad.example'], secret: 's', ttlSeconds: 10 },
      }),
      [
        'port must be an integer in 0..65535',
        'signaling.heartbeatIntervalMs must be an integer number of milliseconds ≥ 1',
        'rooms.reconnectGraceMs must be an integer number of milliseconds ≥ 0',
        'media.announcedAddresses[1] must be an IP address (got "host.example")',
        'media.announcedAddresses must not list an address twice',
        'media.bindAddress must be an IPv4 address (got "::")',
        'turn.urls[1] must be a turn: or turns: URL such as turn:turn.example.org:3478?transport=udp (got "stun:bad.example")',
        'turn.ttlSeconds must be an integer in 60..604800',
      ],
    );
    // '@' starts the owner of the streams the server API adds, which no node may be.
    assert.deepEqual(problems({ apps: [], cluster: { nodeID: '@server' } }), [
      "cluster.nodeID must not start with '@' (reserved for the server API's streams)",
    ]);
    assert.deepEqual(problems({ apps: [], media: { announcedAddresses: [] } }), [
      'media.announcedAddresses must list at least one IP address',
    ]);
    const ipv6 = resolveServerConfig({ apps: [], media: { announcedAddresses: ['2001:db8::1'] } });
    assert.deepEqual(ipv6.media.announcedAddresses, ['2001:db8::1']);
    const turn = resolveServerConfig({
      apps: [],
      turn: { urls: ['turn:192.0.2.7?transport=tcp', 'turns:[2001:db8::7]:5349'], secret: 'x' },
    });
    assert.equal(turn.turn.urls.length, 2);
  });

  it('rejects unknown keys at every level, listing the allowed ones', () => {
    assert.deepEqual(problems({ apps: [{ ...APP, appId: 1 }], prot: 1, media: { ice: {} } }), [
      'apps[0] has an unknown key "appId" (allowed: appID, appSign, serverSecret, callbackUrl, callbackSecret)',
      'media has an unknown key "ice" (allowed: announcedAddresses, bindAddress, udpPort, portRange, stunPort, ' +
        'maxTransports, maxPlayersPerStream, keyframeRequestIntervalMs, retransmissionBufferSize, ' +
        'connectTimeoutMs, inactivityTimeoutMs)',
      'unknown key "prot" (allowed: host, port, apps, devAppID, logLevel, drainTimeoutMs, signaling, rooms, media, ' +
        'tls, turn, limits, http, cluster, callbacks)',
    ]);
    assert.deepEqual(problems({ apps: [], media: 5 }), ['media must be an object of settings']);
  });

  it('checks what goes together: TLS files, TURN URLs and secret, the development app, unique AppIDs', () => {
    assert.deepEqual(problems({ apps: [APP, OTHER_APP, APP], devAppID: 5, tls: { key: 'k.pem' } }), [
      'apps[2].appID repeats 1234567, the AppID of apps[0]',
      'devAppID must be the AppID of one of the apps (got 5)',
      'tls.cert must be set too: tls.key and tls.cert go together',
    ]);
    assert.deepEqual(problems({ apps: [], turn: { urls: ['turn:turn.example'] } }), [
      'turn.secret is required with turn.urls: clients get credentials made from it',
    ]);
    assert.deepEqual(problems({ apps: [{ ...APP, appSign: 'x' }] }), [
      'apps[0].appSign must be 64 hex characters (got 1 characters)',
    ]);
    assert.deepEqual(problems({}), ['apps is missing']);
  });

  it('lists every setting with its kind, default and description, for the CLI and the documentation', () => {
    const settings = settingsOf(serverConfigSchema);
    const paths = settings.map((s) => s.path);
    assert.equal(new Set(paths).size, paths.length);
    for (const required of [
      'media.announcedAddresses',
      'media.bindAddress',
      'media.portRange',
      'tls.cert',
      'tls.key',
      'turn.urls',
      'turn.secret',
      'turn.ttlSeconds',
    ]) {
      assert.ok(paths.includes(required), required);
    }
    for (const s of settings) {
      assert.ok(s.description.length > 10, `${s.path} has a description`);
      assert.ok(s.type.length > 0, `${s.path} has a type`);
    }
    const byPath = new Map(settings.map((s) => [s.path, s]));
    assert.deepEqual(
      ['port', 'media.announcedAddresses', 'media.portRange', 'turn.urls', 'logLevel', 'apps'].map(
        (p) => byPath.get(p)!.kind,
      ),
      ['number', 'list', 'string', 'list', 'string', 'other'],
    );
    assert.equal(byPath.get('rooms.outboxCapacity')!.defaultValue, 4096);
    assert.equal(byPath.get('tls.cert')!.file, true);
  });

  it('checks one source alone without defaults, still rejecting unknown keys', () => {
    const partial = partialSchema(serverConfigSchema);
    assert.deepEqual(partial.parse({ media: { stunPort: 3478 } }), { media: { stunPort: 3478 } });
    assert.equal(partial.safeParse({ media: { stunPort: 3478, extra: 1 } }).success, false);
    assert.equal(partial.safeParse({ tls: { cert: 'c.pem' } }).success, true, 'pairs are checked later');
  });

  it('makes startServer reject bad options with a TypeError before it starts anything', async () => {
    await assert.rejects(
      startServer({ apps: [{ ...APP, appID: 0 }], logger: createLogger({ level: 'silent' }) }),
      (err: unknown) =>
        err instanceof ConfigError &&
        err instanceof TypeError &&
        err.message === 'apps[0].appID must be an integer in 1..4294967295 (got 0)',
    );
  });
});

describe('media addresses', () => {
  const nic = (address: string, family: 'IPv4' | 'IPv6', internal = false) =>
    ({ address, family, internal, netmask: '', mac: '', cidr: null }) as NetworkInterfaceInfo;
  const interfaces = {
    lo: [nic('127.0.0.1', 'IPv4', true), nic('::1', 'IPv6', true)],
    eth0: [nic('fe80::1', 'IPv6'), nic('2001:db8::5', 'IPv6'), nic('192.168.1.20', 'IPv4')],
    wlan0: [nic('10.0.0.7', 'IPv4')],
  };

  it('announces loopback for a loopback host, and binds the sockets to it', () => {
    for (const host of ['127.0.0.1', '127.1.2.3', 'localhost', '::1']) {
      assert.deepEqual(mediaAddresses(host, {}, interfaces), {
        announced: ['127.0.0.1'],
        origin: 'loopback',
        bindAddress: '127.0.0.1',
        stun: { announcedAddress: '127.0.0.1', bindAddress: '127.0.0.1' },
      });
    }
  });

  it('announces every non-loopback interface address (IPv4 first, no link-local) for any other host', () => {
    for (const host of ['0.0.0.0', '::', '192.168.1.20', 'parley.example']) {
      assert.deepEqual(mediaAddresses(host, {}, interfaces), {
        announced: ['192.168.1.20', '10.0.0.7', '2001:db8::5'],
        origin: 'interfaces',
        bindAddress: null,
        stun: { announcedAddress: '192.168.1.20', bindAddress: '0.0.0.0' },
      });
    }
    const alone = mediaAddresses('0.0.0.0', {}, { lo: interfaces.lo });
    assert.deepEqual(alone.announced, ['127.0.0.1']);
    assert.equal(alone.origin, 'loopback');
  });

  it('takes the configured addresses as they are, binding every interface unless all are loopback', () => {
    assert.deepEqual(mediaAddresses('0.0.0.0', { announcedAddresses: ['203.0.113.9'] }, interfaces), {
      announced: ['203.0.113.9'],
      origin: 'configured',
      bindAddress: null,
      stun: { announcedAddress: '203.0.113.9', bindAddress: '0.0.0.0' },
    });
    const v6 = mediaAddresses('::', { announcedAddresses: ['2001:db8::5'] }, interfaces);
    assert.deepEqual(v6.stun, { announcedAddress: '2001:db8::5', bindAddress: '::' });
    const both = { announcedAddresses: ['203.0.113.9'], bindAddress: '10.0.0.7' };
    assert.equal(mediaAddresses('127.0.0.1', both, interfaces).bindAddress, '10.0.0.7');
    assert.equal(
      mediaAddresses('0.0.0.0', { announcedAddresses: ['127.0.0.1'] }, interfaces).bindAddress,
      '127.0.0.1',
    );
  });
});
