/**
 * The SFU's own defaults, kept free of werift so the configuration schema (which documents them as the
 * server's defaults) can import them without loading the media stack.
 */
export const SFU_DEFAULTS = {
  maxTransports: 500,
  maxPlayersPerStream: 100,
  keyframeRequestIntervalMs: 500,
  retransmissionBufferSize: 1024,
  connectTimeoutMs: 20_000,
  inactivityTimeoutMs: 15_000,
  pipeInactivityTimeoutMs: 10_000,
} as const;
