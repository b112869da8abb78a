import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  decodeToken04,
  generateToken04With,
  readToken04Envelope,
  sealToken04,
  TokenError,
  type TokenErrorReason,
} from '../src/index.js';
import { zegoGoCbc, zegoJavaCbc, zegoPhpGcm, zegoPythonGcm } from './support/zegoReference.js';

const SECRET = 'fa94dd0f974cf2e293728a526b028271';
const OTHER_SECRET = '0123456789abcdef0123456789abcdef';
const NOW = 1700000000;
const IV12 = Buffer.from('0c0b0a090807060504030201', 'hex');
const IV16 = Buffer.from('0123456789abcdef', 'latin1');

function expectInvalid(fn: () => unknown, reason: TokenErrorReason) {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof TokenError, `expected a TokenError, got ${String(err)}`);
    assert.equal(err.code, 1102016);
    assert.equal(err.reason, reason, err.message);
    return true;
  });
}

/** A frame written byte by byte, for envelopes the encoder refuses to make. */
function frame(parts: {
  expire?: bigint;
  ivLen?: number;
  iv: Buffer;
  ctLen?: number;
  cipher: Buffer;
  tail?: number[];
}) {
  const head = Buffer.alloc(10);
  head.writeBigInt64BE(parts.expire ?? BigInt(NOW), 0);
  head.writeUInt16BE(parts.ivLen ?? parts.iv.length, 8);
  const mid = Buffer.alloc(2);
  mid.writeUInt16BE(parts.ctLen ?? parts.cipher.length, 0);
  return `04${Buffer.concat([head, parts.iv, mid, parts.cipher, Buffer.from(parts.tail ?? [])]).toString('base64')}`;
}

function rebase(token: string, edit: (bin: Buffer) => Buffer): string {
  return `04${edit(Buffer.from(token.slice(2), 'base64')).toString('base64')}`;
}

const claimsJson = (o: Record<string, unknown>) => JSON.stringify(o);
const BASE = { app_id: 1, user_id: 'u', nonce: 1, ctime: NOW, expire: NOW + 60, payload: '' };

describe('decodeToken04: tokens of every ZEGO generator', () => {
  const f = {
    appId: 3417014186,
    userId: 'a/b<c>&d é',
    nonce: 77,
    ctime: NOW,
    expire: NOW + 3600,
    payload: '',
  };
  const expected = { ...f, privilege: null };

  it('Python (GCM, alphanumeric nonce, compact JSON)', () => {
    assert.deepEqual(decodeToken04(zegoPythonGcm(f, SECRET, 'abcdefghij01'), SECRET), {
      ...expected,
      mode: 'gcm',
    });
  });

  it('Python with payload None → JSON null, read as ""', () => {
    const token = zegoPythonGcm({ ...f, payload: null }, SECRET, 'abcdefghij01');
    assert.equal(decodeToken04(token, SECRET).payload, '');
  });

  it('PHP (GCM; keys ctime, expire, nonce in another order; \\/ and \\u escapes)', () => {
    assert.deepEqual(decodeToken04(zegoPhpGcm(f, SECRET, '0123456789ab'), SECRET), {
      ...expected,
      mode: 'gcm',
    });
  });

  it('Go before GCM (CBC; struct key order; \\u003c escapes)', () => {
    assert.deepEqual(decodeToken04(zegoGoCbc(f, SECRET, 'pdqdw8ydpdify5n3'), SECRET), {
      ...expected,
      mode: 'cbc',
    });
  });

  it('Java (CBC; HashMap key order; binary 16-byte IV)', () => {
    const { payload: _, ...javaFields } = f;
    const token = zegoJavaCbc(javaFields, SECRET, Buffer.from('ff00fe01fd02fc03fb04fa05f906f807', 'hex'));
    assert.deepEqual(decodeToken04(token, SECRET), { ...expected, mode: 'cbc' });
  });

  it('a negative int32 nonce and a quoted app_id are accepted; unknown keys ignored', () => {
    const plain =
      '{"nonce":-2147483648,"payload":"","expire":1700000060,"extra":{"x":[1]},"user_id":"u","ctime":1700000000,"app_id":"4294967295"}';
    const claims = decodeToken04(sealToken04(plain, NOW + 60, SECRET, 'gcm', IV12), SECRET);
    assert.equal(claims.nonce, -2147483648);
    assert.equal(claims.appId, 4294967295);
  });

  it('key order and whitespace do not matter, in either mode', () => {
    const orders = [
      ['app_id', 'user_id', 'nonce', 'ctime', 'expire', 'payload'],
      ['payload', 'expire', 'ctime', 'nonce', 'user_id', 'app_id'],
      ['ctime', 'app_id', 'payload', 'user_id', 'expire', 'nonce'],
    ] as const;
    for (const order of orders) {
      for (const indent of [0, 2]) {
        const obj: Record<string, unknown> = {};
        for (const k of order) obj[k] = BASE[k];
        const plain = JSON.stringify(obj, null, indent);
        for (const [mode, iv] of [
          ['gcm', IV12],
          ['cbc', IV16],
        ] as const) {
          const claims = decodeToken04(sealToken04(plain, NOW + 60, SECRET, mode, iv), SECRET);
          assert.deepEqual(claims, {
            appId: 1,
            userId: 'u',
            nonce: 1,
            ctime: NOW,
            expire: NOW + 60,
            payload: '',
            privilege: null,
            mode,
          });
        }
      }
    }
  });

  it('parses the privilege payload into claims.privilege', () => {
    const payload = '{"room_id":"room1","privilege":{"1":1,"2":0},"stream_id_list":["s1"]}';
    const token = generateToken04With({ now: () => NOW }, 1, 'u', SECRET, 60, payload);
    assert.deepEqual(decodeToken04(token, SECRET).privilege, {
      roomId: 'room1',
      canLogin: true,
      canPublish: false,
      streamIdList: ['s1'],
    });
  });
});

