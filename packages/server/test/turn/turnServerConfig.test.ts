/**
 * The turnserver.conf text `parley turn-config` prints. That coturn accepts it and behaves as it says (REST API
 * secret, TLS, relaying only to the media addresses) is shown by test/netlab/turn.test.ts, which runs coturn
 * with it; this file checks the text and the refusals of bad options.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type TurnServerConfigOptions, turnServerConfig } from '../../src/index.js';

const BASE: TurnServerConfigOptions = {
  secret: 'c2VjcmV0LXNlY3JldA',
  realm: 'rtc.example.org',
  peerIps: ['192.0.2.10'],
};

/** The configuration's settings, without comments and blank lines. */
const settings = (text: string) => text.split('\n').filter((line) => line !== '' && !line.startsWith('#'));

describe('turnServerConfig', () => {
  it('the minimal configuration: REST API secret, realm, no TLS, relaying to the media address only', () => {
    assert.deepEqual(settings(turnServerConfig(BASE)), [
      'use-auth-secret',
      'static-auth-secret=c2VjcmV0LXNlY3JldA',
      'realm=rtc.example.org',
      'fingerprint',
      'listening-port=3478',
      'no-tls',
      'no-dtls',
      'denied-peer-ip=0.0.0.0-255.255.255.255',
      'denied-peer-ip=::-ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff',
      'allowed-peer-ip=192.0.2.10',
      'no-multicast-peers',
      'no-cli',
      'no-software-attribute',
      'syslog',
    ]);
  });

  it('every option: TLS, addresses, NAT mapping, relay ports, a log file', () => {
    const text = turnServerConfig({
      ...BASE,
      peerIps: ['192.0.2.10', '2001:db8::10'],
      listeningIps: ['192.0.2.20'],
      relayIps: ['192.0.2.21'],
      externalIps: ['203.0.113.5/192.0.2.20'],
      port: 3479,
      tlsPort: 443,
      tls: { certFile: '/etc/parley/cert.pem', keyFile: '/etc/parley/key.pem' },
      relayPorts: { min: 50000, max: 50999 },
      log: { file: '/var/log/parley-turn.log' },
    });
    const lines = settings(text);
    for (const expected of [
      'listening-port=3479',
      'tls-listening-port=443',
      'cert=/etc/parley/cert.pem',
      'pkey=/etc/parley/key.pem',
      'no-tlsv1',
      'no-tlsv1_1',
      'listening-ip=192.0.2.20',
      'relay-ip=192.0.2.21',
      'external-ip=203.0.113.5/192.0.2.20',
      'min-port=50000',
      'max-port=50999',
      'allowed-peer-ip=192.0.2.10',
      'allowed-peer-ip=2001:db8::10',
      'log-file=/var/log/parley-turn.log',
      'simple-log',
    ])
      assert.ok(lines.includes(expected), `${expected} in\n${text}`);
    assert.ok(!lines.includes('no-tls') && !lines.includes('syslog'));
    assert.ok(text.endsWith('\n'));
  });

  it('logging to stdout writes each line once', () => {
    const lines = settings(turnServerConfig({ ...BASE, log: 'stdout' }));
    assert.ok(lines.includes('log-file=stdout') && lines.includes('no-stdout-log'));
  });

  it('refuses bad options with a TypeError naming them', () => {
    const bad: [Partial<TurnServerConfigOptions>, RegExp][] = [
      [{ secret: '' }, /secret/],
      [{ secret: 'has space' }, /secret/],
      [{ secret: 'line\nbreak' }, /secret/],
      [{ realm: '' }, /realm/],
      [{ peerIps: [] }, /peerIps/],
      [{ peerIps: ['example.org'] }, /peerIps: example\.org/],
      [{ listeningIps: ['300.1.1.1'] }, /listeningIps/],
      [{ relayIps: ['x'] }, /relayIps/],
      [{ externalIps: ['203.0.113.5/bad'] }, /externalIps/],
      [{ port: 0 }, /port/],
      [{ tlsPort: 70000 }, /tlsPort/],
      [{ port: 3478, tlsPort: 3478 }, /differ/],
      [{ relayPorts: { min: 60000, max: 50000 } }, /relayPorts/],
      [{ tls: { certFile: '', keyFile: '/k' } }, /certFile/],
      [{ tls: { certFile: '/c', keyFile: '/k\nno-auth' } }, /keyFile/],
      [{ log: { file: '' } }, /log\.file/],
      [{ log: 'journal' as 'syslog' }, /log/],
    ];
    for (const [override, message] of bad)
      assert.throws(
        () => turnServerConfig({ ...BASE, ...override }),
        { name: 'TypeError', message },
        message.source,
      );
  });
});
