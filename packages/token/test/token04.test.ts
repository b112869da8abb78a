import assert from 'node:assert/strict';
import { createDecipheriv } from 'node:crypto';
import { describe, it } from 'node:test';
import {
  decodeToken04,
  encodeToken04,
  generateServerSecret,
  generateToken04,
  generateToken04Cbc,
  generateToken04With,
  makePrivilegePayload,
  readToken04Envelope,
  Token04GenerateError,
} from '../src/index.js';
import {
  mathRandomForCbcNonce,
  mathRandomForGcmNonce,
  mathRandomsForIv,
  queue,
  zegoNodeCbc,
  zegoNodeGcm,
} from './support/zegoReference.js';

/** ZEGO's sample ServerSecret (zego_server_assistant READMEs and samples). */
const SECRET = 'fa94dd0f974cf2e293728a526b028271';
const NOW = 1700000000;

/** A randomBytes stand-in that hands out the given buffers in order, checking the requested sizes. */
function bytesQueue(...chunks: Buffer[]): (n: number) => Buffer {
  let i = 0;
  return (n) => {
    const chunk = chunks[i++];
    assert.ok(chunk, `randomBytes(${n}) called more often than planned`);
    assert.equal(n, chunk.length, 'randomBytes asked for an unexpected size');
    return chunk;
  };
}

function int32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n);
  return b;
}

/** The IV characters as the random bytes our legacy IV drawing maps to them (byte < 36 → alphabet[byte]). */
function ivBytes(iv: string): Buffer {
  return Buffer.from([...iv].map((c) => '0123456789abcdefghijklmnopqrstuvwxyz'.indexOf(c)));
}

/** Parses a token's binary frame independently of src/, as the spec describes it. */
function parseFrame(token: string) {
  assert.ok(token.startsWith('04'));
  const bin = Buffer.from(token.slice(2), 'base64');
  assert.equal(bin.toString('base64'), token.slice(2), 'standard padded base64');
  const expire = bin.readBigInt64BE(0);
  const ivLen = bin.readUInt16BE(8);
  const iv = bin.subarray(10, 10 + ivLen);
  const ctLen = bin.readUInt16BE(10 + ivLen);
  const cipher = bin.subarray(12 + ivLen, 12 + ivLen + ctLen);
  const rest = bin.subarray(12 + ivLen + ctLen);
  return { bin, expire, ivLen, iv, ctLen, cipher, rest };
}

function gcmOpen(secret: string, iv: Buffer, cipher: Buffer): string {
  const d = createDecipheriv('aes-256-gcm', Buffer.from(secret, 'latin1'), iv);
  d.setAuthTag(cipher.subarray(cipher.length - 16));
  return Buffer.concat([d.update(cipher.subarray(0, cipher.length - 16)), d.final()]).toString('utf8');
}

function cbcOpen(secret: string, iv: Buffer, cipher: Buffer): string {
  const d = createDecipheriv('aes-256-cbc', Buffer.from(secret, 'latin1'), iv);
  return Buffer.concat([d.update(cipher), d.final()]).toString('utf8');
}

