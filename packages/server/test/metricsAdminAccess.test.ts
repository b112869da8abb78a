/**
 * The rule of http/adminAccess.ts on its own (the HTTP answers are in metrics.test.ts): IPv6 and IPv4-mapped
 * peers, the default with and without a token, proxies and their forwarded addresses, tokens compared exactly.
 */
import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { describe, it } from 'node:test';
import { AdminAccess, type AdminAccessSettings, adminAllowed } from '../src/http/adminAccess.js';

const TOKEN = 'admin-token-0123456789';

/** A request as the rule sees it: its socket's peer and its headers. */
function req(remoteAddress: string, headers: Record<string, string> = {}): IncomingMessage {
  return { socket: { remoteAddress }, headers } as unknown as IncomingMessage;
}

function access(settings: Partial<AdminAccessSettings> = {}): AdminAccess {
  return new AdminAccess({ trustedProxies: [], ...settings });
}

describe('adminAccess', () => {
  it('admits loopback only by default, IPv6 and IPv4-mapped included', () => {
    const a = access();
    for (const peer of ['127.0.0.1', '127.1.2.3', '::1', '::ffff:127.0.0.1']) {
      assert.equal(a.check(req(peer)), 'allowed', peer);
    }
    for (const peer of ['10.0.0.1', '192.168.1.2', '::ffff:10.0.0.1', 'fe80::1', 'unknown']) {
      assert.equal(a.check(req(peer)), 'address', peer);
    }
  });

  it('admits any address with the token when only a token is set', () => {
    const a = access({ adminToken: TOKEN });
    assert.equal(a.check(req('10.9.8.7', { authorization: `Bearer ${TOKEN}` })), 'allowed');
    assert.equal(a.check(req('10.9.8.7', { authorization: `bearer   ${TOKEN}` })), 'allowed');
    assert.equal(a.check(req('127.0.0.1')), 'token', 'loopback needs the token too');
    for (const header of [
      `Bearer ${TOKEN.slice(1)}`,
      `Bearer ${TOKEN} extra`,
      TOKEN,
      `Basic ${TOKEN}`,
      'Bearer',
    ]) {
      assert.equal(a.check(req('127.0.0.1', { authorization: header })), 'token', header);
    }
    assert.equal(adminAllowed(req('10.9.8.7', { authorization: `Bearer ${TOKEN}` }), a), true);
    assert.equal(adminAllowed(req('10.9.8.7'), a), false);
  });

  it('checks the address before the token when both are set', () => {
    const a = access({ adminToken: TOKEN, adminAllow: ['10.0.0.0/8', 'fd00::/8'] });
    const auth = { authorization: `Bearer ${TOKEN}` };
    assert.equal(a.check(req('10.200.0.1', auth)), 'allowed');
    assert.equal(a.check(req('fd12::5', auth)), 'allowed');
    assert.equal(a.check(req('127.0.0.1', auth)), 'address', 'loopback is not in the list');
    assert.equal(a.check(req('10.200.0.1')), 'token');
  });

  it('judges the forwarded address behind a trusted proxy, and only there', () => {
    const a = access({ trustedProxies: ['127.0.0.1'], adminAllow: ['10.0.0.0/8'] });
    assert.equal(a.check(req('127.0.0.1', { 'x-forwarded-for': '10.1.1.1' })), 'allowed');
    assert.equal(a.check(req('127.0.0.1', { 'x-forwarded-for': '10.1.1.1, 192.168.0.9' })), 'address');
    // The right-most address that is not a proxy is the client; a spoofed left part is not believed.
    assert.equal(a.check(req('127.0.0.1', { 'x-forwarded-for': '192.168.0.9, 10.1.1.1' })), 'allowed');
    // An untrusted peer's header is ignored.
    assert.equal(a.check(req('192.168.0.9', { 'x-forwarded-for': '10.1.1.1' })), 'address');
  });

  it('refuses settings that are no addresses', () => {
    assert.throws(() => access({ adminAllow: ['10.0.0.0/33'] }), TypeError);
    assert.throws(() => access({ adminAllow: ['example.org'] }), TypeError);
  });
});
