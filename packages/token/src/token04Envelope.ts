/**
 * The Token04 envelope: the clear-text binary frame around the encrypted claims, and its text form.
 *
 * Big-endian, as every ZEGO generator writes it:
 *
 *     expire:int64 | ivLen:uint16 | iv | cipherLen:uint16 | cipher | mode:uint8
 *
 * The mode byte (1 = AES-256-GCM, cipher = ciphertext ‖ 16-byte tag) is present in current tokens and absent in
 * legacy AES-256-CBC ones. Token = "04" + standard padded base64 of the frame.
 */
import { TokenError } from './errors.js';

/** How the claims are encrypted: current `gcm`, or legacy `cbc` (older ZEGO generators). */
export type Token04Mode = 'gcm' | 'cbc';

/** The parts of a Token04 that can be read without the secret. */
export interface Token04Envelope {
  /** Unix seconds, in clear; the verifier requires it to equal the encrypted `expire`. */
  expire: number;
  /** 12 bytes for GCM (the nonce), 16 for CBC. */
  iv: Buffer;
  /** GCM: ciphertext ‖ 16-byte tag. CBC: PKCS#7-padded ciphertext. */
  cipher: Buffer;
  mode: Token04Mode;
}

/** The version prefix of every Token04. */
export const TOKEN04_VERSION = '04';
/** IV length of GCM tokens (the GCM nonce). */
export const GCM_IV_LENGTH = 12;
/** Length of the GCM authentication tag appended to the ciphertext. */
export const GCM_TAG_LENGTH = 16;
/** IV length of legacy CBC tokens (one AES block). */
export const CBC_IV_LENGTH = 16;

/** Mode byte values, from ZEGO's `AesEncryptMode` enum (CBCPKCS5Padding = 0, GCM = 1). */
const MODE_BYTE_CBC = 0;
const MODE_BYTE_GCM = 1;
const AES_BLOCK = 16;
const UINT16_MAX = 0xffff;
const HEADER_EXPIRE = 8;
const LENGTH_FIELD = 2;
/** The largest frame the length fields allow; anything longer cannot be a Token04. */
const MAX_FRAME = HEADER_EXPIRE + LENGTH_FIELD + UINT16_MAX + LENGTH_FIELD + UINT16_MAX + 1;
const MAX_TOKEN_LENGTH = TOKEN04_VERSION.length + 4 * Math.ceil(MAX_FRAME / 3);
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * Serialises an envelope to the token string. Throws `RangeError` if a part does not fit its uint16 length field
 * or `expire` is not a safe integer.
 * @internal Exported for tests and interoperability checks; use the generators.
 */
export function packToken04(envelope: Token04Envelope): string {
  const { expire, iv, cipher, mode } = envelope;
  if (!Number.isSafeInteger(expire)) throw new RangeError('expire must be a safe integer');
  if (iv.length > UINT16_MAX || cipher.length > UINT16_MAX) {
    throw new RangeError('the token is too large: the IV and the cipher must each be at most 65535 bytes');
  }
  const modeBytes = mode === 'gcm' ? 1 : 0;
  const frame = Buffer.alloc(
    HEADER_EXPIRE + LENGTH_FIELD + iv.length + LENGTH_FIELD + cipher.length + modeBytes,
  );
  let at = frame.writeBigInt64BE(BigInt(expire), 0);
  at = frame.writeUInt16BE(iv.length, at);
  at += iv.copy(frame, at);
  at = frame.writeUInt16BE(cipher.length, at);
  at += cipher.copy(frame, at);
  if (mode === 'gcm') frame.writeUInt8(MODE_BYTE_GCM, at);
  return TOKEN04_VERSION + frame.toString('base64');
}

/**
 * Reads the clear-text envelope of a Token04 without decrypting it. Throws a {@link TokenError} (1102016) if the
 * string is not a well-formed Token04 envelope; never throws anything else, whatever `token` is.
 *
 * @example
 * const { expire, mode } = readToken04Envelope(token); // e.g. { expire: 1744005797, mode: 'gcm', … }
 */
export function readToken04Envelope(token: unknown): Token04Envelope {
  if (typeof token !== 'string') throw TokenError.invalid('version', 'not a string');
  if (!token.startsWith(TOKEN04_VERSION)) throw TokenError.invalid('version', 'does not start with "04"');
  if (token.length > MAX_TOKEN_LENGTH) throw TokenError.invalid('layout', 'too long');
  const frame = decodeBase64Strict(token.slice(TOKEN04_VERSION.length));

  if (frame.length < HEADER_EXPIRE + LENGTH_FIELD) throw TokenError.invalid('layout', 'truncated header');
  const expireBig = frame.readBigInt64BE(0);
  if (expireBig > BigInt(Number.MAX_SAFE_INTEGER) || expireBig < BigInt(Number.MIN_SAFE_INTEGER)) {
    throw TokenError.invalid('layout', 'expire out of range');
  }
  let at = HEADER_EXPIRE;
  const ivLength = frame.readUInt16BE(at);
  at += LENGTH_FIELD;
  if (frame.length < at + ivLength + LENGTH_FIELD) throw TokenError.invalid('layout', 'truncated IV');
  const iv = frame.subarray(at, at + ivLength);
  at += ivLength;
  const cipherLength = frame.readUInt16BE(at);
  at += LENGTH_FIELD;
  if (frame.length < at + cipherLength) throw TokenError.invalid('layout', 'truncated cipher');
  const cipher = frame.subarray(at, at + cipherLength);
  at += cipherLength;

  const trailing = frame.length - at;
  let mode: Token04Mode;
  if (trailing === 0) mode = 'cbc';
  else if (trailing === 1 && frame[at] === MODE_BYTE_GCM) mode = 'gcm';
  else if (trailing === 1 && frame[at] === MODE_BYTE_CBC) mode = 'cbc';
  else if (trailing === 1) throw TokenError.invalid('layout', `unknown encryption mode ${frame[at]}`);
  else throw TokenError.invalid('layout', `${trailing} bytes after the cipher`);

  if (mode === 'gcm') {
    if (iv.length !== GCM_IV_LENGTH) throw TokenError.invalid('layout', `GCM nonce of ${iv.length} bytes`);
    if (cipher.length < GCM_TAG_LENGTH) throw TokenError.invalid('layout', 'GCM cipher shorter than its tag');
  } else {
    if (iv.length !== CBC_IV_LENGTH) throw TokenError.invalid('layout', `CBC IV of ${iv.length} bytes`);
    if (cipher.length === 0 || cipher.length % AES_BLOCK !== 0) {
      throw TokenError.invalid('layout', 'CBC cipher is not a whole number of blocks');
    }
  }
  return { expire: Number(expireBig), iv, cipher, mode };
}

/** Standard padded base64 only, in its one canonical spelling (Buffer.from alone silently skips bad input). */
function decodeBase64Strict(text: string): Buffer {
  if (text.length % 4 !== 0 || !BASE64.test(text)) throw TokenError.invalid('base64', 'not padded base64');
  const bytes = Buffer.from(text, 'base64');
  if (bytes.toString('base64') !== text) throw TokenError.invalid('base64', 'not canonical base64');
  return bytes;
}
