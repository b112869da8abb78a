/**
 * The receiving side of a played stream in Node: answers the SFU's offer with a werift peer connection, rebuilds
 * complete frames from RTP and hands them to the play's {@link FrameSink}.
 */
import type {
  MediaKind,
  MediaStatsSnapshot,
  PlayConnection,
  PlayConnectionEvents,
  PlayMediaInfo,
  RecvTrackStats,
} from '@parley/engine';
import { MediaBreakWatch, SdpExchange } from '@parley/engine';
import { ErrorCode, longestReportGapMs, ParleyError } from '@parley/protocol';
import type { MediaStreamTrack, RTCRtpTransceiver, RtpPacket } from 'werift';
import { guarded } from '../../guarded.js';
import { FrameSink, type ReceivedFrame } from './FrameSink.js';
import { ReceivedTrack, type ReceivedTrackOptions } from './ReceivedTrack.js';
import { type ConnectionOptions, WeriftConnection } from './WeriftConnection.js';

/** Options of a play connection beyond the shared ones. */
export interface PlayConnectionOptions extends ConnectionOptions {
  /** Period of the connection's one timer (liveness, breaks, reorder deadlines, repeated PLIs); default 100 ms. */
  tickMs?: number | undefined;
  track?: ReceivedTrackOptions | undefined;
}

/**
 * A werift play connection. It answers recvonly (a kind the play does not want is answered `inactive`), NACKs
 * lost video packets through werift's receiver (which does so by itself when `nack` is negotiated), waits up to
 * 150 ms for retransmissions, drops incomplete video frames and everything after them until a key frame, which
 * it asks for with a PLI.
 *
 * Round-trip time: only the ICE agent's checks give one here. RTCP cannot: the SFU sends sender reports, our
 * receiver reports answer them, and the SFU measures the RTT; a receiver would need RTCP XR (DLRR), which neither
 * side sends.
 *
 * @example
 * const conn = backend.createPlayConnection({ streamID, output: sink, audio: true, video: true, iceServers, serverUrl });
 * const answer = await conn.acceptOffer(offerFromServer);
 */
/** werift's first consent check comes 4–6 s after connecting (RFC 7675). */
const CONSENT_REFRESH_MS = 6000;
/**
 * What the silence clock allows past the SFU's longest report gap: the timers' ticks and a busy event loop on
 * either side (a loaded server's report goes out late; a spurious restart costs more than a later notice).
 */
const REPORT_GAP_SLACK_MS = 2500;

export class WeriftPlayConnection extends WeriftConnection<PlayConnectionEvents> implements PlayConnection {
  /** performance.now() when connected; the RTT is unknown until a consent check refreshed it. */
  private connectedAt: number | null = null;
  readonly output: FrameSink;
  private readonly wanted: Record<MediaKind, boolean>;
  private readonly tracks = new Map<MediaKind, ReceivedTrack>();
  private readonly firstFrames = new Set<MediaKind>();
  private readonly breaks = new MediaBreakWatch();
  private readonly unsubscribers: (() => void)[] = [];
  private readonly trackOptions: ReceivedTrackOptions | undefined;
  private readonly exchange = new SdpExchange();
  /** A video packet came: the SFU's video reports (every 0.5–1.5 s) go on from then, media or not. */
  private heardVideo = false;

  /** Throws ParleyError 1100001 for a closed or foreign output, or when the server gave no STUN URL. */
  constructor(info: PlayMediaInfo<FrameSink>, options: PlayConnectionOptions) {
    if (!(info.output instanceof FrameSink) || info.output.closed) {
      throw ParleyError.of(
        ErrorCode.INPUT_PARAMETER,
        'the play output must be an open FrameSink of this backend',
      );
    }
    super(info, options, options.tickMs ?? 100);
    this.output = info.output;
    this.wanted = { audio: info.audio, video: info.video };
    this.trackOptions = options.track;
    this.unsubscribers.push(
      this.pc.onTrack.subscribe(
        this.guard('its track handler', (track: MediaStreamTrack) => this.attach(track)),
      ).unSubscribe,
    );
  }

  async acceptOffer(sdp: string): Promise<string> {
    this.checkOpen();
    this.exchange.acceptOffer(sdp);
    await this.pc.setRemoteDescription({ type: 'offer', sdp });
    this.checkOpen();
    for (const t of this.pc.getTransceivers()) {
      const kind = t.kind as MediaKind;
      t.setDirection(this.wanted[kind] ? 'recvonly' : 'inactive');
    }
    return this.completeLocalDescription('answer');
  }