describe('generateToken04 (GCM)', () => {
  const iv = Buffer.from('a1a2a3a4a5a6a7a8a9aaabac', 'hex');

  it('writes expire | ivLen | iv | ctLen | ciphertext‖tag | mode=1, and the claims in ZEGO key order', () => {
    const token = generateToken04With(
      { now: () => NOW, randomBytes: bytesQueue(int32(-42), iv) },
      1234567,
      'user-1',
      SECRET,
      3600,
      'p',
    );
    const f = parseFrame(token);
    assert.equal(f.expire, BigInt(NOW + 3600));
    assert.equal(f.ivLen, 12);
    assert.deepEqual(f.iv, iv);
    const plain =
      '{"app_id":1234567,"user_id":"user-1","nonce":-42,"ctime":1700000000,"expire":1700003600,"payload":"p"}';
    assert.equal(
      f.ctLen,
      Buffer.byteLength(plain) + 16,
      'ciphertext is as long as the plaintext, plus the tag',
    );
    assert.deepEqual([...f.rest], [1], 'exactly one trailing mode byte, 1 = GCM');
    assert.equal(f.bin.length, 8 + 2 + 12 + 2 + f.ctLen + 1);
    assert.equal(gcmOpen(SECRET, f.iv, f.cipher), plain, 'key = the 32 ASCII bytes of the secret, no AAD');
  });

  it('is byte-identical to ZEGO’s Node generator given the same clock and random values', () => {
    for (const [appId, userId, eff, payload, nonce] of [
      [1, 'demo', 3600, undefined, -123456789],
      [4294967295, 'ユーザー😀', 1, '', 2147483647],
      [
        987654321,
        'x'.repeat(64),
        86400 * 30,
        makePrivilegePayload({ roomId: 'r', canLogin: true, canPublish: false }),
        -2147483648,
      ],
      [42, 'a"b\\c/d<e>&', 7200, '{"room_id":"","privilege":{"1":1,"2":1},"stream_id_list":["s1","s2"]}', 0],
    ] as const) {
      const theirs = zegoNodeGcm(appId, userId, SECRET, eff, payload, {
        nowMs: NOW * 1000 + 999,
        mathRandom: queue([mathRandomForGcmNonce(nonce)]),
        randomBytes: () => iv,
      });
      const ours = generateToken04With(
        { now: () => NOW, randomBytes: bytesQueue(int32(nonce), iv) },
        appId,
        userId,
        SECRET,
        eff,
        payload,
      );
      assert.equal(ours, theirs, `appId ${appId} userId ${userId}`);
      assert.equal(decodeToken04(ours, SECRET).nonce, nonce);
    }
  });

  it('matches a golden token made by the transcribed ZEGO generator', () => {
    // zegoNodeGcm(1, 'demo', SECRET, 3600, '') at 1700000000.123 s, nonce -123456789, GCM nonce 00 01 … 0b.
    const golden =
      '04AAAAAGVT/xAADAABAgMEBQYHCAkKCwB0lo4HRoGUdkuLbKIoOhbZY6YpcMaBTLWHRtiSNdXNuWkV2JYrMEAIwz/r6qBgxdthcFKovcJRvmy9Usk+JCYUW5+3YhqWYhDecQNNcsuJDtmU41siKFY1AXBmoxFi4WWQelbxFaS8qqVak5VRuITmryCh2iEB';
    const iv12 = Buffer.from('000102030405060708090a0b', 'hex');
    const ours = generateToken04With(
      { now: () => NOW, randomBytes: bytesQueue(int32(-123456789), iv12) },
      1,
      'demo',
      SECRET,
      3600,
    );
    assert.equal(ours, golden);
    assert.deepEqual(decodeToken04(golden, SECRET), {
      appId: 1,
      userId: 'demo',
      nonce: -123456789,
      ctime: NOW,
      expire: NOW + 3600,
      payload: '',
      privilege: null,
      mode: 'gcm',
    });
  });

  it('draws a fresh nonce and IV from node:crypto by default, and stamps the current time', () => {
    const before = Math.floor(Date.now() / 1000);
    const a = generateToken04(7, 'u', SECRET, 60);
    const b = generateToken04(7, 'u', SECRET, 60);
    const after = Math.floor(Date.now() / 1000);
    assert.notDeepEqual(parseFrame(a).iv, parseFrame(b).iv);
    const claims = decodeToken04(a, SECRET);
    assert.ok(claims.ctime >= before && claims.ctime <= after);
    assert.equal(claims.expire, claims.ctime + 60);
    assert.ok(Number.isInteger(claims.nonce) && claims.nonce >= -(2 ** 31) && claims.nonce < 2 ** 31);
  });

  it('works with a secret from generateServerSecret', () => {
    const secret = generateServerSecret();
    assert.match(secret, /^[0-9a-f]{32}$/);
    assert.notEqual(generateServerSecret(), secret);
    assert.equal(decodeToken04(generateToken04(9, 'u', secret, 10), secret).appId, 9);
  });
});

