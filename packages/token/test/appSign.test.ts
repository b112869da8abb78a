import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, it } from 'node:test';
import { appSignProof, generateAppSign, validateAppSign, verifyAppSignProof } from '../src/index.js';

const APP_SIGN = '0123456789abcdef'.repeat(4);
const CHALLENGE = { nonce: 'n-5f1c', appId: 1234567, userId: 'alice' };

/** The proof, computed here from its documented definition rather than from src/. */
function expectedProof(appSign: string, c: { nonce: string; appId: number; userId: string }): string {
  const u32 = (n: number) => {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(n);
    return b;
  };
  const field = (s: string) => Buffer.concat([u32(Buffer.byteLength(s)), Buffer.from(s)]);
  const message = Buffer.concat([
    Buffer.from('parley-appsign-v1'),
    u32(c.appId),
    field(c.nonce),
    field(c.userId),
  ]);
  return createHmac('sha256', Buffer.from(appSign, 'hex')).update(message).digest('hex');
}

describe('validateAppSign', () => {
  it('0 for 64 hexadecimal characters, either case', () => {
    assert.equal(validateAppSign(APP_SIGN), 0);
    assert.equal(validateAppSign(APP_SIGN.toUpperCase()), 0);
  });

  it('1001001 for the wrong length or a non-string', () => {
    for (const bad of [
      '',
      APP_SIGN.slice(1),
      `${APP_SIGN}0`,
      APP_SIGN.repeat(2),
      undefined,
      null,
      64,
      {},
      ['a'],
    ]) {
      assert.equal(validateAppSign(bad), 1001001, String(bad));
    }
  });

  it('1001002 for 64 characters that are not all hexadecimal', () => {
    for (const bad of [
      `${APP_SIGN.slice(1)}g`,
      ` ${APP_SIGN.slice(1)}`,
      `0x${APP_SIGN.slice(2)}`,
      'é'.repeat(64),
    ]) {
      assert.equal(validateAppSign(bad), 1001002, bad);
    }
  });
});

