/**
 * Independent transcriptions of ZEGO's Token04 generators (github.com/zegoim/zego_server_assistant), used as
 * reference implementations by the tests. They use node:crypto directly and nothing from `src/`, so that a bug in
 * our envelope or encoder cannot hide in both sides of a comparison.
 *
 * Each generator's sources of non-determinism (the clock, Math.random, crypto.randomBytes, language RNGs) are
 * made parameters; everything else follows the original line by line. Their `console.log` calls are left out.
 */
import { createCipheriv } from 'node:crypto';

/**
 * token/nodejs/token04/server/zegoServerAssistant.ts (commit 8e960b2c78deb544aa7623e2fb511bed25fa7272),
 * the current AES-GCM generator. `mathRandom` replaces Math.random (used once, by makeNonce), `randomBytes`
 * replaces crypto.randomBytes (used once, for the 12-byte GCM nonce), `nowMs` replaces `new Date().getTime()`.
 */
export function zegoNodeGcm(
  appId: any,
  userId: any,
  secret: any,
  effectiveTimeInSeconds: any,
  payload: any,
  env: { nowMs: number; mathRandom: () => number; randomBytes: (n: number) => Buffer },
): string {
  const ErrorCode = { appIDInvalid: 1, userIDInvalid: 3, secretInvalid: 5, effectiveTimeInSecondsInvalid: 6 };
  const createError = (errorCode: number, errorMessage: string) => ({ errorCode, errorMessage });
  function makeNonce(): number {
    const min = -(2 ** 31);
    const max = 2 ** 31 - 1;
    return Math.floor(env.mathRandom() * (max - min + 1)) + min;
  }
  function aesGcmEncrypt(plainText: string, key: string): { encryptBuf: Buffer; nonce: Buffer } {
    if (![16, 24, 32].includes(key.length)) {
      throw createError(ErrorCode.secretInvalid, 'Invalid Secret length. Key must be 16, 24, or 32 bytes.');
    }
    const nonce = env.randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', key, nonce);
    cipher.setAutoPadding(true);
    const encrypted = cipher.update(plainText, 'utf8');
    const encryptBuf = Buffer.concat([encrypted, cipher.final(), cipher.getAuthTag()]);
    return { encryptBuf, nonce };
  }

  if (!appId || typeof appId !== 'number') throw createError(ErrorCode.appIDInvalid, 'appID invalid');
  if (!userId || typeof userId !== 'string' || userId.length > 64) {
    throw createError(ErrorCode.userIDInvalid, 'userId invalid');
  }
  if (!secret || typeof secret !== 'string' || secret.length !== 32) {
    throw createError(ErrorCode.secretInvalid, 'secret must be a 32 byte string');
  }
  if (!(effectiveTimeInSeconds > 0)) {
    throw createError(ErrorCode.effectiveTimeInSecondsInvalid, 'effectiveTimeInSeconds invalid');
  }
  const VERSION_FLAG = '04';
  const createTime = Math.floor(env.nowMs / 1000);
  const tokenInfo = {
    app_id: appId,
    user_id: userId,
    nonce: makeNonce(),
    ctime: createTime,
    expire: createTime + effectiveTimeInSeconds,
    payload: payload || '',
  };
  const plaintText = JSON.stringify(tokenInfo);
  const { encryptBuf, nonce } = aesGcmEncrypt(plaintText, secret);
  const [b1, b2, b3, b4] = [new Uint8Array(8), new Uint8Array(2), new Uint8Array(2), new Uint8Array(1)];
  new DataView(b1.buffer).setBigInt64(0, BigInt(tokenInfo.expire), false);
  new DataView(b2.buffer).setUint16(0, nonce.byteLength, false);
  new DataView(b3.buffer).setUint16(0, encryptBuf.byteLength, false);
  new DataView(b4.buffer).setUint8(0, 1 /* AesEncryptMode.GCM */);
  const buf = Buffer.concat([
    Buffer.from(b1),
    Buffer.from(b2),
    Buffer.from(nonce),
    Buffer.from(b3),
    Buffer.from(encryptBuf),
    Buffer.from(b4),
  ]);
  const dv = new DataView(Uint8Array.from(buf).buffer);
  return VERSION_FLAG + Buffer.from(dv.buffer).toString('base64');
}

/**
 * token/nodejs/token04/server/zegoServerAssistant.js (commit 4d8ffa23c578e5827c7842bfb7c6b000da035d85),
 * the legacy AES-CBC generator. `mathRandom` replaces Math.random: called once by makeNonce
 * (`RndNum(-2147483648, 2147483647)`, which because of its `a + (b - a)` yields only 0 … 2^31-1), then 16 times
 * by makeRandomIv.
 */
