/**
 * Errors of the SFU layer. Each carries a stable string `code`; the rooms layer maps them to Express codes
 * (the SFU knows nothing of Express, rooms or users).
 */

/** The stable codes of {@link SfuError}. */
export type SfuErrorCode =
  | 'CLOSED'
  | 'TRANSPORT_LIMIT'
  | 'PLAYER_LIMIT'
  | 'STREAM_NOT_FOUND'
  | 'INVALID_SDP'
  | 'NEGOTIATION_FAILED';

/**
 * An SFU failure with a stable code.
 * @example
 * try { await router.play('p1', 's1'); } catch (e) { if (e instanceof SfuError && e.code === 'PLAYER_LIMIT') ... }
 */
export class SfuError extends Error {
  readonly code: SfuErrorCode;

  constructor(code: SfuErrorCode, message: string) {
    super(`${code}: ${message}`);
    this.name = 'SfuError';
    this.code = code;
  }

  /** A call on something already closed. */
  static closed(what: string): SfuError {
    return new SfuError('CLOSED', `${what} is closed`);
  }

  /** The router already holds `max` transports. */
  static transportLimit(max: number): SfuError {
    return new SfuError('TRANSPORT_LIMIT', `the SFU already has its maximum of ${max} transports`);
  }

  /** The stream already has `max` players. */
  static playerLimit(streamKey: string, max: number): SfuError {
    return new SfuError('PLAYER_LIMIT', `stream ${streamKey} already has its maximum of ${max} players`);
  }

  static streamNotFound(streamKey: string): SfuError {
    return new SfuError('STREAM_NOT_FOUND', `no stream ${streamKey} is published`);
  }

  static invalidSdp(detail: string): SfuError {
    return new SfuError('INVALID_SDP', detail);
  }

  static negotiationFailed(detail: string): SfuError {
    return new SfuError('NEGOTIATION_FAILED', detail);
  }
}
