/**
 * Stable string codes for malformed or unsupported media input. Callers branch on `code`, never on
 * the message, which is meant for people.
 */
export type MediaFormatErrorCode =
  | 'truncated'
  | 'bad-signature'
  | 'bad-crc'
  | 'bad-structure'
  | 'unsupported'
  | 'out-of-range';

/**
 * Thrown by the IVF, Ogg, Opus and VP8 parsers when bytes do not follow the format. It is not an
 * Express API error: it never crosses the SDK surface without being translated.
 *
 * @example
 * try { parseIvf(bytes) } catch (e) { if (e instanceof MediaFormatError && e.code === 'truncated') retry() }
 */
export class MediaFormatError extends Error {
  override readonly name = 'MediaFormatError';

  constructor(
    readonly code: MediaFormatErrorCode,
    message: string,
  ) {
    super(message);
  }

  /** The input ended before `needed` bytes of `what` at byte `offset` could be read. */
  static truncated(what: string, offset: number, needed: number, available: number): MediaFormatError {
    return new MediaFormatError(
      'truncated',
      `${what} truncated at byte ${offset}: need ${needed} bytes, ${Math.max(0, available)} left`,
    );
  }
}