  async stats(): Promise<MediaStatsSnapshot<RecvTrackStats>> {
    const report = await this.report();
    const now = performance.now();
    const snapshot: MediaStatsSnapshot<RecvTrackStats> = { at: now };
    for (const [kind, track] of this.tracks)
      snapshot[kind] = track.stats(this.breaks.totalBreakSeconds(kind, now));
    // A receiver has no RTCP round trip (that needs RTCP XR); the ICE pair's is used, but only once a consent
    // check (every 4–6 s, RFC 7675) has replaced the one measured during setup, which includes its delays.
    const { iceMs } = this.roundTrip(report);
    if (iceMs !== undefined && this.connectedAt !== null && now - this.connectedAt >= CONSENT_REFRESH_MS) {
      snapshot.rttMs = iceMs;
    }
    return snapshot;
  }

  protected onConnected(): void {
    // Frames start arriving now; the shared timer (onTick) watches for breaks.
    this.connectedAt = performance.now();
  }

  protected onClose(): void {
    for (const unsubscribe of this.unsubscribers) unsubscribe();
    this.unsubscribers.length = 0;
  }

  private transceiverOf(kind: MediaKind): RTCRtpTransceiver | undefined {
    return this.pc.getTransceivers().find((t) => t.kind === kind);
  }

  private attach(track: MediaStreamTrack): void {
    const kind = track.kind as MediaKind;
    if ((kind !== 'audio' && kind !== 'video') || !this.wanted[kind] || this.tracks.has(kind)) return;
    const receiver = this.transceiverOf(kind)?.receiver;
    let ssrc = track.ssrc ?? 0;
    const received = new ReceivedTrack(
      kind,
      {
        frame: (frame) => this.deliver(frame),
        loss: (what) => this.output.countLoss(what),
        requestKeyframe: () => {
          if (!receiver || this.closed || ssrc === 0) return;
          receiver.sendRtcpPLI(ssrc).catch(() => {
            // Closing: the next request will try again, if any.
          });
        },
      },
      this.trackOptions,
    );
    this.tracks.set(kind, received);
    this.unsubscribers.push(
      track.onReceiveRtp.subscribe(
        // A packet the depacketizer chokes on is logged and dropped (a gap it then treats as a loss), not fatal.
        guarded(this.log, `the ${kind} receiver of ${this.streamID}`, (packet: RtpPacket) => {
          if (this.closed) return;
          ssrc = packet.header.ssrc;
          if (kind === 'video') this.heardVideo = true;
          received.push(packet, performance.now());
        }),
      ).unSubscribe,
    );
    if (receiver) {
      // werift's receiver NACKs lost video packets by itself; it tells us each time it does.
      const nacks = receiver.onPacketLost.subscribe(
        this.guard('its NACK counter', () => {
          received.nackCount += 1;
        }),
      );
      this.unsubscribers.push(nacks.unSubscribe);
    }
  }

  private deliver(frame: ReceivedFrame): void {
    if (this.closed) return;
    const { kind } = frame;
    this.output.deliver(frame, this);
    if (!this.firstFrames.has(kind)) {
      this.firstFrames.add(kind);
      this.emit('firstFrame', kind);
    }
    if (this.breaks.frame(kind, frame.receivedAt)) this.emit('mediaBreak', kind, false);
  }

  /**
   * The SFU reports on a stream to its player once the stream's first packet went out: video every 0.5–1.5 s,
   * audio every 2.5–7.5 s. Until a video packet came (audio only, video muted or not wanted), the audio
   * reports may be all the player hears while the publisher sends nothing, so the SFU counts as gone only past
   * their longest gap.
   */
  protected override silenceBoundMs(disconnectedTimeoutMs: number): number {
    if (this.heardVideo) return disconnectedTimeoutMs;
    return Math.max(disconnectedTimeoutMs, longestReportGapMs('audio') + REPORT_GAP_SLACK_MS);
  }

  protected override onTick(now: number): void {
    for (const track of this.tracks.values()) track.tick(now);
    for (const kind of this.breaks.check(now)) this.emit('mediaBreak', kind, true);
  }
}
