/**
 * The sending side of a published stream in Node: the local stream's sources, packetized to RTP and sent to the
 * SFU over one werift peer connection.
 */
import {
  type MediaConnectionEvents,
  type MediaStatsSnapshot,
  type PublishConnection,
  type PublishMediaInfo,
  SdpExchange,
  type SendTrackStats,
} from '@parley/engine';
import { ErrorCode, ParleyError } from '@parley/protocol';
import {
  type RTCRtpTransceiver,
  type RtcpPacket,
  RtcpPayloadSpecificFeedback,
  RtcpRrPacket,
  RtcpSrPacket,
  type RtpPacket,
} from 'werift';
import { guarded } from '../../guarded.js';
import { RtpSequencer } from '../RtpSequencer.js';
import { Vp8RtpPacketizer } from '../vp8Rtp.js';
import type { NodeLocalStream } from './NodeLocalStream.js';
import type { EncodedFrame, TrackKind, TrackSource } from './TrackSource.js';
import { vp8FrameSize } from './vp8FrameSize.js';
import { type ConnectionOptions, WeriftConnection } from './WeriftConnection.js';

/** The feedback message type of FIR (RFC 5104 §4.3.1); werift parses FIR but neither exports nor routes it. */
const FMT_FIR = 4;

/** One source track and its sender. */
interface SendingTrack {
  readonly kind: TrackKind;
  readonly source: TrackSource;
  readonly transceiver: RTCRtpTransceiver;
  sequencer: RtpSequencer | null;
  vp8: Vp8RtpPacketizer | null;
  /** The source timestamp of our first frame: RTP media time zero. */
  base: number | null;
  /** Nothing is sent before the first key frame (the SFU would drop it anyway). */
  waitingForKeyframe: boolean;
  /** A PLI or FIR was passed to the source and no key frame went out since: further ones join it. */
  keyframePending: boolean;
  started: boolean;
  onFrame: ((frame: EncodedFrame) => void) | null;
  packetsSent: number;
  bytesSent: number;
  framesSent: number;
  packetsLost: number | undefined;
  nackCount: number;
  pliCount: number;
  width: number | undefined;
  height: number | undefined;
}

/**
 * A werift publish connection.
 *
 * NACKs are answered by werift's RTCRtpSender itself: it keeps the last 128 packets it sent (RTP_HISTORY_SIZE,
 * by sequence number modulo 128) and resends them when `nack` is negotiated; this class only counts them. PLIs
 * (werift's `onPictureLossIndication`) and FIRs (read from the transport's RTCP, werift does not route them)
 * ask the video source for a key frame, coalesced until one is sent.
 *
 * @example
 * const conn = backend.createPublishConnection({ streamID, source: stream, iceServers, serverUrl });
 * const answer = await sendToServer(await conn.createOffer());
 * await conn.setAnswer(answer);
 */