export function zegoNodeCbc(
  appId: any,
  userId: any,
  secret: any,
  effectiveTimeInSeconds: any,
  payload: any,
  env: { nowMs: number; mathRandom: () => number },
): string {
  function RndNum(a: number, b: number): number {
    return Math.ceil((a + (b - a)) * env.mathRandom());
  }
  function makeNonce(): number {
    return RndNum(-2147483648, 2147483647);
  }
  function makeRandomIv(): string {
    const str = '0123456789abcdefghijklmnopqrstuvwxyz';
    const result: string[] = [];
    for (let i = 0; i < 16; i++) {
      const r = Math.floor(env.mathRandom() * str.length);
      result.push(str.charAt(r));
    }
    return result.join('');
  }
  function getAlgorithm(keyBase64: string): string {
    const key = Buffer.from(keyBase64);
    switch (key.length) {
      case 16:
        return 'aes-128-cbc';
      case 24:
        return 'aes-192-cbc';
      case 32:
        return 'aes-256-cbc';
    }
    throw new Error(`Invalid key length: ${key.length}`);
  }
  function aesEncrypt(plainText: string, key: string, iv: string): ArrayBuffer {
    const cipher = createCipheriv(getAlgorithm(key), key, iv);
    cipher.setAutoPadding(true);
    const encrypted = cipher.update(plainText);
    const final = cipher.final();
    const out = Buffer.concat([encrypted, final]);
    return Uint8Array.from(out).buffer;
  }

  if (!appId || typeof appId !== 'number') throw { errorCode: 1, errorMessage: 'appID invalid' };
  if (!userId || typeof userId !== 'string') throw { errorCode: 3, errorMessage: 'userId invalid' };
  if (!secret || typeof secret !== 'string' || secret.length !== 32) {
    throw { errorCode: 5, errorMessage: 'secret must be a 32 byte string' };
  }
  if (!effectiveTimeInSeconds || typeof effectiveTimeInSeconds !== 'number') {
    throw { errorCode: 6, errorMessage: 'effectiveTimeInSeconds invalid' };
  }
  const createTime = Math.floor(env.nowMs / 1000);
  const tokenInfo = {
    app_id: appId,
    user_id: userId,
    nonce: makeNonce(),
    ctime: createTime,
    expire: createTime + effectiveTimeInSeconds,
    payload: payload || '',
  };
  const plaintText = JSON.stringify(tokenInfo);
  const iv = makeRandomIv();
  const encryptBuf = aesEncrypt(plaintText, secret, iv);
  const [b1, b2, b3] = [new Uint8Array(8), new Uint8Array(2), new Uint8Array(2)];
  new DataView(b1.buffer).setBigInt64(0, BigInt(tokenInfo.expire), false);
  new DataView(b2.buffer).setUint16(0, iv.length, false);
  new DataView(b3.buffer).setUint16(0, encryptBuf.byteLength, false);
  const buf = Buffer.concat([
    Buffer.from(b1),
    Buffer.from(b2),
    Buffer.from(iv),
    Buffer.from(b3),
    Buffer.from(encryptBuf),
  ]);
  const dv = new DataView(Uint8Array.from(buf).buffer);
  return `04${Buffer.from(dv.buffer).toString('base64')}`;
}

/** `Math.random()` values that make ZEGO's GCM makeNonce return exactly `nonce` (an int32). */
export function mathRandomForGcmNonce(nonce: number): number {
  return (nonce + 2 ** 31) / 2 ** 32;
}

/** `Math.random()` value that makes ZEGO's legacy makeNonce (`ceil((2^31-1) * r)`) return `nonce` (0 … 2^31-1). */
export function mathRandomForCbcNonce(nonce: number): number {
  return nonce === 0 ? 0 : (nonce - 0.5) / 2147483647;
}

/** `Math.random()` values that make ZEGO's makeRandomIv return `iv` (16 characters of 0-9a-z). */
export function mathRandomsForIv(iv: string): number[] {
  const str = '0123456789abcdefghijklmnopqrstuvwxyz';
  return [...iv].map((c) => (str.indexOf(c) + 0.5) / str.length);
}

/** A Math.random stand-in that returns the given values in order and fails when they run out. */
export function queue(values: number[]): () => number {
  let i = 0;
  return () => {
    if (i >= values.length) throw new Error('reference generator asked for more random values than planned');
    return values[i++]!;
  };
}

/**
 * The other official generators differ from the Node one only in what they feed to the same frame: key order, JSON
 * escaping, nonce range and IV alphabet. `zegoFrame` packs a frame the way all of them do (Go `PackInt64` /
 * `PackString`, Python `struct.pack("!q")`/`("!h")`, PHP `pack('J')`/`pack('n')`/`pack('C', 1)`, Java ByteBuffer).
 */
