/**
 * TURN REST API credentials: `<expiry>:<userID>` and base64(HMAC-SHA1(secret, username)), checked against
 * openssl's HMAC (an implementation that shares no code with Node's crypto calls here).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { turnCredentials } from '../../src/index.js';

/** base64(HMAC-SHA1(secret, message)) computed by the openssl command, or null if there is none. */
function opensslHmac(secret: string, message: string): string | null {
  try {
    const digest = execFileSync('openssl', ['dgst', '-sha1', '-hmac', secret, '-binary'], { input: message });
    return digest.toString('base64');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

const hasOpenssl = opensslHmac('k', 'm') !== null;
const opensslSkip =
  hasOpenssl || process.env['PARLEY_REQUIRE_ALL_TESTS'] === '1'
    ? false
    : 'no openssl (apt-get install -y openssl)';

describe('turnCredentials', () => {
  it('signs "<expiry>:<userID>" with the secret: a value openssl computed', () => {
    // printf %s 1700003600:alice | openssl dgst -sha1 -hmac north-by-northwest -binary | base64
    const credentials = turnCredentials('north-by-northwest', 'alice', 3600, 1_700_000_000_000);
    assert.deepEqual(credentials, {
      username: '1700003600:alice',
      credential: '1tSpGhuZ9ZbxCOV8ru2c4ak+Ufg=',
      expiresAt: 1_700_003_600,
    });
  });

  it('agrees with openssl for varied secrets and userIDs', { skip: opensslSkip }, () => {
    const cases = [
      ['s', 'u'],
      ['a'.repeat(64), 'user:with:colons'],
      ['b'.repeat(65), 'ユーザー'],
      ['sécret-ünïcode', 'x'.repeat(64)],
      ['with spaces and = signs', '!#$%&()*+,-./;<=>?@[]^_`{|}~'],
    ];
    for (const [secret = '', userID = ''] of cases) {
      const { username, credential } = turnCredentials(secret, userID, 86_400, 1_234_567_890_123);
      assert.equal(username, `1234654290:${userID}`);
      assert.equal(credential, opensslHmac(secret, username), `${secret} / ${userID}`);
    }
  });

  it('expires ttlSeconds after now, counted in whole seconds', () => {
    assert.equal(turnCredentials('s', 'u', 1, 999).expiresAt, 1);
    assert.equal(turnCredentials('s', 'u', 1, 1000).expiresAt, 2);
    const now = Date.now();
    const { expiresAt, username } = turnCredentials('s', 'u', 600);
    assert.ok(expiresAt >= Math.floor(now / 1000) + 600 && expiresAt <= Math.floor(Date.now() / 1000) + 600);
    assert.equal(username, `${expiresAt}:u`);
  });

  it('rejects bad arguments with a TypeError', () => {
    assert.throws(() => turnCredentials('', 'u', 60), TypeError);
    assert.throws(() => turnCredentials('s', '', 60), TypeError);
    for (const ttl of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY])
      assert.throws(() => turnCredentials('s', 'u', ttl), TypeError, String(ttl));
    assert.throws(() => turnCredentials('s', 'u', 60, Number.NaN), TypeError);
    assert.throws(() => turnCredentials('s', 'u', 60, -1), TypeError);
    assert.throws(() => turnCredentials(undefined as unknown as string, 'u', 60), TypeError);
  });
});
