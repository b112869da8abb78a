/**
 * The periodic quality events of an engine: at every interval, the statistics of each live media connection,
 * turned into rates since the previous report of the same connection.
 */
import { guarded } from './guarded.js';
import type { EngineLogger } from './Logger.js';
import type { MediaStatsSnapshot, PlayConnection, PublishConnection } from './MediaBackend.js';
import { type PlayQuality, type PublishQuality, playQuality, publishQuality } from './quality.js';

export interface QualitySources {
  /** The live connections of the published streams, by streamID. */
  publishing(): [streamID: string, conn: PublishConnection][];
  /** The live connections of the played streams, by streamID. */
  playing(): [streamID: string, conn: PlayConnection][];
  publishQuality(streamID: string, quality: PublishQuality): void;
  playQuality(streamID: string, quality: PlayQuality): void;
}

/**
 * @example
 * const reports = new QualityReports(sources, 3000, logger);
 * reports.connectionLive(conn); // when a connection comes up
 * reports.close();
 */
export class QualityReports {
  /** The previous stats snapshot of each connection, for rates between two reports. */
  private readonly lastStats = new WeakMap<object, MediaStatsSnapshot<never>>();
  private readonly timer: ReturnType<typeof setInterval>;
  private closed = false;

  constructor(
    private readonly sources: QualitySources,
    intervalMs: number,
    private readonly log: EngineLogger,
  ) {
    this.timer = setInterval(
      guarded(log, 'the quality report timer', () => this.report()),
      intervalMs,
    );
    (this.timer as { unref?: () => void }).unref?.();
  }

  /** A media connection is up: its first snapshot is what its first report's rates start from. */
  connectionLive(conn: { stats(): Promise<unknown> }): void {
    // Reports go on without a first snapshot (the first rates are then unknown): a backend whose stats() throws
    // or rejects costs a log line, not the connection that just came up.
    guarded(this.log, 'the first stats snapshot', async () => {
      const snapshot = await conn.stats();
      if (!this.lastStats.has(conn)) this.lastStats.set(conn, snapshot as MediaStatsSnapshot<never>);
    })();
  }

  close(): void {
    this.closed = true;
    clearInterval(this.timer);
  }

  private async report(): Promise<void> {
    const one = async <T>(
      conn: { stats(): Promise<MediaStatsSnapshot<T>> },
      emit: (prev: MediaStatsSnapshot<T> | null, cur: MediaStatsSnapshot<T>) => void,
    ): Promise<void> => {
      try {
        const cur = await conn.stats();
        const prev = (this.lastStats.get(conn) as MediaStatsSnapshot<T> | undefined) ?? null;
        this.lastStats.set(conn, cur as MediaStatsSnapshot<never>);
        if (!this.closed) emit(prev, cur);
      } catch (err) {
        this.log.debug('media stats failed', { err: err instanceof Error ? err.message : String(err) });
      }
    };
    const { sources } = this;
    await Promise.all([
      ...sources
        .publishing()
        .map(([streamID, conn]) =>
          one(conn, (prev, cur) => sources.publishQuality(streamID, publishQuality(prev, cur))),
        ),
      ...sources
        .playing()
        .map(([streamID, conn]) =>
          one(conn, (prev, cur) => sources.playQuality(streamID, playQuality(prev, cur))),
        ),
    ]);
  }
}