export function zegoFrame(expire: number, iv: Buffer, cipher: Buffer, gcm: boolean): string {
  const head = Buffer.alloc(10);
  head.writeBigInt64BE(BigInt(expire), 0);
  head.writeUInt16BE(iv.length, 8);
  const mid = Buffer.alloc(2);
  mid.writeUInt16BE(cipher.length, 0);
  const parts = [head, iv, mid, cipher];
  if (gcm) parts.push(Buffer.from([1]));
  return `04${Buffer.concat(parts).toString('base64')}`;
}

/** AES-256-GCM as ZEGO's generators use it: ciphertext ‖ 16-byte tag, no AAD. */
export function gcmSeal(plaintext: string, secret: string, iv: Buffer): Buffer {
  const c = createCipheriv('aes-256-gcm', Buffer.from(secret, 'latin1'), iv);
  return Buffer.concat([c.update(plaintext, 'utf8'), c.final(), c.getAuthTag()]);
}

/** AES-256-CBC with PKCS#7 (PKCS5Padding in Go/Java terms). */
export function cbcSeal(plaintext: string, secret: string, iv: Buffer): Buffer {
  const c = createCipheriv('aes-256-cbc', Buffer.from(secret, 'latin1'), iv);
  return Buffer.concat([c.update(plaintext, 'utf8'), c.final()]);
}

/**
 * token/python/token04/src/token04.py: keys app_id, user_id, nonce, ctime, expire, payload;
 * `json.dumps(separators=(',', ':'), ensure_ascii=False)`; nonce = random.randint(1, 90000000); the GCM nonce is
 * 12 characters of 0-9a-z; `payload` is passed through, so Python's None becomes JSON null.
 */
export function zegoPythonGcm(
  f: { appId: number; userId: string; nonce: number; ctime: number; expire: number; payload: string | null },
  secret: string,
  iv12: string,
): string {
  const plain = `{"app_id":${f.appId},"user_id":${JSON.stringify(f.userId)},"nonce":${f.nonce},"ctime":${f.ctime},"expire":${f.expire},"payload":${JSON.stringify(f.payload)}}`;
  const iv = Buffer.from(iv12, 'latin1');
  return zegoFrame(f.expire, iv, gcmSeal(plain, secret, iv), true);
}

/**
 * token/php/token04/src/ZEGO/ZegoServerAssistant.php: keys app_id, user_id, ctime, expire, nonce, payload;
 * `json_encode` escapes "/" as "\/" and non-ASCII as \uXXXX; nonce = rand(); GCM nonce = 12 characters of 0-9a-z.
 */
export function zegoPhpGcm(
  f: { appId: number; userId: string; nonce: number; ctime: number; expire: number; payload: string },
  secret: string,
  iv12: string,
): string {
  const php = (s: string) =>
    JSON.stringify(s)
      .replace(/\//g, '\\/')
      .replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  const plain = `{"app_id":${f.appId},"user_id":${php(f.userId)},"ctime":${f.ctime},"expire":${f.expire},"nonce":${f.nonce},"payload":${php(f.payload)}}`;
  const iv = Buffer.from(iv12, 'latin1');
  return zegoFrame(f.expire, iv, gcmSeal(plain, secret, iv), true);
}

/**
 * token/go/src/token04/token04.go (commit 29ad835e, before Go moved to GCM): struct order app_id, user_id, ctime,
 * expire, nonce, payload; encoding/json escapes <, > and & as \u003c, \u003e, \u0026; nonce = Int31();
 * IV = 16 characters of 0-9a-z; AES-CBC with PKCS5 padding; no mode byte.
 */
export function zegoGoCbc(
  f: { appId: number; userId: string; nonce: number; ctime: number; expire: number; payload: string },
  secret: string,
  iv16: string,
): string {
  const go = (s: string) =>
    JSON.stringify(s).replace(/[<>&]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  const plain = `{"app_id":${f.appId},"user_id":${go(f.userId)},"ctime":${f.ctime},"expire":${f.expire},"nonce":${f.nonce},"payload":${go(f.payload)}}`;
  const iv = Buffer.from(iv16, 'latin1');
  return zegoFrame(f.expire, iv, cbcSeal(plain, secret, iv), false);
}

/**
 * token/java/token04/src/im/zego/serverassistant/TokenServerAssistant.java (commit e69e5ff4): json-simple's
 * JSONObject is a HashMap, so the key order is the hash order (one such order below); the IV is 16 bytes from
 * ThreadLocalRandom.nextBytes (binary, not characters); AES/CBC/PKCS5Padding; no mode byte.
 */
export function zegoJavaCbc(
  f: { appId: number; userId: string; nonce: number; ctime: number; expire: number },
  secret: string,
  iv16: Buffer,
): string {
  const plain = `{"ctime":${f.ctime},"app_id":${f.appId},"payload":"","user_id":${JSON.stringify(f.userId)},"expire":${f.expire},"nonce":${f.nonce}}`;
  return zegoFrame(f.expire, iv16, cbcSeal(plain, secret, iv16), false);
}
