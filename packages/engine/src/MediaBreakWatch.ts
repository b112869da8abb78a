/**
 * Media break detection of a play connection: a kind that was flowing and has had no frame for longer than its
 * threshold is broken; its next frame resumes it. Break time is summed from detection to resumption.
 */
import type { MediaKind } from './MediaBackend.js';

/** Thresholds: audio > 500 ms, video > 1 s without a frame. */
export const BREAK_THRESHOLD_MS: Record<MediaKind, number> = { audio: 500, video: 1000 };

interface KindState {
  lastFrameAt: number | null;
  brokenSince: number | null;
  totalMs: number;
}

/**
 * @example
 * const watch = new MediaBreakWatch();
 * if (watch.frame('audio', now)) emit('mediaBreak', 'audio', false);     // resumed
 * for (const kind of watch.check(now)) emit('mediaBreak', kind, true);  // from a timer
 */
export class MediaBreakWatch {
  private readonly kinds: Record<MediaKind, KindState> = {
    audio: { lastFrameAt: null, brokenSince: null, totalMs: 0 },
    video: { lastFrameAt: null, brokenSince: null, totalMs: 0 },
  };

  constructor(private readonly thresholds: Record<MediaKind, number> = BREAK_THRESHOLD_MS) {}

  /** A frame of `kind` arrived; returns true if it ends a break. */
  frame(kind: MediaKind, now: number): boolean {
    const s = this.kinds[kind];
    s.lastFrameAt = now;
    if (s.brokenSince === null) return false;
    s.totalMs += Math.max(0, now - s.brokenSince);
    s.brokenSince = null;
    return true;
  }

  /** The kinds that have just become broken. */
  check(now: number): MediaKind[] {
    const out: MediaKind[] = [];
    for (const kind of ['audio', 'video'] as const) {
      const s = this.kinds[kind];
      if (s.lastFrameAt === null || s.brokenSince !== null) continue;
      if (now - s.lastFrameAt > this.thresholds[kind]) {
        s.brokenSince = now;
        out.push(kind);
      }
    }
    return out;
  }

  isBroken(kind: MediaKind): boolean {
    return this.kinds[kind].brokenSince !== null;
  }

  /** Seconds of break of `kind`, the current one included up to `now`. */
  totalBreakSeconds(kind: MediaKind, now: number): number {
    const s = this.kinds[kind];
    const current = s.brokenSince === null ? 0 : Math.max(0, now - s.brokenSince);
    return (s.totalMs + current) / 1000;
  }
}