describe('generateToken04Cbc (legacy layout)', () => {
  it('writes expire | 16 | 16-char IV | ctLen | PKCS#7 ciphertext with no mode byte', () => {
    const token = generateToken04With(
      { mode: 'cbc', now: () => NOW, randomBytes: bytesQueue(int32(5), ivBytes('0123456789abcdef')) },
      1234567,
      'user-1',
      SECRET,
      3600,
    );
    const f = parseFrame(token);
    assert.equal(f.expire, BigInt(NOW + 3600));
    assert.equal(f.ivLen, 16);
    assert.equal(f.iv.toString('latin1'), '0123456789abcdef');
    assert.equal(f.rest.length, 0, 'no mode byte');
    assert.equal(f.ctLen % 16, 0);
    assert.equal(
      cbcOpen(SECRET, f.iv, f.cipher),
      '{"app_id":1234567,"user_id":"user-1","nonce":5,"ctime":1700000000,"expire":1700003600,"payload":""}',
    );
  });

  it('is byte-identical to ZEGO’s legacy Node generator given the same clock and random values', () => {
    for (const [appId, userId, payload, nonce, iv] of [
      [1, 'demo', undefined, 987654321, 'pdqdw8ydpdify5n3'],
      [
        4294967295,
        'ユーザー',
        makePrivilegePayload({ roomId: 'demo', canLogin: true, canPublish: false }),
        1,
        'zzzzzzzzzzzzzzzz',
      ],
      [3, 'u'.repeat(64), '', 2147483647, '0000000000000000'],
    ] as const) {
      const theirs = zegoNodeCbc(appId, userId, SECRET, 3600, payload, {
        nowMs: NOW * 1000 + 1,
        mathRandom: queue([mathRandomForCbcNonce(nonce), ...mathRandomsForIv(iv)]),
      });
      const ours = generateToken04With(
        { mode: 'cbc', now: () => NOW, randomBytes: bytesQueue(int32(nonce), ivBytes(iv)) },
        appId,
        userId,
        SECRET,
        3600,
        payload,
      );
      assert.equal(ours, theirs, `userId ${userId}`);
    }
  });

  it('matches a golden legacy token made by the transcribed ZEGO generator', () => {
    const golden =
      '04AAAAAGVT/xAAEHBkcWR3OHlkcGRpZnk1bjMAwIxxa9g68p6FkTAa1/6orug97HrNhuexJYkZenx3JRiNBYD/Acpzl8HbNJoxHf9fzfub+GGIHM0h6CXcgFoi50fTv7JnQ1UAb1bnGPqnbWeCzIOTGodustKNsQAhBlw+SHS5kB9TC/hA6YGG3ShUWikG3iMvESMX7cil4lVEQOIITNFlX4H6VjneQBQZQsK3SkngfMl07kKq+WN9n6Ml4WKwiRPrWOg/r0NIiyF8D3sZ1L6EEyugH4dYtJTIWJTqLw==';
    const claims = decodeToken04(golden, SECRET);
    assert.equal(claims.mode, 'cbc');
    assert.equal(claims.nonce, 987654321);
    assert.deepEqual(claims.privilege, {
      roomId: 'demo',
      canLogin: true,
      canPublish: false,
      streamIdList: null,
    });
  });

  it('draws IV characters only from 0-9a-z, skipping bytes ≥ 252 so that none is favoured', () => {
    const first = Buffer.from([255, 0, 252, 35, 251, 253, 254, 36, 1, 2, 3, 4, 5, 6, 7, 8]); // 4 skipped
    const second = Buffer.from([9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24]);
    const token = generateToken04With(
      { mode: 'cbc', now: () => NOW, randomBytes: bytesQueue(int32(0), first, second) },
      1,
      'u',
      SECRET,
      1,
    );
    // 0→'0', 35→'z', 251→251%36=35→'z', 36→'0', then 1…8, then 9…12 from the second draw.
    assert.equal(readToken04Envelope(token).iv.toString('latin1'), '0zz0123456789abc');
    for (let i = 0; i < 20; i++) {
      assert.match(
        readToken04Envelope(generateToken04Cbc(1, 'u', SECRET, 1)).iv.toString('latin1'),
        /^[0-9a-z]{16}$/,
      );
    }
  });
});

