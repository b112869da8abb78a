/**
 * The signature of a server callback, as ZEGO computes it: the SHA-1 (hex) of the callback secret, the timestamp
 * and the nonce, sorted as strings and joined without a separator. A receiver recomputes it from the body's
 * `timestamp` and `nonce` and its own copy of the secret.
 */
import { createHash, randomInt } from 'node:crypto';

/** The hex SHA-1 of `[secret, timestamp, nonce]` sorted and joined. */
export function callbackSignature(secret: string, timestamp: number | string, nonce: string): string {
  // Plain code-unit order, as PHP's sort(SORT_STRING) in ZEGO's sample: no locale.
  const parts = [secret, String(timestamp), nonce].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return createHash('sha1').update(parts.join('')).digest('hex');
}

/** A fresh nonce: a random decimal number as a string, as ZEGO sends it. */
export function callbackNonce(): string {
  return String(randomInt(0, 2 ** 47));
}
