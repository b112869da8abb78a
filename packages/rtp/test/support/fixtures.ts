/**
 * What the SRTP tests of @parley/rtp, of the SFU (against werift) and of the bench (its tag decoder) share:
 * both protection profiles with their salt lengths, and a seeded generator. Exported as
 * `@parley/rtp/test/fixtures` for tests only.
 */
import { SRTP_AEAD_AES_128_GCM, SRTP_AES128_CM_HMAC_SHA1_80 } from '../../src/index.js';

/** Both SRTP protection profiles, by name, with their master salt lengths in bytes. */
export const SRTP_TEST_PROFILES = [
  { name: 'AES_CM_128_HMAC_SHA1_80', id: SRTP_AES128_CM_HMAC_SHA1_80, saltLength: 14 },
  { name: 'AEAD_AES_128_GCM', id: SRTP_AEAD_AES_128_GCM, saltLength: 12 },
] as const;

/** A seeded generator (xorshift32), so a failure can be replayed. */
export function rng(seed: number): { int(n: number): number; bytes(n: number): Buffer } {
  let x = seed >>> 0 || 1;
  const next = (): number => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x;
  };
  return {
    int: (n) => next() % n,
    bytes: (n) => {
      const b = Buffer.alloc(n);
      for (let i = 0; i < n; i++) b[i] = next() & 0xff;
      return b;
    },
  };
}