describe('readToken04Envelope: real tokens from public code', () => {
  // Found with a code search of public repositories (demo apps that pasted a console-issued token); the secrets are
  // unknown, so only the clear-text envelope is checked — which is exactly what proves the two layouts.
  const REAL_GCM =
    '04AAAAAGfzaqUADBdA8ZY0GjBtP8XBGACzxkIYHqGkhRtmx7p3hb0kQ4gT0Z7sD1tLk68Psurgz4AebtgbSon++QhrGiHw7pEJGQtG8KYzF/sq+OgioW1fMvV2QXfQ06JKuia0S/SpxC7AzyyxG4m4VtfJQLb/fhMU40w1KXddKlWk3riKN4q5cL7zuueLmJ/MYqN9oXWecuctrbfFDw+Ny63oyWFYjgYUVszX6TncavrNPMYLtTvGNdZJms+i03hu7K/Upg0Cuto+UwcB';
  const REAL_CBC =
    '04AAAAAGSCBH8AEHBkcWR3OHlkcGRpZnk1bjMAoN1i13G0R2Pbgrmy5a5nCzpa2d4y4CNL/NHifNeaDZTElZ4QmaP2JtJRSGtEuxHNqiVAh4ITP3XojCrRR4UOwO3JO/AILUxiasf1ERWK7Ok8yvi2eztIWaXveRkPw/1sw9b4e1LRgR+foEaf2Xoh2A7YBIy21gMiGT5QXZH1szd7go612QsRl2FLoaTJHHHV3RgGU9yBmbtIXytwJI8WTAo=';

  it('a GCM token: 12-byte binary nonce, 163+16 cipher bytes, mode byte 1', () => {
    const env = readToken04Envelope(REAL_GCM);
    assert.equal(env.mode, 'gcm');
    assert.equal(env.expire, 1744005797);
    assert.equal(env.iv.toString('hex'), '1740f196341a306d3fc5c118');
    assert.equal(env.cipher.length, 179);
  });

  it('a CBC token: 16-character IV, 160 cipher bytes, no mode byte', () => {
    const env = readToken04Envelope(REAL_CBC);
    assert.equal(env.mode, 'cbc');
    assert.equal(env.expire, 1686242431);
    assert.equal(env.iv.toString('latin1'), 'pdqdw8ydpdify5n3');
    assert.equal(env.cipher.length, 160);
  });

  it('neither decrypts with a wrong secret, and both fail the same way', () => {
    expectInvalid(() => decodeToken04(REAL_GCM, SECRET), 'decrypt');
    expectInvalid(() => decodeToken04(REAL_CBC, SECRET), 'decrypt');
  });
});

