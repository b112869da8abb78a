/**
 * Thrown when an SRTP or SRTCP packet fails authentication or is too malformed to authenticate. A receiver
 * drops such a packet and carries on: it is what an attacker or a broken path sends, never a fault of the
 * receiver. An adapter that puts these contexts under another stack translates it into that stack's own
 * "drop quietly" error (the SFU's werift adapter does).
 */
export class SrtpAuthError extends Error {
  override readonly name = 'SrtpAuthError';

  /** `what` says which kind of packet failed: 'SRTP' or 'SRTCP'. */
  constructor(readonly what: 'SRTP' | 'SRTCP') {
    super(`Failed to authenticate ${what} packet`);
  }
}
