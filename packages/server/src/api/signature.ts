/**
 * The signature of a server API request (ZEGO's SignatureVersion 2.0): lowercase hex
 * md5(AppId + SignatureNonce + ServerSecret + Timestamp). The server checks it; {@link ApiClient} makes it.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_VERSION = '2.0';

/** The signature of one request. */
export function apiSignature(
  appID: number,
  nonce: string,
  serverSecret: string,
  timestampSeconds: number,
): string {
  return createHash('md5').update(`${appID}${nonce}${serverSecret}${timestampSeconds}`).digest('hex');
}

/** True if `signature` is the request's own, compared in constant time. */
export function signatureMatches(
  signature: string,
  appID: number,
  nonce: string,
  serverSecret: string,
  timestampSeconds: number,
): boolean {
  const expected = Buffer.from(apiSignature(appID, nonce, serverSecret, timestampSeconds), 'utf8');
  const given = Buffer.from(signature.toLowerCase(), 'utf8');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** A fresh SignatureNonce: 8 random bytes as 16 hex characters, as ZEGO's examples make them. */
export function newNonce(): string {
  return randomBytes(8).toString('hex');
}
