/**
 * The receiving side of a played stream in the browser: answers the SFU's offer (recvonly for the kinds the app
 * wants, inactive for the others), puts the received tracks into the app's MediaStream, and watches the stats
 * for the first decoded frame and for stalls.
 */
import {
  MediaBreakWatch,
  type MediaKind,
  type MediaStatsSnapshot,
  type PlayConnection,
  type PlayConnectionEvents,
  type PlayMediaInfo,
  type RecvTrackStats,
  SdpExchange,
} from '@parley/engine';
import { BrowserConnection } from './BrowserConnection.js';
import { progressCounters, recvStats } from './browserStats.js';

/** Stats are polled this often until the first frames arrived (the first-frame event is this precise)… */
export const STARTUP_POLL_MS = 20;
/** The fast polling ends after this long even if a kind never shows a frame. */
export const STARTUP_WINDOW_MS = 10_000;
/** …and this often afterwards, to notice stalls. */
export const WATCH_POLL_MS = 200;

/**
 * @example
 * const conn = new BrowserPlayConnection({ streamID, output, audio: true, video: true, iceServers, serverUrl });
 * const answer = await conn.acceptOffer(offerFromServer);
 */
export class BrowserPlayConnection extends BrowserConnection<PlayConnectionEvents> implements PlayConnection {
  private readonly output: MediaStream;
  private readonly wanted: Record<MediaKind, boolean>;
  private readonly breaks = new MediaBreakWatch();
  private readonly seen = new Set<MediaKind>();
  private readonly last: Partial<Record<MediaKind, number>> = {};
  private readonly exchange = new SdpExchange();
  private acceptedAt = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private polling = false;
  private readonly onTrack = (event: RTCTrackEvent) => this.attach(event.track);

  constructor(info: PlayMediaInfo<MediaStream>, onClosed?: () => void) {
    super(info, onClosed);
    this.output = info.output;
    this.wanted = { audio: info.audio, video: info.video };
    this.pc.addEventListener('track', this.onTrack);
  }

  async acceptOffer(sdp: string): Promise<string> {
    this.checkOpen();
    this.exchange.acceptOffer(sdp);
    this.acceptedAt = performance.now();
    await this.pc.setRemoteDescription({ type: 'offer', sdp });
    this.checkOpen();
    for (const t of this.pc.getTransceivers()) {
      const kind = t.receiver.track.kind as MediaKind;
      t.direction = this.wanted[kind] ? 'recvonly' : 'inactive';
    }
    const answer = await this.completeLocalDescription('answer');
    this.schedulePoll(STARTUP_POLL_MS);
    return answer;
  }

  async stats(): Promise<MediaStatsSnapshot<RecvTrackStats>> {
    const report = await this.pc.getStats();
    const now = performance.now();
    const snapshot: MediaStatsSnapshot<RecvTrackStats> = {
      at: now,
      ...recvStats(report, (kind) => this.breaks.totalBreakSeconds(kind, now)),
    };
    for (const kind of ['audio', 'video'] as const) if (!this.wanted[kind]) delete snapshot[kind];
    const rtt = BrowserConnection.iceRoundTripMs(report);
    if (rtt !== undefined) snapshot.rttMs = rtt;
    return snapshot;
  }

  protected onClose(): void {
    this.pc.removeEventListener('track', this.onTrack);
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }

  /** A received track replaces the output's track of its kind (a retry brings new ones into the same stream). */
  private attach(track: MediaStreamTrack): void {
    const kind = track.kind as MediaKind;
    if ((kind !== 'audio' && kind !== 'video') || !this.wanted[kind]) return;
    for (const old of this.output.getTracks()) {
      if (old.kind === kind && old !== track) {
        this.output.removeTrack(old);
        old.stop();
      }
    }
    if (!this.output.getTracks().includes(track)) this.output.addTrack(track);
  }

  private schedulePoll(delayMs: number): void {
    if (this.closed || this.timer !== null) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.poll();
    }, delayMs);
  }

  /** Reads the progress counters: first frames, stalls (a kind whose counter stopped), resumptions. */
  private async poll(): Promise<void> {
    if (this.closed || this.polling) return;
    this.polling = true;
    try {
      const counters = progressCounters(await this.pc.getStats());
      if (this.closed) return;
      const now = performance.now();
      for (const kind of ['audio', 'video'] as const) {
        const count = counters[kind];
        if (!this.wanted[kind] || count === undefined || count === 0) continue;
        if (count === this.last[kind]) continue;
        this.last[kind] = count;
        if (!this.seen.has(kind)) {
          this.seen.add(kind);
          this.emit('firstFrame', kind);
        }
        if (this.breaks.frame(kind, now)) this.emit('mediaBreak', kind, false);
      }
      for (const kind of this.breaks.check(now)) this.emit('mediaBreak', kind, true);
    } catch {
      // getStats of a closing connection: the next poll (if any) tries again.
    } finally {
      this.polling = false;
    }
    // Fast while a kind that arrives has not shown its first frame yet, for at most STARTUP_WINDOW_MS.
    const waiting = this.output.getTracks().some((t) => !this.seen.has(t.kind as MediaKind));
    const starting = waiting && performance.now() - this.acceptedAt < STARTUP_WINDOW_MS;
    this.schedulePoll(starting ? STARTUP_POLL_MS : WATCH_POLL_MS);
  }
}