describe('generator errors (ZEGO codes 1, 3, 5, 6)', () => {
  function expectCode(fn: () => unknown, errorCode: number, errorMessage: string) {
    assert.throws(fn, (err: unknown) => {
      assert.ok(err instanceof Token04GenerateError);
      assert.ok(err instanceof Error);
      assert.deepEqual({ ...err }, { errorCode, errorMessage }, 'ZEGO’s { errorCode, errorMessage } shape');
      assert.deepEqual(JSON.parse(JSON.stringify(err)), { errorCode, errorMessage });
      return true;
    });
  }
  const gen = generateToken04 as (...args: any[]) => string;

  it('1: appID invalid', () => {
    for (const appId of [0, Number.NaN, -1, 1.5, 2 ** 32, '1', null, undefined]) {
      expectCode(() => gen(appId, 'u', SECRET, 60), 1, 'appID invalid');
    }
    assert.ok(generateToken04(2 ** 32 - 1, 'u', SECRET, 60));
  });

  it('3: userID invalid (empty, not a string, or longer than 64)', () => {
    for (const userId of ['', 'x'.repeat(65), 5, null, undefined]) {
      expectCode(() => gen(1, userId, SECRET, 60), 3, 'userId invalid');
    }
    assert.ok(generateToken04(1, 'x'.repeat(64), SECRET, 60));
  });

  it('5: secret invalid (not 32 ASCII characters)', () => {
    for (const secret of ['', SECRET.slice(1), `${SECRET}0`, `${SECRET.slice(1)}é`, 32, null, undefined]) {
      expectCode(() => gen(1, 'u', secret, 60), 5, 'secret must be a 32 byte string');
    }
  });

  it('6: effective time invalid (not a positive integer)', () => {
    for (const eff of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, '3600', null, undefined, 2 ** 53]) {
      expectCode(() => gen(1, 'u', SECRET, eff), 6, 'effectiveTimeInSeconds invalid');
    }
  });

  it('checks in ZEGO’s order: appID, userID, secret, effective time', () => {
    expectCode(() => gen(0, '', '', 0), 1, 'appID invalid');
    expectCode(() => gen(1, '', '', 0), 3, 'userId invalid');
    expectCode(() => gen(1, 'u', '', 0), 5, 'secret must be a 32 byte string');
  });

  it('the CBC generator shares the checks; a non-string payload is a TypeError', () => {
    expectCode(
      () => (generateToken04Cbc as (...args: any[]) => string)(1, 'u', 'short', 60),
      5,
      'secret must be a 32 byte string',
    );
    assert.throws(() => gen(1, 'u', SECRET, 60, { room_id: 'r' }), TypeError);
    assert.equal(
      decodeToken04(gen(1, 'u', SECRET, 60, null), SECRET).payload,
      '',
      'null payload → "" as in ZEGO',
    );
  });

  it('rejects a misbehaving injected random source or clock', () => {
    assert.throws(
      () => generateToken04With({ randomBytes: () => Buffer.alloc(3) }, 1, 'u', SECRET, 60),
      TypeError,
    );
    assert.throws(() => generateToken04With({ now: () => 1.5 }, 1, 'u', SECRET, 60), TypeError);
  });
});

describe('encodeToken04', () => {
  it('refuses IVs of the wrong length for the mode', () => {
    const f = { appId: 1, userId: 'u', nonce: 0, ctime: NOW, expire: NOW + 1, payload: '' };
    assert.throws(() => encodeToken04(f, SECRET, 'gcm', Buffer.alloc(16)), RangeError);
    assert.throws(() => encodeToken04(f, SECRET, 'cbc', Buffer.alloc(12)), RangeError);
    assert.throws(() => encodeToken04(f, 'short', 'gcm', Buffer.alloc(12)), TypeError);
  });

  it('refuses a plaintext too large for the uint16 length field', () => {
    const f = { appId: 1, userId: 'u', nonce: 0, ctime: NOW, expire: NOW + 1, payload: 'x'.repeat(70000) };
    assert.throws(() => encodeToken04(f, SECRET, 'gcm', Buffer.alloc(12)), RangeError);
  });
});
