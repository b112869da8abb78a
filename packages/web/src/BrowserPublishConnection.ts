/**
 * The sending side of a published stream in the browser: the local stream's tracks on sendonly transceivers of
 * one RTCPeerConnection to the SFU, the asked-for video codec first.
 */
import type {
  MediaConnectionEvents,
  MediaStatsSnapshot,
  PublishConnection,
  PublishMediaInfo,
  SendTrackStats,
  VideoCodecName,
} from '@parley/engine';
import { ErrorCode, ParleyError } from '@parley/protocol';
import { BrowserConnection } from './BrowserConnection.js';
import { senderRoundTripMs, sendStats } from './browserStats.js';
import { type LocalSource, mediaStreamOf } from './localSource.js';

/**
 * @example
 * const conn = new BrowserPublishConnection({ streamID, source: local, iceServers, serverUrl });
 * await conn.setAnswer(await sendToServer(await conn.createOffer()));
 */
export class BrowserPublishConnection
  extends BrowserConnection<MediaConnectionEvents>
  implements PublishConnection
{
  private offered = false;
  private answered = false;

  /** Throws ParleyError 1100001 for a stream without a live track. */
  constructor(info: PublishMediaInfo<LocalSource>, onClosed?: () => void) {
    const stream = mediaStreamOf(info.source);
    const tracks = stream?.getTracks().filter((t) => t.readyState === 'live') ?? [];
    if (!stream || tracks.length === 0) {
      throw ParleyError.of(ErrorCode.INPUT_PARAMETER, 'the local stream has no live track to publish');
    }
    super(info, onClosed);
    // Audio first, then video: the order the SFU and the other SDKs use.
    for (const kind of ['audio', 'video'] as const) {
      const track = tracks.find((t) => t.kind === kind);
      if (!track) continue;
      const transceiver = this.pc.addTransceiver(track, { direction: 'sendonly', streams: [stream] });
      if (kind === 'video') preferCodec(transceiver, info.videoCodec ?? 'VP8');
    }
  }

  async createOffer(): Promise<string> {
    this.checkOpen();
    if (this.offered) throw new Error('createOffer() was already called on this connection');
    this.offered = true;
    return this.completeLocalDescription('offer');
  }

  async setAnswer(sdp: string): Promise<void> {
    this.checkOpen();
    if (!this.offered) throw new Error('setAnswer() before createOffer()');
    if (this.answered) throw new Error('the answer was already applied');
    if (typeof sdp !== 'string' || !sdp.startsWith('v=0'))
      throw new TypeError('the answer must be an SDP string');
    this.answered = true;
    await this.pc.setRemoteDescription({ type: 'answer', sdp });
  }

  async stats(): Promise<MediaStatsSnapshot<SendTrackStats>> {
    const report = await this.pc.getStats();
    const snapshot: MediaStatsSnapshot<SendTrackStats> = { at: performance.now(), ...sendStats(report) };
    const rtt = senderRoundTripMs(report) ?? BrowserConnection.iceRoundTripMs(report);
    if (rtt !== undefined) snapshot.rttMs = rtt;
    return snapshot;
  }

  protected onClose(): void {
    // The tracks belong to the app's local stream: they keep running for its preview and other publishes.
  }
}

/**
 * Puts `codec` (and its retransmission format) first in the transceiver's preferences. A browser without the
 * codec keeps its default order; the SFU then answers with what both support.
 */
function preferCodec(transceiver: RTCRtpTransceiver, codec: VideoCodecName): void {
  const capabilities = globalThis.RTCRtpSender?.getCapabilities?.('video');
  if (!capabilities || typeof transceiver.setCodecPreferences !== 'function') return;
  const wanted = `video/${codec.toLowerCase()}`;
  const codecs = capabilities.codecs;
  const first = codecs.filter((c) => c.mimeType.toLowerCase() === wanted);
  if (first.length === 0) return;
  const rest = codecs.filter((c) => c.mimeType.toLowerCase() !== wanted);
  transceiver.setCodecPreferences([...first, ...rest]);
}
