/**
 * The AppSign of the native face (express-api.md §4): 64 hex characters per AppID, given to `createEngine`.
 * It proves the app, not the user, and never crosses the wire: the client answers the server's challenge with an
 * HMAC keyed by it, and the server, which knows the AppSign too, checks the answer.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { TokenErrorCode } from './errors.js';

/** The login challenge an AppSign proof answers. */
export interface AppSignChallenge {
  /** The server's one-time challenge for this connection. */
  nonce: string;
  /** uint32. */
  appId: number;
  userId: string;
}

/** Length of an AppSign in hex characters (32 key bytes). */
export const APP_SIGN_LENGTH = 64;
/** Domain separation for the proof, versioned so the message format can change later. */
const PROOF_LABEL = 'parley-appsign-v1';
const HEX_64 = /^[0-9a-fA-F]{64}$/;
const UINT32_MAX = 0xffffffff;

/**
 * Checks the form of an AppSign: 0 if it is 64 hexadecimal characters (either case), 1001001 if it is not a string
 * of 64 characters, 1001002 if it has a non-hexadecimal character.
 *
 * @example
 * validateAppSign('ab'.repeat(32)); // 0
 * validateAppSign('abc');           // 1001001
 */
export function validateAppSign(appSign: unknown): 0 | 1001001 | 1001002 {
  if (typeof appSign !== 'string' || appSign.length !== APP_SIGN_LENGTH)
    return TokenErrorCode.APP_SIGN_LENGTH;
  if (!HEX_64.test(appSign)) return TokenErrorCode.APP_SIGN_CHARACTERS;
  return 0;
}

/**
 * The proof of an AppSign for one challenge: lowercase hex HMAC-SHA256, keyed with the 32 bytes the AppSign's hex
 * decodes to, over an unambiguous encoding of the challenge — the ASCII label "parley-appsign-v1", then appId as a
 * big-endian uint32, then nonce and userId each as a big-endian uint32 byte length followed by its UTF-8 bytes.
 * Throws `TypeError` for a malformed AppSign or challenge.
 *
 * @example
 * const proof = appSignProof(appSign, { nonce: helloNonce, appId: 1234567, userId: 'user1' });
 */
export function appSignProof(appSign: string, challenge: AppSignChallenge): string {
  if (validateAppSign(appSign) !== 0) throw new TypeError('appSign must be 64 hexadecimal characters');
  const message = proofMessage(challenge);
  if (message === null) {
    throw new TypeError('the challenge needs a uint32 appId and well-formed string nonce and userId');
  }
  return hmac(appSign, message).toString('hex');
}

/**
 * Checks a proof made by {@link appSignProof}, in constant time. Returns false — never throws — for a wrong proof
 * and for any malformed input (proof of the wrong length or not hex, bad AppSign, bad challenge).
 *
 * @example
 * if (!verifyAppSignProof(app.appSign, { nonce, appId, userId }, login.proof)) reject(1001005);
 */
export function verifyAppSignProof(appSign: string, challenge: AppSignChallenge, proof: unknown): boolean {
  if (validateAppSign(appSign) !== 0) return false;
  if (typeof proof !== 'string' || !HEX_64.test(proof)) return false;
  const message = proofMessage(challenge);
  if (message === null) return false;
  return timingSafeEqual(hmac(appSign, message), Buffer.from(proof, 'hex'));
}

/**
 * A new random AppSign: 64 lowercase hex characters (256 bits).
 *
 * @example
 * const appSign = generateAppSign();
 */
export function generateAppSign(): string {
  return randomBytes(APP_SIGN_LENGTH / 2).toString('hex');
}

function hmac(appSign: string, message: Buffer): Buffer {
  return createHmac('sha256', Buffer.from(appSign, 'hex')).update(message).digest();
}

/** The bytes the proof covers, or null if the challenge cannot be encoded without ambiguity. */
function proofMessage(challenge: unknown): Buffer | null {
  if (typeof challenge !== 'object' || challenge === null) return null;
  const { nonce, appId, userId } = challenge as Record<string, unknown>;
  if (typeof appId !== 'number' || !Number.isInteger(appId) || appId < 0 || appId > UINT32_MAX) return null;
  if (!isWellFormedString(nonce) || !isWellFormedString(userId)) return null;
  const id = Buffer.alloc(4);
  id.writeUInt32BE(appId);
  return Buffer.concat([
    Buffer.from(PROOF_LABEL, 'ascii'),
    id,
    lengthPrefixed(nonce),
    lengthPrefixed(userId),
  ]);
}

function lengthPrefixed(text: string): Buffer {
  const bytes = Buffer.from(text, 'utf8');
  const length = Buffer.alloc(4);
  length.writeUInt32BE(bytes.length);
  return Buffer.concat([length, bytes]);
}

/**
 * A string without lone surrogates. UTF-8 encoding turns each lone surrogate into U+FFFD, so two different strings
 * would otherwise have the same proof.
 */
function isWellFormedString(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  for (let i = 0; i < value.length; i++) {
    const unit = value.charCodeAt(i);
    if (unit >= 0xd800 && unit <= 0xdbff) {
      const next = value.charCodeAt(i + 1);
      if (!(next >= 0xdc00 && next <= 0xdfff)) return false;
      i++;
    } else if (unit >= 0xdc00 && unit <= 0xdfff) {
      return false;
    }
  }
  return true;
}
