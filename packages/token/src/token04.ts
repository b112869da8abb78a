/**
 * Token04 generation, byte for byte as ZEGO's own generators (zego_server_assistant) make it:
 * current tokens as `token/nodejs/token04/server/zegoServerAssistant.ts` (AES-256-GCM), legacy ones as the older
 * `token/nodejs/token04/server/zegoServerAssistant.js` (AES-256-CBC). The envelope is in `token04Envelope.ts`.
 */
import { createCipheriv, randomBytes as cryptoRandomBytes } from 'node:crypto';
import { Token04GenerateError, Token04GenerateErrorCode } from './errors.js';
import { isServerSecret, serverSecretKey } from './serverSecret.js';
import {
  CBC_IV_LENGTH,
  GCM_IV_LENGTH,
  GCM_TAG_LENGTH,
  packToken04,
  type Token04Mode,
} from './token04Envelope.js';

/** The claims encrypted inside a Token04 (JSON keys app_id, user_id, nonce, ctime, expire, payload). */
export interface Token04Fields {
  /** uint32. */
  appId: number;
  userId: string;
  /** int32, random; may be negative. */
  nonce: number;
  /** Creation time, unix seconds. */
  ctime: number;
  /** Expiry, unix seconds. */
  expire: number;
  /** '' or a privilege payload (see {@link makePrivilegePayload}). */
  payload: string;
}

/** Sources of time and randomness for {@link generateToken04With}; the defaults are the clock and node:crypto. */
export interface Token04GenerateOptions {
  /** 'gcm' (default, current) or 'cbc' (legacy layout). */
  mode?: Token04Mode;
  /** Current time in unix seconds (an integer). */
  now?: () => number;
  /**
   * Random bytes. Called first for the 4 bytes of the nonce (read as a big-endian int32), then for the IV:
   * 12 bytes for GCM; for CBC, 16 bytes at a time, each byte below 252 becoming one IV character (byte % 36 of
   * "0-9a-z"), until 16 characters are drawn.
   */
  randomBytes?: (size: number) => Buffer;
}

/** Maximum userID length accepted by ZEGO's generator. */
const MAX_USER_ID_LENGTH = 64;
const UINT32_MAX = 0xffffffff;
/** The alphabet of ZEGO's legacy 16-character IVs (`makeRandomIv`). */
const IV_ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyz';
/** Largest multiple of 36 not above 256: bytes at or above it are dropped so every character is equally likely. */
const IV_BYTE_LIMIT = 252;

/**
 * Makes a Token04 (AES-256-GCM), with the signature, checks and errors of ZEGO's official Node.js generator.
 * `payload` is '' (a basic token: login and publish in any room) or a privilege payload.
 *
 * Throws a {@link Token04GenerateError} `{ errorCode, errorMessage }`: 1 appID invalid (not a uint32 > 0),
 * 3 userID invalid (empty or longer than 64), 5 secret invalid (not 32 ASCII characters), 6 effective time invalid
 * (not a positive integer).
 *
 * @example
 * const token = generateToken04(1234567, 'user1', serverSecret, 3600);
 * const strict = generateToken04(1234567, 'user1', serverSecret, 3600,
 *   makePrivilegePayload({ roomId: 'room1', canLogin: true, canPublish: false }));
 */
export function generateToken04(
  appId: number,
  userId: string,
  secret: string,
  effectiveTimeInSeconds: number,
  payload?: string,
): string {
  return generateToken04With({}, appId, userId, secret, effectiveTimeInSeconds, payload);
}

/**
 * Makes a legacy Token04 (AES-256-CBC, 16-character IV, no mode byte) exactly as ZEGO's older generators did.
 * Only for interoperability tests and old clients: CBC tokens are not authenticated, prefer {@link generateToken04}.
 * Same arguments and errors as {@link generateToken04}.
 *
 * @example
 * const legacy = generateToken04Cbc(1234567, 'user1', serverSecret, 3600);
 */
export function generateToken04Cbc(
  appId: number,
  userId: string,
  secret: string,
  effectiveTimeInSeconds: number,
  payload?: string,
): string {
  return generateToken04With({ mode: 'cbc' }, appId, userId, secret, effectiveTimeInSeconds, payload);
}

/**
 * {@link generateToken04} with an explicit mode, clock and random source, for deterministic tokens in tests.
 *
 * @example
 * const token = generateToken04With(
 *   { now: () => 1700000000, randomBytes: (n) => Buffer.alloc(n, 7) },
 *   1234567, 'user1', serverSecret, 3600,
 * );
 */
