/**
 * The ServerSecret: the 32-character per-app secret from which an app's own server makes Token04s.
 * Its 32 ASCII bytes, taken as they are (not hex-decoded), are the AES-256 key.
 */
import { randomBytes } from 'node:crypto';

/** Length of a ServerSecret in characters (= key bytes, since it is ASCII). */
export const SERVER_SECRET_LENGTH = 32;

/** True if `secret` can be a ServerSecret: a string of exactly 32 ASCII characters. */
export function isServerSecret(secret: unknown): secret is string {
  if (typeof secret !== 'string' || secret.length !== SERVER_SECRET_LENGTH) return false;
  for (let i = 0; i < secret.length; i++) if (secret.charCodeAt(i) > 0x7f) return false;
  return true;
}

/**
 * The AES-256 key of a ServerSecret. Throws `TypeError` if it is not 32 ASCII characters: a bad secret is a
 * configuration error of the caller, not a property of the (untrusted) token.
 * @internal
 */
export function serverSecretKey(secret: string): Buffer {
  if (!isServerSecret(secret))
    throw new TypeError('the ServerSecret must be a string of 32 ASCII characters');
  return Buffer.from(secret, 'latin1');
}

/**
 * A new random ServerSecret: 32 characters from [0-9a-f] (128 bits), like the ones ZEGO's consoles issue.
 *
 * @example
 * const secret = generateServerSecret(); // e.g. 'fa94dd0f974cf2e293728a526b028271'
 */
export function generateServerSecret(): string {
  return randomBytes(SERVER_SECRET_LENGTH / 2).toString('hex');
}
