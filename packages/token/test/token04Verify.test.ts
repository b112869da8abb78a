import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  decodeToken04,
  generateToken04,
  generateToken04Cbc,
  generateToken04With,
  sealToken04,
  TokenError,
  TokenErrorCode,
  verifyToken04,
} from '../src/index.js';

const SECRET = 'fa94dd0f974cf2e293728a526b028271';
const OTHER_SECRET = '0123456789abcdef0123456789abcdef';
const APP = 1234567;
const NOW = 1700000000;

function token(opts: { userId?: string; ttl?: number; mode?: 'gcm' | 'cbc'; appId?: number } = {}) {
  return generateToken04With(
    { now: () => NOW, mode: opts.mode ?? 'gcm' },
    opts.appId ?? APP,
    opts.userId ?? 'alice',
    SECRET,
    opts.ttl ?? 60,
  );
}

function expectCode(fn: () => unknown, code: number, reason?: string) {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof TokenError, `expected a TokenError, got ${String(err)}`);
    assert.equal(err.code, code);
    if (reason) assert.equal(err.reason, reason);
    return true;
  });
}

describe('verifyToken04', () => {
  it('returns the claims of a valid token, GCM and CBC', () => {
    for (const mode of ['gcm', 'cbc'] as const) {
      const claims = verifyToken04(token({ mode }), {
        appId: APP,
        secret: SECRET,
        userId: 'alice',
        nowSeconds: NOW,
      });
      assert.equal(claims.userId, 'alice');
      assert.equal(claims.appId, APP);
      assert.equal(claims.expire, NOW + 60);
      assert.equal(claims.mode, mode);
    }
  });

  it('uses the clock when nowSeconds is not given', () => {
    assert.equal(
      verifyToken04(generateToken04(APP, 'a', SECRET, 30), { appId: APP, secret: SECRET }).userId,
      'a',
    );
    expectCode(() => verifyToken04(token(), { appId: APP, secret: SECRET }), 1102018, 'expired'); // NOW is in 2023
  });

  it('1102018 once expire <= now', () => {
    const t = token({ ttl: 60 });
    assert.ok(verifyToken04(t, { appId: APP, secret: SECRET, nowSeconds: NOW + 59 }));
    expectCode(
      () => verifyToken04(t, { appId: APP, secret: SECRET, nowSeconds: NOW + 60 }),
      1102018,
      'expired',
    );
    expectCode(() => verifyToken04(t, { appId: APP, secret: SECRET, nowSeconds: NOW + 10_000 }), 1102018);
    assert.equal(TokenErrorCode.TOKEN_EXPIRED, 1102018);
  });

  it('1002077 when the userID differs (exact, case-sensitive); no check without userId', () => {
    const t = token({ userId: 'alice' });
    expectCode(
      () => verifyToken04(t, { appId: APP, secret: SECRET, userId: 'bob', nowSeconds: NOW }),
      1002077,
      'user_id',
    );
    expectCode(
      () => verifyToken04(t, { appId: APP, secret: SECRET, userId: 'Alice', nowSeconds: NOW }),
      1002077,
    );
    expectCode(() => verifyToken04(t, { appId: APP, secret: SECRET, userId: '', nowSeconds: NOW }), 1002077);
    assert.ok(verifyToken04(t, { appId: APP, secret: SECRET, nowSeconds: NOW }));
  });

  it('1102016 for a wrong secret, another app, a tampered byte or a truncated token', () => {
    const t = token();
    expectCode(
      () => verifyToken04(t, { appId: APP, secret: OTHER_SECRET, nowSeconds: NOW }),
      1102016,
      'decrypt',
    );
    expectCode(
      () => verifyToken04(t, { appId: APP + 1, secret: SECRET, nowSeconds: NOW }),
      1102016,
      'app_id',
    );
    const bin = Buffer.from(t.slice(2), 'base64');
    bin[30]! ^= 0x80;
    expectCode(
      () => verifyToken04(`04${bin.toString('base64')}`, { appId: APP, secret: SECRET, nowSeconds: NOW }),
      1102016,
    );
    expectCode(() => verifyToken04(t.slice(0, -8), { appId: APP, secret: SECRET, nowSeconds: NOW }), 1102016);
    expectCode(() => verifyToken04(t.slice(0, 40), { appId: APP, secret: SECRET, nowSeconds: NOW }), 1102016);
  });

  it('checks the app, then the expiry, then the user', () => {
    const t = token({ userId: 'alice' });
    const late = NOW + 1000;
    expectCode(
      () => verifyToken04(t, { appId: 9, secret: SECRET, userId: 'bob', nowSeconds: late }),
      1102016,
    );
    expectCode(
      () => verifyToken04(t, { appId: APP, secret: SECRET, userId: 'bob', nowSeconds: late }),
      1102018,
    );
  });

  it('can refuse legacy CBC tokens', () => {
    const cbc = token({ mode: 'cbc' });
    expectCode(
      () => verifyToken04(cbc, { appId: APP, secret: SECRET, nowSeconds: NOW, allowCbc: false }),
      1102016,
      'mode',
    );
    assert.ok(verifyToken04(token(), { appId: APP, secret: SECRET, nowSeconds: NOW, allowCbc: false }));
    assert.ok(verifyToken04(generateToken04Cbc(APP, 'x', SECRET, 30), { appId: APP, secret: SECRET }));
  });
});