export function generateToken04With(
  options: Token04GenerateOptions,
  appId: number,
  userId: string,
  secret: string,
  effectiveTimeInSeconds: number,
  payload?: string,
): string {
  // ZEGO's checks, in ZEGO's order, tightened where theirs let through values that make a broken token
  // (fractional or out-of-range numbers, non-ASCII secrets).
  if (!appId || typeof appId !== 'number' || !Number.isInteger(appId) || appId < 0 || appId > UINT32_MAX) {
    throw new Token04GenerateError(Token04GenerateErrorCode.APP_ID_INVALID, 'appID invalid');
  }
  if (!userId || typeof userId !== 'string' || userId.length > MAX_USER_ID_LENGTH) {
    throw new Token04GenerateError(Token04GenerateErrorCode.USER_ID_INVALID, 'userId invalid');
  }
  if (!isServerSecret(secret)) {
    throw new Token04GenerateError(
      Token04GenerateErrorCode.SECRET_INVALID,
      'secret must be a 32 byte string',
    );
  }
  if (
    typeof effectiveTimeInSeconds !== 'number' ||
    !Number.isSafeInteger(effectiveTimeInSeconds) ||
    effectiveTimeInSeconds <= 0
  ) {
    throw new Token04GenerateError(
      Token04GenerateErrorCode.EFFECTIVE_TIME_INVALID,
      'effectiveTimeInSeconds invalid',
    );
  }
  const body = payload ?? '';
  if (typeof body !== 'string') throw new TypeError('payload must be a string');

  const mode = options.mode ?? 'gcm';
  const random = options.randomBytes ?? cryptoRandomBytes;
  const ctime = (options.now ?? unixNow)();
  if (!Number.isSafeInteger(ctime)) throw new TypeError('now() must return integer unix seconds');
  const expire = ctime + effectiveTimeInSeconds;
  if (!Number.isSafeInteger(expire)) {
    throw new Token04GenerateError(
      Token04GenerateErrorCode.EFFECTIVE_TIME_INVALID,
      'effectiveTimeInSeconds invalid',
    );
  }
  const nonce = draw(random, 4).readInt32BE(0);
  const iv = mode === 'gcm' ? draw(random, GCM_IV_LENGTH) : legacyIv(random);
  return encodeToken04({ appId, userId, nonce, ctime, expire, payload: body }, secret, mode, iv);
}

/**
 * Encrypts given claims with a given IV into a token, the JSON keys in ZEGO's order
 * (app_id, user_id, nonce, ctime, expire, payload). No argument checks beyond what the format needs.
 * @internal Exported for deterministic tests and interoperability checks; use the generators.
 */
export function encodeToken04(
  fields: Token04Fields,
  secret: string,
  mode: Token04Mode,
  iv: Uint8Array,
): string {
  const plaintext = JSON.stringify({
    app_id: fields.appId,
    user_id: fields.userId,
    nonce: fields.nonce,
    ctime: fields.ctime,
    expire: fields.expire,
    payload: fields.payload,
  });
  return sealToken04(plaintext, fields.expire, secret, mode, iv);
}

/**
 * Encrypts an arbitrary plaintext into a token whose clear-text header says `expire`. Lets tests build tokens the
 * generators never would (other key orders, wrong types, a header that disagrees with the claims).
 * Throws `TypeError` for a bad secret and `RangeError` for an IV of the wrong length.
 * @internal
 */
export function sealToken04(
  plaintext: string | Uint8Array,
  expire: number,
  secret: string,
  mode: Token04Mode,
  iv: Uint8Array,
): string {
  const key = serverSecretKey(secret);
  const ivBytes = Buffer.from(iv);
  const data = typeof plaintext === 'string' ? Buffer.from(plaintext, 'utf8') : Buffer.from(plaintext);
  let cipher: Buffer;
  if (mode === 'gcm') {
    if (ivBytes.length !== GCM_IV_LENGTH) throw new RangeError(`a GCM nonce has ${GCM_IV_LENGTH} bytes`);
    const aes = createCipheriv('aes-256-gcm', key, ivBytes, { authTagLength: GCM_TAG_LENGTH });
    cipher = Buffer.concat([aes.update(data), aes.final(), aes.getAuthTag()]);
  } else {
    if (ivBytes.length !== CBC_IV_LENGTH) throw new RangeError(`a CBC IV has ${CBC_IV_LENGTH} bytes`);
    const aes = createCipheriv('aes-256-cbc', key, ivBytes);
    cipher = Buffer.concat([aes.update(data), aes.final()]);
  }
  return packToken04({ expire, iv: ivBytes, cipher, mode });
}

function unixNow(): number {
  return Math.floor(Date.now() / 1000);
}

function draw(random: (size: number) => Buffer, size: number): Buffer {
  const bytes = random(size);
  if (!Buffer.isBuffer(bytes) || bytes.length !== size)
    throw new TypeError(`randomBytes(${size}) must return ${size} bytes`);
  return bytes;
}

/** A 16-character IV from "0-9a-z", like ZEGO's legacy `makeRandomIv`, but from a cryptographic source. */
function legacyIv(random: (size: number) => Buffer): Buffer {
  let iv = '';
  while (iv.length < CBC_IV_LENGTH) {
    for (const byte of draw(random, CBC_IV_LENGTH)) {
      if (byte < IV_BYTE_LIMIT && iv.length < CBC_IV_LENGTH) iv += IV_ALPHABET[byte % IV_ALPHABET.length];
    }
  }
  return Buffer.from(iv, 'latin1');
}
