/**
 * The sending side of a published stream in the browser: the local stream's tracks on sendonly transceivers of
 * one RTCPeerConnection to the SFU, the asked-for video codec first.
 */
import {
  type MediaConnectionEvents,
  type MediaStatsSnapshot,
  type PublishConnection,
  type PublishMediaInfo,
  SdpExchange,
  type SendTrackStats,
  type VideoCodecName,
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
  private readonly exchange = new SdpExchange();

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
    this.exchange.offer();
    return this.completeLocalDescription('offer');
  }

  async setAnswer(sdp: string): Promise<void> {
    this.checkOpen();
    await this.pc.setRemoteDescription({ type: 'answer', sdp: this.exchange.answer(sdp) });
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