/** mulberry32: a small seeded PRNG, so that a fuzz failure can be replayed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('fuzz: garbage never throws anything but TokenError 1102016', () => {
  const rand = prng(0x5eed);
  const int = (n: number) => Math.floor(rand() * n);
  const bytes = (n: number) => Buffer.from(Array.from({ length: n }, () => int(256)));
  const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  const gcm = Buffer.from(token().slice(2), 'base64');
  const cbc = Buffer.from(token({ mode: 'cbc' }).slice(2), 'base64');

  const makers: Array<() => unknown> = [
    // Random text, including non-ASCII and lone surrogates.
    () => Array.from({ length: int(300) }, () => String.fromCharCode(int(0x10000))).join(''),
    // "04" + random base64 characters and padding.
    () => `04${Array.from({ length: int(200) }, () => B64[int(64)]).join('')}${'='.repeat(int(3))}`,
    // "04" + canonical base64 of random bytes: passes the text checks, fails later.
    () => `04${bytes(int(300)).toString('base64')}`,
    // A plausible header with random lengths around random bytes.
    () => {
      const ivLen = [0, 12, 16, int(40)][int(4)]!;
      const ctLen = int(120);
      const head = Buffer.alloc(12 + ivLen);
      head.writeBigInt64BE(BigInt(NOW + int(100)), 0);
      head.writeUInt16BE(ivLen, 8);
      head.writeUInt16BE(int(2) ? ctLen : int(65536), 10 + ivLen);
      return `04${Buffer.concat([head, bytes(ctLen + int(3))]).toString('base64')}`;
    },
    // A valid GCM token with 1–4 random bytes replaced.
    () => {
      const copy = Buffer.from(gcm);
      for (let k = 1 + int(4); k > 0; k--) copy[int(copy.length)] = int(256);
      return copy.equals(gcm) ? `04${copy.subarray(1).toString('base64')}` : `04${copy.toString('base64')}`;
    },
    // A valid CBC token with header or cipher bytes replaced (not the IV: CBC is malleable there by design).
    () => {
      const copy = Buffer.from(cbc);
      const at = int(2) ? int(10) : 28 + int(copy.length - 28);
      copy[at] = (copy[at]! + 1 + int(255)) & 0xff;
      return `04${copy.toString('base64')}`;
    },
    // A valid token cut short, or extended by 2+ bytes (one trailing 0 would be a legitimate CBC mode byte).
    () => {
      const src = int(2) ? gcm : cbc;
      const cut = int(2) ? src.subarray(0, int(src.length)) : Buffer.concat([src, bytes(2 + int(3))]);
      return `04${cut.toString('base64')}`;
    },
    // Authentic GCM tokens around random plaintext bytes or random JSON.
    () => {
      const plain = int(2)
        ? bytes(int(80))
        : JSON.stringify([null, 1, 'x', { app_id: 'x' }, [], { user_id: 1 }][int(6)]);
      return sealToken04(plain, NOW + 60, SECRET, 'gcm', bytes(12));
    },
    // Values that are not strings at all.
    () => [undefined, null, 0, 1.5, true, {}, [], Buffer.from('04AAAA'), Symbol('t'), () => 'x'][int(10)],
  ];

  it('decodeToken04 and verifyToken04 on 2,000 inputs', () => {
    let count = 0;
    for (let i = 0; i < 2000; i++) {
      const input = makers[i % makers.length]!();
      for (const run of [
        () => decodeToken04(input as string, SECRET),
        () =>
          verifyToken04(input as string, { appId: APP, secret: SECRET, userId: 'alice', nowSeconds: NOW }),
      ]) {
        assert.throws(
          run,
          (e: unknown) => e instanceof TokenError && e.code === 1102016,
          `input #${i}: ${String(typeof input === 'symbol' ? 'symbol' : input).slice(0, 80)}`,
        );
        count++;
      }
    }
    assert.equal(count, 4000);
  });

  it('the unmodified fuzz seeds do decode (so the mutations are what fails)', () => {
    assert.equal(decodeToken04(`04${gcm.toString('base64')}`, SECRET).mode, 'gcm');
    assert.equal(decodeToken04(`04${cbc.toString('base64')}`, SECRET).mode, 'cbc');
  });
});
