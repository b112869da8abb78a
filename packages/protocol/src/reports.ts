/**
 * The RTCP sender reports the SFU sends each player, per stream, from the stream's first packet on:
 * libwebrtc's intervals (`kDefaultAudioReportInterval` 5 s, `kDefaultVideoReportInterval` 1 s), each randomized
 * over {@link REPORT_JITTER} of it (RFC 3550 §6.3.1). They go on while the stream's publisher sends nothing, so
 * a player that hears nothing from the SFU for longer than {@link longestReportGapMs} knows the SFU is gone.
 */
export const REPORT_INTERVAL_MS = { audio: 5000, video: 1000 } as const;

/** Each report interval is randomized between these multiples of it. */
export const REPORT_JITTER = { min: 0.5, max: 1.5 } as const;

/** The longest gap between two sender reports of a stream of `kind` once it sent its first packet. */
export function longestReportGapMs(kind: keyof typeof REPORT_INTERVAL_MS): number {
  return REPORT_INTERVAL_MS[kind] * REPORT_JITTER.max;
}
