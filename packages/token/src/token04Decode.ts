/**
 * Token04 decoding: envelope → decryption → claims, for current (GCM) and legacy (CBC) tokens alike.
 * Untrusted input: every malformation becomes a {@link TokenError}, never another exception.
 */
import { createDecipheriv } from 'node:crypto';
import { TextDecoder } from 'node:util';
import { TokenError } from './errors.js';
import { parsePrivilegePayload, type Token04Privilege } from './privilege.js';
import { serverSecretKey } from './serverSecret.js';
import type { Token04Fields } from './token04.js';
import {
  GCM_TAG_LENGTH,
  readToken04Envelope,
  type Token04Envelope,
  type Token04Mode,
} from './token04Envelope.js';

/** The decrypted content of a Token04. */
export interface Token04Claims extends Token04Fields {
  /** The parsed `payload`; null when it is '' (no restrictions). */
  privilege: Token04Privilege | null;
  /** How the token was encrypted. */
  mode: Token04Mode;
}

const UINT32_MAX = 0xffffffff;
const DECIMAL_APP_ID = /^[1-9][0-9]{0,9}$/;
const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Decrypts and parses a Token04 made with `secret`, GCM or legacy CBC (told apart by the trailing mode byte).
 * Checks the form only — not the app, the user or the time: that is {@link verifyToken04}.
 *
 * Throws {@link TokenError} (1102016) for anything that is not a well-formed token for this secret; the JSON
 * key order does not matter. Throws `TypeError` if `secret` itself is not 32 ASCII characters.
 *
 * @example
 * const claims = decodeToken04(token, serverSecret);
 * // { appId: 1234567, userId: 'user1', nonce: -81723, ctime: 1700000000, expire: 1700003600,
 * //   payload: '', privilege: null, mode: 'gcm' }
 */
export function decodeToken04(token: string, secret: string): Token04Claims {
  const key = serverSecretKey(secret);
  const envelope = readToken04Envelope(token);
  if (envelope.mode === 'gcm') return openClaims(envelope, key);
  // CBC is not authenticated: an attacker may flip ciphertext bits and watch which check fails. Every failure past
  // the envelope therefore looks the same, so the verifier cannot serve as a padding or format oracle.
  try {
    return openClaims(envelope, key);
  } catch (err) {
    if (err instanceof TokenError) throw undecryptable();
    throw err;
  }
}

function openClaims(envelope: Token04Envelope, key: Buffer): Token04Claims {
  const plaintext = decrypt(envelope, key);
  let text: string;
  try {
    text = utf8.decode(plaintext);
  } catch {
    throw TokenError.invalid('json', 'the claims are not UTF-8');
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw TokenError.invalid('json', 'the claims are not JSON');
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw TokenError.invalid('json', 'the claims are not a JSON object');
  }
  const claims = json as Record<string, unknown>;

  const appId = readAppId(claims['app_id']);
  const userId = claims['user_id'];
  if (typeof userId !== 'string' || userId === '') throw claimError('user_id');
  const nonce = readInteger(claims, 'nonce');
  const ctime = readInteger(claims, 'ctime');
  const expire = readInteger(claims, 'expire');
  const rawPayload = claims['payload'];
  // Every ZEGO generator writes a string; Python's passes its argument through, so tolerate null and absence.
  if (rawPayload !== undefined && rawPayload !== null && typeof rawPayload !== 'string')
    throw claimError('payload');
  const payload = typeof rawPayload === 'string' ? rawPayload : '';

  // The clear-text expire is outside the encryption (GCM has no AAD here); it must agree with the sealed one.
  if (expire !== envelope.expire) {
    throw TokenError.invalid('expire_mismatch', 'the clear-text expire differs from the encrypted one');
  }
  const privilege = parsePrivilegePayload(payload);
  return { appId, userId, nonce, ctime, expire, payload, privilege, mode: envelope.mode };
}

function decrypt(envelope: Token04Envelope, key: Buffer): Buffer {
  const { iv, cipher, mode } = envelope;
  try {
    if (mode === 'gcm') {
      const split = cipher.length - GCM_TAG_LENGTH;
      const aes = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: GCM_TAG_LENGTH });
      aes.setAuthTag(cipher.subarray(split));
      return Buffer.concat([aes.update(cipher.subarray(0, split)), aes.final()]);
    }
    const aes = createDecipheriv('aes-256-cbc', key, iv);
    return Buffer.concat([aes.update(cipher), aes.final()]);
  } catch {
    throw undecryptable();
  }
}

function undecryptable(): TokenError {
  return TokenError.invalid('decrypt', 'it cannot be decrypted with this secret');
}

function readAppId(value: unknown): number {
  // A number everywhere we know of; a decimal string is accepted in case a generator quoted the uint32.
  const n = typeof value === 'string' && DECIMAL_APP_ID.test(value) ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isInteger(n) || n <= 0 || n > UINT32_MAX) throw claimError('app_id');
  return n;
}

function readInteger(claims: Record<string, unknown>, name: string): number {
  const value = claims[name];
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) throw claimError(name);
  return value;
}

function claimError(name: string): TokenError {
  return TokenError.invalid('claims', `claim ${name} is missing or has the wrong type`);
}