describe('decodeToken04: malformed envelopes', () => {
  // Deterministic, so that the base64 cases below always have '+', '/' and padding to work on.
  const good = generateToken04With(
    { now: () => NOW, randomBytes: (n) => Buffer.alloc(n, 7) },
    1,
    'u',
    SECRET,
    60,
  );
  const cipher = readToken04Envelope(good).cipher;

  it('version prefix', () => {
    expectInvalid(() => decodeToken04(`03${good.slice(2)}`, SECRET), 'version');
    expectInvalid(() => decodeToken04(good.slice(2), SECRET), 'version');
    expectInvalid(() => decodeToken04('', SECRET), 'version');
    for (const notString of [undefined, null, 4, {}, [], Buffer.from(good)]) {
      expectInvalid(() => decodeToken04(notString as any, SECRET), 'version');
    }
  });

  it('base64: bad characters, missing padding, base64url, whitespace, non-canonical bits', () => {
    expectInvalid(() => decodeToken04(`${good.slice(0, 10)}*${good.slice(11)}`, SECRET), 'base64');
    const padded = [0, 1, 2]
      // Fixed random bytes: with a random nonce the plaintext length (its digits) would vary too, and the
      // three lengths might all land on a multiple of 3, which needs no padding.
      .map((k) =>
        generateToken04With(
          { now: () => NOW, randomBytes: (n) => Buffer.alloc(n, 7) },
          1,
          'u',
          SECRET,
          60,
          'x'.repeat(k),
        ),
      )
      .find((t) => t.endsWith('='));
    assert.ok(padded);
    expectInvalid(() => decodeToken04(padded.replace(/=+$/, ''), SECRET), 'base64');
    assert.match(good, /[+/]/, 'the fixture must have characters that base64url spells differently');
    expectInvalid(() => decodeToken04(good.replace(/\+/g, '-').replace(/\//g, '_'), SECRET), 'base64');
    expectInvalid(() => decodeToken04(`${good} `, SECRET), 'base64');
    expectInvalid(() => decodeToken04('04AB==', SECRET), 'base64'); // canonical spelling of that byte is AA==
    expectInvalid(() => decodeToken04('04', SECRET), 'layout');
  });

  it('truncation at every length', () => {
    const bin = Buffer.from(good.slice(2), 'base64');
    for (let n = 0; n < bin.length; n++) {
      const cut = `04${bin.subarray(0, n).toString('base64')}`;
      assert.throws(
        () => decodeToken04(cut, SECRET),
        (e: unknown) => e instanceof TokenError && e.code === 1102016,
        `cut at ${n}`,
      );
    }
  });

  it('length fields that point past the end, or leave bytes over', () => {
    expectInvalid(() => decodeToken04(frame({ ivLen: 200, iv: IV12, cipher, tail: [1] }), SECRET), 'layout');
    expectInvalid(
      () => decodeToken04(frame({ iv: IV12, ctLen: cipher.length + 2, cipher, tail: [1] }), SECRET),
      'layout',
    );
    expectInvalid(() => decodeToken04(frame({ iv: IV12, cipher, tail: [1, 1] }), SECRET), 'layout');
    expectInvalid(() => decodeToken04(frame({ iv: IV12, cipher, tail: [2] }), SECRET), 'layout');
  });

  it('IV and cipher sizes that do not fit the mode', () => {
    expectInvalid(() => decodeToken04(frame({ iv: IV16, cipher, tail: [1] }), SECRET), 'layout');
    expectInvalid(
      () => decodeToken04(frame({ iv: IV12, cipher: cipher.subarray(0, 15), tail: [1] }), SECRET),
      'layout',
    );
    expectInvalid(() => decodeToken04(frame({ iv: IV12, cipher: Buffer.alloc(32) }), SECRET), 'layout');
    expectInvalid(() => decodeToken04(frame({ iv: IV16, cipher: Buffer.alloc(33) }), SECRET), 'layout');
    expectInvalid(() => decodeToken04(frame({ iv: IV16, cipher: Buffer.alloc(0) }), SECRET), 'layout');
  });

  it('an expire beyond the safe integers', () => {
    expectInvalid(
      () => decodeToken04(frame({ expire: 2n ** 62n, iv: IV12, cipher, tail: [1] }), SECRET),
      'layout',
    );
    expectInvalid(
      () => decodeToken04(frame({ expire: -(2n ** 62n), iv: IV12, cipher, tail: [1] }), SECRET),
      'layout',
    );
  });

  it('mode byte 0 (ZEGO’s CBCPKCS5Padding value) is read as CBC', () => {
    const cbc = sealToken04(claimsJson(BASE), NOW + 60, SECRET, 'cbc', IV16);
    const withZero = rebase(cbc, (bin) => Buffer.concat([bin, Buffer.from([0])]));
    assert.equal(decodeToken04(withZero, SECRET).mode, 'cbc');
  });

  it('the secret itself must be 32 ASCII characters (a configuration error, TypeError)', () => {
    assert.throws(() => decodeToken04(good, 'short'), TypeError);
    assert.throws(() => decodeToken04(good, `${SECRET.slice(1)}é`), TypeError);
  });
});

describe('decodeToken04: authentication and claims', () => {
  const good = generateToken04With({ now: () => NOW }, 1, 'u', SECRET, 60);

  it('a wrong secret fails to authenticate', () => {
    expectInvalid(() => decodeToken04(good, OTHER_SECRET), 'decrypt');
  });

  it('any flipped bit of the IV, ciphertext or tag fails to authenticate', () => {
    const bin = Buffer.from(good.slice(2), 'base64');
    for (let i = 10; i < bin.length - 1; i++) {
      if (i === 22 || i === 23) continue; // the cipher length field: a layout error, tested above
      const copy = Buffer.from(bin);
      copy[i]! ^= 0x01;
      expectInvalid(() => decodeToken04(`04${copy.toString('base64')}`, SECRET), 'decrypt');
    }
  });

  it('a clear-text expire that differs from the encrypted one (header tampering)', () => {
    const later = rebase(good, (bin) => {
      bin.writeBigInt64BE(BigInt(NOW + 999999), 0);
      return bin;
    });
    expectInvalid(() => decodeToken04(later, SECRET), 'expire_mismatch');
    expectInvalid(
      () => decodeToken04(sealToken04(claimsJson(BASE), NOW + 61, SECRET, 'gcm', IV12), SECRET),
      'expire_mismatch',
    );
  });

  const badClaims: [string, TokenErrorReason, string | Buffer][] = [
    ['not JSON', 'json', '{"app_id":1,'],
    ['empty', 'json', ''],
    ['a JSON array', 'json', '[1,2]'],
    ['JSON null', 'json', 'null'],
    ['a JSON string', 'json', '"x"'],
    ['not UTF-8', 'json', Buffer.from([0x7b, 0xff, 0xfe, 0x7d])],
    ['app_id missing', 'claims', claimsJson({ ...BASE, app_id: undefined })],
    ['app_id 0', 'claims', claimsJson({ ...BASE, app_id: 0 })],
    ['app_id too large', 'claims', claimsJson({ ...BASE, app_id: 2 ** 32 })],
    ['app_id fractional', 'claims', claimsJson({ ...BASE, app_id: 1.5 })],
    ['app_id non-decimal string', 'claims', claimsJson({ ...BASE, app_id: '0x1' })],
    ['user_id missing', 'claims', claimsJson({ ...BASE, user_id: undefined })],
    ['user_id empty', 'claims', claimsJson({ ...BASE, user_id: '' })],
    ['user_id a number', 'claims', claimsJson({ ...BASE, user_id: 7 })],
    ['nonce a string', 'claims', claimsJson({ ...BASE, nonce: '1' })],
    ['nonce missing', 'claims', claimsJson({ ...BASE, nonce: undefined })],
    ['ctime fractional', 'claims', claimsJson({ ...BASE, ctime: NOW + 0.5 })],
    ['ctime null', 'claims', claimsJson({ ...BASE, ctime: null })],
    ['expire a string', 'claims', claimsJson({ ...BASE, expire: String(NOW + 60) })],
    ['expire missing', 'claims', claimsJson({ ...BASE, expire: undefined })],
    ['payload a number', 'claims', claimsJson({ ...BASE, payload: 5 })],
    ['payload an object', 'claims', claimsJson({ ...BASE, payload: { room_id: 'r' } })],
    ['payload malformed', 'payload', claimsJson({ ...BASE, payload: '{"room_id":' })],
  ];

  for (const [name, reason, plain] of badClaims) {
    it(`GCM claims: ${name} → ${reason}`, () => {
      expectInvalid(() => decodeToken04(sealToken04(plain, NOW + 60, SECRET, 'gcm', IV12), SECRET), reason);
    });
  }

  it('CBC: every failure past the envelope has one reason and one message (no padding/format oracle)', () => {
    const messages = new Set<string>();
    const collect = (token: string) => {
      assert.throws(
        () => decodeToken04(token, SECRET),
        (e: unknown) => {
          assert.ok(e instanceof TokenError);
          assert.equal(e.reason, 'decrypt');
          messages.add(e.message);
          return true;
        },
      );
    };
    for (const [, , plain] of badClaims) collect(sealToken04(plain, NOW + 60, SECRET, 'cbc', IV16));
    const good = sealToken04(claimsJson(BASE), NOW + 60, SECRET, 'cbc', IV16);
    collect(rebase(good, (bin) => bin.fill(0x41, bin.length - 16)));
    collect(sealToken04(claimsJson(BASE), NOW + 61, SECRET, 'cbc', IV16));
    collect(sealToken04(claimsJson(BASE), NOW + 60, OTHER_SECRET, 'cbc', IV16));
    assert.deepEqual([...messages], ['token invalid: it cannot be decrypted with this secret']);
  });
});
