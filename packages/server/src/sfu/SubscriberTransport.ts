/**
 * The downstream transport of one player: the SFU offers one sendonly track per producer of the stream, the
 * client answers. Each track is a {@link Consumer}; the transport routes the player's RTCP (PLI, FIR, NACK)
 * to the consumer it is about.
 */
import {
  GenericNack,
  type PeerConfig,
  PictureLossIndication,
  type RTCPeerConnection,
  RTCRtpCodecParameters,
  type RtcpPacket,
  RtcpPayloadSpecificFeedback,
  RtcpTransportLayerFeedback,
} from 'werift';
import { Consumer, type ConsumerOptions } from './Consumer.js';
import type { InactivitySweep } from './InactivitySweep.js';
import type { Producer } from './Producer.js';
import type { SenderReports } from './SenderReports.js';
import { SfuError } from './SfuError.js';
import { withSessionIceLite } from './sessionIceLite.js';
import type { RtpStreamStats } from './stats.js';
import { createPeer, type StunProbe, Transport, type TransportTimeouts } from './Transport.js';
import { ReportsReceive } from './werift/reportsInMux.js';

/** The feedback message type of FIR (RFC 5104 §4.3.1); werift parses FIR but does not export its class. */
const FMT_FIR = 4;

/** What {@link SubscriberTransport.create} needs; supplied by the router. */
export interface SubscriberTransportOptions {
  key: string;
  streamKey: string;
  producers: Producer[];
  peerConfig: Partial<PeerConfig>;
  timeouts: TransportTimeouts;
  /** The router's inactivity sweep, which watches the transport once connected. */
  inactivity: InactivitySweep;
  /** The router's sender reports, which the consumers join. */
  reports: SenderReports;
  /** Options of each consumer, by kind (test hooks). */
  consumerOptions?: ((kind: 'audio' | 'video') => ConsumerOptions) | undefined;
}

/**
 * A player's transport. Made by {@link SfuRouter.play}; the player's answer goes to {@link setAnswer}.
 * @example
 * const { offerSdp, transport } = await router.play('player-7', 'stream-1');
 * await transport.setAnswer(answerSdpFromClient);
 */
export class SubscriberTransport extends Transport {
  readonly direction = 'play' as const;
  /** The stream this player plays. */
  readonly streamKey: string;
  private readonly consumers = new Map<'audio' | 'video', Consumer>();
  private readonly rtcpUnsubscribers: (() => void)[] = [];
  private answered = false;

  private constructor(
    key: string,
    streamKey: string,
    peer: { pc: RTCPeerConnection; probe: StunProbe },
    timeouts: TransportTimeouts,
    inactivity: InactivitySweep,
  ) {
    super(key, peer, timeouts, inactivity);
    this.streamKey = streamKey;
  }

  /** Creates the transport and its offer (complete, non-trickle). */
  static async create(
    options: SubscriberTransportOptions,
  ): Promise<{ transport: SubscriberTransport; offerSdp: string }> {
    const peer = createPeer(options.peerConfig);
    const { pc } = peer;
    const transport = new SubscriberTransport(
      options.key,
      options.streamKey,
      peer,
      options.timeouts,
      options.inactivity,
    );
    try {
      for (const producer of options.producers) {
        const codec = offeredCodec(options.peerConfig, producer);
        if (!codec) continue;
        const transceiver = pc.addTransceiver(producer.kind, { direction: 'sendonly' });
        transceiver.setCodecPreferences([codec]);
        const consumer = new Consumer(
          producer.kind,
          transceiver.sender,
          options.reports,
          options.consumerOptions?.(producer.kind),
        );
        consumer.switchProducer(producer);
        transport.consumers.set(producer.kind, consumer);
      }
      if (transport.consumers.size === 0)
        throw SfuError.negotiationFailed('the stream has no track the SFU can offer');
      await pc.setLocalDescription(await pc.createOffer());
      transport.prepareIceAgent();
      transport.receiveInMux(ReportsReceive);
      const localSdp = pc.localDescription?.sdp;
      if (!localSdp) throw SfuError.negotiationFailed('werift produced no offer');
      const offerSdp = withSessionIceLite(localSdp);
      return { transport, offerSdp };
    } catch (err) {
      await transport.close('failed');
      if (err instanceof SfuError) throw err;
      throw SfuError.negotiationFailed((err as Error).message);
    }
  }