export class WeriftPublishConnection
  extends WeriftConnection<MediaConnectionEvents>
  implements PublishConnection
{
  readonly stream: NodeLocalStream;
  private readonly tracks: SendingTrack[] = [];
  private readonly unsubscribers: (() => void)[] = [];
  private readonly exchange = new SdpExchange();

  /** Throws ParleyError 1100001 for a stream without live tracks, or when the server gave no STUN URL. */
  constructor(info: PublishMediaInfo<NodeLocalStream>, options: ConnectionOptions) {
    const stream = info.source;
    if (!stream || stream.closed || stream.tracks.every((t) => t.closed)) {
      throw ParleyError.of(ErrorCode.INPUT_PARAMETER, 'the local stream has no open track to publish');
    }
    if (info.videoCodec === 'H264' && stream.tracks.some((t) => t.kind === 'video' && !t.closed)) {
      throw ParleyError.of(ErrorCode.INPUT_PARAMETER, 'the Node SDK sends VP8 video only');
    }
    // The timer only watches the SFU's liveness here: once a second is enough.
    super(info, options, 1000);
    this.stream = stream;
    for (const source of stream.tracks) {
      if (source.closed) continue;
      const transceiver = this.pc.addTransceiver(source.kind, { direction: 'sendonly' });
      this.tracks.push({
        kind: source.kind,
        source,
        transceiver,
        sequencer: null,
        vp8: null,
        base: null,
        waitingForKeyframe: source.kind === 'video',
        keyframePending: false,
        started: false,
        onFrame: null,
        packetsSent: 0,
        bytesSent: 0,
        framesSent: 0,
        packetsLost: undefined,
        nackCount: 0,
        pliCount: 0,
        width: undefined,
        height: undefined,
      });
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
    const report = await this.report();
    const rtt = this.roundTrip(report);
    const snapshot: MediaStatsSnapshot<SendTrackStats> = { at: performance.now() };
    for (const t of this.tracks) {
      const s: SendTrackStats = {
        packetsSent: t.packetsSent,
        bytesSent: t.bytesSent,
        framesSent: t.framesSent,
      };
      if (t.packetsLost !== undefined) s.packetsLost = t.packetsLost;
      if (t.kind === 'video') {
        if (t.width !== undefined && t.height !== undefined) {
          s.frameWidth = t.width;
          s.frameHeight = t.height;
        }
        s.nackCount = t.nackCount;
        s.pliCount = t.pliCount;
      }
      snapshot[t.kind] = s;
    }
    const rttMs = rtt.rtcpMs ?? rtt.iceMs;
    if (rttMs !== undefined) snapshot.rttMs = rttMs;
    return snapshot;
  }

  protected onConnected(): void {
    for (const t of this.tracks) {
      const sender = t.transceiver.sender;
      const codec = sender.codec;
      if (!codec) continue; // the SFU refused this kind
      t.sequencer = new RtpSequencer({
        payloadType: codec.payloadType,
        clockRate: codec.clockRate,
        ssrc: sender.ssrc,
      });
      if (t.kind === 'video') t.vp8 = new Vp8RtpPacketizer({ maxPayloadSize: 1200, pictureId: true });
      this.unsubscribers.push(
        sender.onPictureLossIndication.subscribe(
          this.guard('its PLI handler', () => this.keyframeRequested(t)),
        ).unSubscribe,
        sender.onGenericNack.subscribe(
          this.guard('its NACK counter', () => {
            t.nackCount += 1;
          }),
        ).unSubscribe,
        sender.onRtcp.subscribe(
          this.guard('its receiver report handler', (packet: RtcpPacket) => this.receiverReport(t, packet)),
        ).unSubscribe,
      );
      // A source closed between the publish and now (a failure, or the app) has nothing to send.
      if (t.source.closed) continue;
      // A frame that cannot be sent (a custom source's malformed VP8, say) is logged and dropped; the next may be
      // fine. The source's emitter would swallow the error silently.
      t.onFrame = guarded(this.log, `the ${t.kind} sender of ${this.streamID}`, (frame: EncodedFrame) =>
        this.send(t, frame),
      );
      t.source.on('frame', t.onFrame);
      t.source.start();
      t.started = true;
      if (t.kind === 'video') t.source.requestKeyframe();
    }
    const dtls = this.tracks[0]?.transceiver.dtlsTransport;
    if (dtls) {
      this.unsubscribers.push(
        dtls.onRtcp.subscribe(this.guard('its FIR handler', (packet: RtcpPacket) => this.firFromSfu(packet)))
          .unSubscribe,
      );
    }
  }

  protected onClose(): void {
    for (const unsubscribe of this.unsubscribers) unsubscribe();
    this.unsubscribers.length = 0;
    for (const t of this.tracks) {
      if (t.onFrame) t.source.off('frame', t.onFrame);
      t.onFrame = null;
      if (t.started && !t.source.closed) t.source.stop();
      t.started = false;
    }
  }

  private send(t: SendingTrack, frame: EncodedFrame): void {
    if (this.closed || !t.sequencer) return;
    if (t.kind === 'video') {
      if (frame.keyframe) {
        t.waitingForKeyframe = false;
        t.keyframePending = false;
        const size = vp8FrameSize(frame.data);
        if (size) ({ width: t.width, height: t.height } = size);
      } else if (t.waitingForKeyframe) {
        return;
      }
    }
    t.base ??= frame.timestamp;
    const mediaTime = frame.timestamp - t.base;
    const packets =
      t.vp8 !== null
        ? t.sequencer.frame(t.vp8.packetize(frame.data), mediaTime)
        : [t.sequencer.packet(frame.data, mediaTime, false)];
    t.framesSent += 1;
    for (const packet of packets) this.sendPacket(t, packet);
  }

  private sendPacket(t: SendingTrack, packet: RtpPacket): void {
    if (t.packetsSent === 0) this.startSilenceClock();
    t.packetsSent += 1;
    t.bytesSent += packet.payload.length;
    t.transceiver.sender.sendRtp(packet).catch(() => {
      // The transport is closing: nothing more to send to.
    });
  }

  private keyframeRequested(t: SendingTrack): void {
    if (t.kind !== 'video' || this.closed) return;
    t.pliCount += 1;
    if (t.keyframePending) return;
    t.keyframePending = true;
    t.source.requestKeyframe();
  }

  /** FIR names its targets in entries (RFC 5104 §4.3.1.2): werift's RTP router cannot route it to a sender. */
  private firFromSfu(packet: RtcpPacket): void {
    if (!(packet instanceof RtcpPayloadSpecificFeedback)) return;
    const fb = packet.feedback;
    if (fb.count !== FMT_FIR || !('fir' in fb)) return;
    const entries = (fb as { fir: { ssrc: number }[] }).fir;
    for (const t of this.tracks) {
      if (entries.some((e) => e.ssrc === t.transceiver.sender.ssrc)) this.keyframeRequested(t);
    }
  }

  /** The SFU's receiver reports: cumulative loss of our packets (werift derives the RTT from the same reports). */
  private receiverReport(t: SendingTrack, packet: RtcpPacket): void {
    if (!(packet instanceof RtcpRrPacket) && !(packet instanceof RtcpSrPacket)) return;
    const ssrc = t.transceiver.sender.ssrc;
    for (const report of packet.reports)
      if (report.ssrc === ssrc) t.packetsLost = Math.max(0, report.packetsLost);
  }
}