describe('appSignProof / verifyAppSignProof', () => {
  it('is HMAC-SHA256 keyed with the decoded AppSign over the length-prefixed challenge', () => {
    const proof = appSignProof(APP_SIGN, CHALLENGE);
    assert.match(proof, /^[0-9a-f]{64}$/);
    assert.equal(proof, expectedProof(APP_SIGN, CHALLENGE));
    assert.equal(
      appSignProof(APP_SIGN.toUpperCase(), CHALLENGE),
      proof,
      'the key is the bytes, not the text',
    );
    const unicode = { nonce: '', appId: 0, userId: 'ユーザー😀' };
    assert.equal(appSignProof(APP_SIGN, unicode), expectedProof(APP_SIGN, unicode));
  });

  it('depends on every field and on the AppSign', () => {
    const proofs = new Set([
      appSignProof(APP_SIGN, CHALLENGE),
      appSignProof(APP_SIGN, { ...CHALLENGE, nonce: 'n-5f1d' }),
      appSignProof(APP_SIGN, { ...CHALLENGE, appId: 1234568 }),
      appSignProof(APP_SIGN, { ...CHALLENGE, userId: 'alicf' }),
      appSignProof(`f${APP_SIGN.slice(1)}`, CHALLENGE),
    ]);
    assert.equal(proofs.size, 5);
  });

  it('is unambiguous where a separator-joined message would not be', () => {
    const a = appSignProof(APP_SIGN, { nonce: 'ab\nc', appId: 1, userId: 'd' });
    const b = appSignProof(APP_SIGN, { nonce: 'ab', appId: 1, userId: 'c\nd' });
    const c = appSignProof(APP_SIGN, { nonce: 'abc', appId: 1, userId: '' });
    const d = appSignProof(APP_SIGN, { nonce: 'ab', appId: 1, userId: 'c' });
    assert.equal(new Set([a, b, c, d]).size, 4);
  });

  it('verifies a correct proof, in either hex case', () => {
    const proof = appSignProof(APP_SIGN, CHALLENGE);
    assert.equal(verifyAppSignProof(APP_SIGN, CHALLENGE, proof), true);
    assert.equal(verifyAppSignProof(APP_SIGN, CHALLENGE, proof.toUpperCase()), true);
    assert.equal(verifyAppSignProof(APP_SIGN.toUpperCase(), { ...CHALLENGE }, proof), true);
  });

  it('rejects a proof for another AppSign, nonce, app or user', () => {
    const proof = appSignProof(APP_SIGN, CHALLENGE);
    assert.equal(verifyAppSignProof(generateAppSign(), CHALLENGE, proof), false);
    assert.equal(verifyAppSignProof(APP_SIGN, { ...CHALLENGE, nonce: 'other' }, proof), false);
    assert.equal(verifyAppSignProof(APP_SIGN, { ...CHALLENGE, appId: 7 }, proof), false);
    assert.equal(verifyAppSignProof(APP_SIGN, { ...CHALLENGE, userId: 'bob' }, proof), false);
    const flipped = (proof[0] === '0' ? '1' : '0') + proof.slice(1);
    assert.equal(verifyAppSignProof(APP_SIGN, CHALLENGE, flipped), false);
  });

  it('returns false, never throws, for malformed proofs', () => {
    const proof = appSignProof(APP_SIGN, CHALLENGE);
    for (const bad of [
      '',
      proof.slice(1),
      `${proof}0`,
      proof + proof,
      `${proof.slice(1)}g`,
      `${proof.slice(2)}\u00e9\u00e9`,
      ` ${proof.slice(1)}`,
      proof.slice(0, 63) + '\u0000',
      undefined,
      null,
      0,
      {},
      [proof],
      Buffer.from(proof, 'hex'),
      { toString: () => proof },
    ]) {
      assert.equal(verifyAppSignProof(APP_SIGN, CHALLENGE, bad), false, String(bad));
    }
  });

  it('returns false, never throws, for a malformed AppSign or challenge', () => {
    const proof = appSignProof(APP_SIGN, CHALLENGE);
    const verify = verifyAppSignProof as (...args: any[]) => boolean;
    for (const appSign of ['', APP_SIGN.slice(1), `${APP_SIGN.slice(1)}z`, undefined, 5]) {
      assert.equal(verify(appSign, CHALLENGE, proof), false);
    }
    for (const challenge of [
      null,
      undefined,
      'x',
      { ...CHALLENGE, appId: -1 },
      { ...CHALLENGE, appId: 1.5 },
      { ...CHALLENGE, appId: 2 ** 32 },
      { ...CHALLENGE, appId: '1234567' },
      { ...CHALLENGE, nonce: 5 },
      { ...CHALLENGE, userId: undefined },
      { ...CHALLENGE, userId: 'a\ud800' },
      { ...CHALLENGE, nonce: '\udc00b' },
    ]) {
      assert.equal(verify(APP_SIGN, challenge, proof), false, JSON.stringify(challenge));
    }
  });

  it('appSignProof throws TypeError for a malformed AppSign or challenge', () => {
    const prove = appSignProof as (...args: any[]) => string;
    assert.throws(() => prove('abc', CHALLENGE), TypeError);
    assert.throws(() => prove(APP_SIGN, { ...CHALLENGE, appId: -1 }), TypeError);
    assert.throws(
      () => prove(APP_SIGN, { ...CHALLENGE, userId: '\ud800' }),
      TypeError,
      'a lone surrogate would alias U+FFFD',
    );
    assert.throws(() => prove(APP_SIGN, null), TypeError);
  });
});

describe('generateAppSign', () => {
  it('makes 64 random lowercase hex characters that validate', () => {
    const a = generateAppSign();
    assert.match(a, /^[0-9a-f]{64}$/);
    assert.equal(validateAppSign(a), 0);
    assert.notEqual(generateAppSign(), a);
  });
});
