/**
 * The upstream transport of one publisher: it answers the client's offer (sendonly audio and/or video, one
 * track of each kind at most) and exposes each incoming track as a {@link Producer}.
 */
import type { PeerConfig, RTCPeerConnection } from 'werift';
import type { InactivitySweep } from './InactivitySweep.js';
import { Producer, type ProducerOptions, weriftProducerSource } from './Producer.js';
import { publisherPeerConfig } from './peerConfig.js';
import { SfuError } from './SfuError.js';
import { withSessionIceLite } from './sessionIceLite.js';
import type { RtpStreamStats } from './stats.js';
import { createPeer, type StunProbe, Transport, type TransportTimeouts } from './Transport.js';
import { FastRtpReceive } from './werift/receiveInMux.js';

/** What {@link PublisherTransport.create} needs; supplied by the router. */
export interface PublisherTransportOptions {
  key: string;
  offerSdp: string;
  peerConfig: Partial<PeerConfig>;
  producerOptions: ProducerOptions;
  timeouts: TransportTimeouts;
  /** The router's inactivity sweep, which watches the transport once connected. */
  inactivity: InactivitySweep;
}

/**
 * A publisher's transport. Made by {@link SfuRouter.publish}; closing it closes its producers.
 * @example
 * const { answerSdp, transport } = await router.publish('stream-1', offerSdp);
 * transport.producer('video')?.requestKeyframe();
 */
export class PublisherTransport extends Transport {
  readonly direction = 'publish' as const;
  private readonly producers = new Map<'audio' | 'video', Producer>();

  private constructor(
    key: string,
    peer: { pc: RTCPeerConnection; probe: StunProbe },
    timeouts: TransportTimeouts,
    inactivity: InactivitySweep,
  ) {
    super(key, peer, timeouts, inactivity);
  }

  /** Negotiates: applies the offer and returns the transport with its complete (non-trickle) answer. */
  static async create(
    options: PublisherTransportOptions,
  ): Promise<{ transport: PublisherTransport; answerSdp: string }> {
    const { offerSdp } = options;
    if (typeof offerSdp !== 'string' || !offerSdp.startsWith('v=0')) {
      throw SfuError.invalidSdp('the offer must be an SDP string starting with v=0');
    }
    const peer = createPeer(publisherPeerConfig(options.peerConfig, offerSdp));
    const { pc } = peer;
    const transport = new PublisherTransport(options.key, peer, options.timeouts, options.inactivity);
    try {
      try {
        await pc.setRemoteDescription({ type: 'offer', sdp: offerSdp });
      } catch (err) {
        throw SfuError.invalidSdp(`the offer was refused: ${(err as Error).message}`);
      }
      const transceivers = pc.getTransceivers();
      const kinds = transceivers.map((t) => t.kind);
      if (kinds.length === 0) throw SfuError.invalidSdp('the offer has no audio or video section');
      if (kinds.length !== new Set(kinds).size) {
        throw SfuError.invalidSdp('the offer may carry one audio and one video track at most');
      }
      for (const t of transceivers) {
        if (t.kind !== 'audio' && t.kind !== 'video')
          throw SfuError.invalidSdp(`unsupported media ${t.kind}`);
        // werift stores the offered direction reversed (our side): the client's sendonly is our recvonly.
        if (t.offerDirection !== 'recvonly' && t.offerDirection !== 'sendrecv') {
          throw SfuError.invalidSdp(`the ${t.kind} section must be sendonly`);
        }
        t.setDirection('recvonly');
      }
      // The SFU is the DTLS server (`a=setup:passive`): werift as a DTLS client waits a fixed 100 ms before its
      // hello, which would delay every publish; the publisher's stack says hello as soon as ICE connects.
      for (const t of transceivers) t.dtlsTransport.role = 'server';
      const answer = await pc.createAnswer();
      await pc.setLocalDescription(answer);
      transport.prepareIceAgent();
      transport.useFastSrtp();
      transport.receiveInMux(FastRtpReceive);
      for (const t of transceivers) {
        const codec = t.codecs[0];
        if (!codec) continue; // rejected: no codec in common
        const producer = new Producer(
          weriftProducerSource(t.receiver.track, t.receiver, codec),
          options.producerOptions,
        );
        transport.producers.set(producer.kind, producer);
      }
      if (transport.producers.size === 0)
        throw SfuError.negotiationFailed('no codec in common with the offer');
      const localSdp = pc.localDescription?.sdp;
      if (!localSdp) throw SfuError.negotiationFailed('werift produced no answer');
      const answerSdp = withSessionIceLite(localSdp);
      transport.negotiationSettled();
      return { transport, answerSdp };
    } catch (err) {
      await transport.close('failed');
      if (err instanceof SfuError) throw err;
      throw SfuError.negotiationFailed((err as Error).message);
    }
  }

  /** The producer of `kind`, if the publisher sends that kind. */
  producer(kind: 'audio' | 'video'): Producer | undefined {
    return this.producers.get(kind);
  }

  /** Every producer, audio first. */
  get producerList(): Producer[] {
    return [...this.producers.values()];
  }

  protected override closeChildren(): void {
    for (const producer of this.producers.values()) producer.close();
  }

  protected override streamStats(): RtpStreamStats[] {
    return this.producerList.map((p) => p.stats());
  }

  protected override onConnected(): void {
    // Producers are live from negotiation on; nothing to start.
  }
}