  /** Applies the player's answer. A refused answer closes the transport. */
  async setAnswer(answerSdp: string): Promise<void> {
    if (this.closed) throw SfuError.closed(`transport ${this.key}`);
    if (this.answered) throw SfuError.invalidSdp('the answer was already applied');
    if (typeof answerSdp !== 'string' || !answerSdp.startsWith('v=0')) {
      throw SfuError.invalidSdp('the answer must be an SDP string starting with v=0');
    }
    this.answered = true;
    try {
      await this.pc.setRemoteDescription({ type: 'answer', sdp: answerSdp });
    } catch (err) {
      await this.close('failed');
      throw SfuError.invalidSdp(`the answer was refused: ${(err as Error).message}`);
    }
    this.useFastSrtp();
    for (const dtls of this.dtlsTransports()) {
      const sub = dtls.onRtcp.subscribe((packet) => this.handleRtcp(packet));
      this.rtcpUnsubscribers.push(sub.unSubscribe);
    }
    this.negotiationSettled();
  }

  /** The consumer of `kind`, if the stream had that kind when played. */
  consumer(kind: 'audio' | 'video'): Consumer | undefined {
    return this.consumers.get(kind);
  }

  /** Every consumer, audio first. */
  get consumerList(): Consumer[] {
    return [...this.consumers.values()];
  }

  /**
   * Moves the consumers to `producers` (a restarted publisher of the same stream). A kind without a matching
   * producer, or with another codec, keeps idling. Returns the number of consumers switched.
   */
  switchProducers(producers: Producer[]): number {
    let switched = 0;
    for (const producer of producers) {
      if (this.consumers.get(producer.kind)?.switchProducer(producer)) switched += 1;
    }
    return switched;
  }

  protected override closeChildren(): void {
    for (const unsubscribe of this.rtcpUnsubscribers) unsubscribe();
    for (const consumer of this.consumers.values()) consumer.close();
  }

  protected override streamStats(): RtpStreamStats[] {
    return this.consumerList.map((c) => c.stats());
  }

  protected override onConnected(): void {
    for (const consumer of this.consumers.values()) consumer.start();
  }

  private consumerBySsrc(ssrc: number): Consumer | undefined {
    for (const consumer of this.consumers.values()) if (consumer.ssrc === ssrc) return consumer;
    return undefined;
  }

  private handleRtcp(packet: RtcpPacket): void {
    if (packet instanceof RtcpPayloadSpecificFeedback) {
      const fb = packet.feedback;
      if (fb instanceof PictureLossIndication) {
        this.consumerBySsrc(fb.mediaSsrc)?.handleKeyframeRequest();
      } else if (fb.count === FMT_FIR && 'fir' in fb) {
        // FIR names its targets in entries (the media SSRC field is 0, RFC 5104 §4.3.1.2).
        for (const entry of fb.fir) this.consumerBySsrc(entry.ssrc)?.handleKeyframeRequest();
      }
    } else if (packet instanceof RtcpTransportLayerFeedback) {
      const fb = packet.feedback;
      if (fb instanceof GenericNack) this.consumerBySsrc(fb.mediaSourceSsrc)?.handleNack(fb.lost);
    }
  }
}

/** The SFU codec to offer for `producer`: the configured one of the same MIME type, with the producer's fmtp. */
function offeredCodec(config: Partial<PeerConfig>, producer: Producer): RTCRtpCodecParameters | undefined {
  const list = config.codecs?.[producer.kind] ?? [];
  const mime = producer.mimeType.toLowerCase();
  const codec = list.find((c) => c.mimeType.toLowerCase() === mime);
  if (!codec) return undefined;
  // H264 profiles must match end to end: keep what the publisher negotiated.
  if (mime === 'video/h264' && producer.codec.parameters) {
    return new RTCRtpCodecParameters({ ...codec, parameters: producer.codec.parameters });
  }
  return codec;
}
