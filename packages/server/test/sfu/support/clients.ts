/**
 * werift peer connections playing the browser's part: a publisher writing synthetic RTP (a counter in every
 * payload, VP8 keyframes on request like a real encoder) and players recording what they receive.
 * Loopback only: host candidates on 127.0.0.1, sockets bound to it, STUN on the loopback responder.
 */
import {
  GenericNack,
  type PeerConfig,
  RTCPeerConnection,
  type RTCRtpTransceiver,
  RtcpTransportLayerFeedback,
  RtpHeader,
  RtpPacket,
} from 'werift';
import type { PublisherTransport, SubscriberTransport } from '../../../src/sfu/index.js';
import { SfuRouter, sfuCodecs } from '../../../src/sfu/index.js';
import type { LoopbackStun } from './loopbackStun.js';
import { waitFor } from './waitFor.js';

/** Closes the router, then every client; for `t.after`, so a failed test leaves no socket open. */
export async function closeAll(router: SfuRouter, ...clients: { close(): Promise<void> }[]): Promise<void> {
  await router.close();
  await Promise.all(clients.map((c) => c.close()));
}

/**
 * A router, a publisher of stream `s` pumping every 5 ms and a player whose transport (`p`) is connected; all
 * closed (and the pump stopped) after the test `t`.
 */
export async function connectedPlayer(
  t: { after(fn: () => unknown): void },
  stun: LoopbackStun,
): Promise<{
  router: SfuRouter;
  pub: TestPublisher;
  player: TestPlayer;
  transport: SubscriberTransport;
  stop: () => void;
}> {
  const router = new SfuRouter();
  const pub = new TestPublisher(stun);
  const player = new TestPlayer(stun);
  t.after(() => closeAll(router, pub, player));
  await pub.publish(router, 's');
  const stop = pub.pump(5);
  t.after(stop);
  const transport = await player.play(router, 'p', 's');
  await waitFor(() => transport.connectionState === 'connected', 'connected');
  return { router, pub, player, transport, stop };
}

export function clientConfig(stun: Pick<LoopbackStun, 'url'>, codecs = sfuCodecs()): Partial<PeerConfig> {
  return {
    iceServers: [{ urls: stun.url }],
    iceUseIpv4: false,
    iceUseIpv6: false,
    iceAdditionalHostAddresses: ['127.0.0.1'],
    iceInterfaceAddresses: { udp4: '127.0.0.1' },
    bundlePolicy: 'max-bundle',
    codecs,
  };
}

/** VP8 payload: descriptor (S=1, PID=0), payload header (P bit: 0 = keyframe), 4-byte counter, filler. */
export function vp8Payload(counter: number, keyframe: boolean): Buffer {
  const b = Buffer.alloc(2 + 4 + 100, 0xab);
  b[0] = 0x10;
  b[1] = keyframe ? 0x00 : 0x01;
  b.writeUInt32BE(counter, 2);
  return b;
}

export function opusPayload(counter: number): Buffer {
  const b = Buffer.alloc(4 + 40, 0xcd);
  b.writeUInt32BE(counter, 0);
  return b;
}

export function counterOf(kind: 'audio' | 'video', payload: Buffer): number {
  return payload.readUInt32BE(kind === 'video' ? 2 : 0);
}

async function connected(pc: RTCPeerConnection): Promise<void> {
  await waitFor(() => pc.connectionState === 'connected', 'client connected');
}

export interface PublisherOptions {
  kinds?: ('audio' | 'video')[];
  /** First video sequence number (default 60000, so the numbering wraps during a test). */
  videoSeqStart?: number;
  /** Payload counters start after this (default 0). */
  counterStart?: number;
  codecs?: ReturnType<typeof sfuCodecs>;
  /** The SSRC of each kind's track (default: werift's random one), set before the offer is made. */
  ssrc?: Partial<Record<'audio' | 'video', number>>;
}

export class TestPublisher {
  readonly pc: RTCPeerConnection;
  readonly transceivers = new Map<'audio' | 'video', RTCRtpTransceiver>();
  transport: PublisherTransport | undefined;
  plisReceived = 0;
  /** Sequence numbers the SFU asked for again. */
  readonly nacked: number[] = [];
  keyframeRequested = false;
  private readonly seq = { audio: 1000, video: 60000 };
  private readonly ts = { audio: 12345, video: 4000000000 };
  readonly counter: Record<'audio' | 'video', number> = { audio: 0, video: 0 };
  /** Video counters not sent at first (upstream loss): each is sent when the SFU NACKs it. */
  readonly withholdVideo = new Set<number>();
  /** Packets not sent on purpose (upstream loss), by sequence number, to resend when NACKed. */
  private readonly withheld = new Map<number, RtpPacket>();

  constructor(stun: Pick<LoopbackStun, 'url'>, opts: PublisherOptions = {}) {
    this.pc = new RTCPeerConnection(clientConfig(stun, opts.codecs));
    if (opts.videoSeqStart !== undefined) this.seq.video = opts.videoSeqStart;
    if (opts.counterStart !== undefined)
      this.counter = { audio: opts.counterStart, video: opts.counterStart };
    for (const kind of opts.kinds ?? ['audio', 'video']) {
      const t = this.pc.addTransceiver(kind, { direction: 'sendonly' });
      const ssrc = opts.ssrc?.[kind];
      // werift declares the sender's SSRC read-only; it is a plain field, read when the offer is written.
      if (ssrc !== undefined) (t.sender as { ssrc: number }).ssrc = ssrc;
      this.transceivers.set(kind, t);
      t.sender.onPictureLossIndication.subscribe(() => {
        this.plisReceived += 1;
        this.keyframeRequested = true;
      });
      t.sender.onGenericNack.subscribe((nack) => {
        for (const seq of nack.lost) {
          this.nacked.push(seq);
          const packet = this.withheld.get(seq);
          if (packet) {
            this.withheld.delete(seq);
            void t.sender.sendRtp(packet);
          }
        }
      });
    }
  }

  async publish(router: SfuRouter, key: string): Promise<PublisherTransport> {
    await this.negotiate(async (offer) => {
      const { answerSdp, transport } = await router.publish(key, offer);
      this.transport = transport;
      return answerSdp;
    });
    return this.transport!;
  }

  /** Offers, gets the answer from `exchange` (the SFU directly, or over signaling), and waits until connected. */
  async negotiate(exchange: (offerSdp: string) => Promise<string>): Promise<void> {
    await this.pc.setLocalDescription(await this.pc.createOffer());
    const answerSdp = await exchange(this.pc.localDescription!.sdp);
    await this.pc.setRemoteDescription({ type: 'answer', sdp: answerSdp });
    await connected(this.pc);
  }

  /**
   * Sends the next packet of `kind`; video is a keyframe when one was requested (or `keyframe`). With
   * `padding`, the packet ends in that many bytes of RTP padding (RFC 3550 §5.1).
   */
  send(
    kind: 'audio' | 'video',
    opts: { keyframe?: boolean; withhold?: boolean; padding?: number } = {},
  ): RtpPacket {
    const t = this.transceivers.get(kind)!;
    const counter = ++this.counter[kind];
    let payload: Buffer;
    if (kind === 'video') {
      const keyframe = opts.keyframe ?? this.keyframeRequested;
      if (keyframe) this.keyframeRequested = false;
      payload = vp8Payload(counter, keyframe);
    } else {
      payload = opusPayload(counter);
    }
    const header = new RtpHeader({
      payloadType: t.sender.codec!.payloadType,
      sequenceNumber: this.seq[kind],
      timestamp: this.ts[kind],
      marker: true,
      ssrc: t.sender.ssrc,
      padding: opts.padding !== undefined,
    });
    if (opts.padding !== undefined) {
      // werift's sender writes the header and the payload as they are: the padding goes at the payload's end,
      // its last byte counting the padding bytes.
      const padding = Buffer.alloc(opts.padding);
      padding[opts.padding - 1] = opts.padding;
      payload = Buffer.concat([payload, padding]);
    }
    this.seq[kind] = (this.seq[kind] + 1) & 0xffff;
    // Timestamps advance with the pump's 2 ms pace, so the SFU's jitter measures real arrival jitter.
    this.ts[kind] = (this.ts[kind] + (kind === 'video' ? 180 : 96)) >>> 0;
    const packet = new RtpPacket(header, payload);
    if (opts.withhold || (kind === 'video' && this.withholdVideo.has(counter)))
      this.withheld.set(header.sequenceNumber, packet);
    else void t.sender.sendRtp(packet);
    return packet;
  }

  /** Sends one audio and one video packet every `intervalMs` until stopped. */
  pump(intervalMs = 2): () => void {
    const timer = setInterval(() => {
      if (this.transceivers.has('audio')) this.send('audio');
      if (this.transceivers.has('video')) this.send('video');
    }, intervalMs);
    return () => clearInterval(timer);
  }

  close(): Promise<void> {
    return this.pc.close();
  }
}

export interface Received {
  seq: number;
  ssrc: number;
  ts: number;
  counter: number;
  keyframe: boolean;
}

export class TestPlayer {
  readonly pc: RTCPeerConnection;
  transport: SubscriberTransport | undefined;
  readonly received: Record<'audio' | 'video', Received[]> = { audio: [], video: [] };
  offerSdp = '';

  constructor(stun: Pick<LoopbackStun, 'url'>) {
    this.pc = new RTCPeerConnection(clientConfig(stun));
    this.pc.onTrack.subscribe((track) => {
      const kind = track.kind as 'audio' | 'video';
      track.onReceiveRtp.subscribe((packet) => {
        const h = packet.header;
        this.received[kind].push({
          seq: h.sequenceNumber,
          ssrc: h.ssrc,
          ts: h.timestamp,
          counter: counterOf(kind, packet.payload),
          keyframe: kind === 'video' && (packet.payload[1]! & 0x01) === 0,
        });
      });
    });
  }

  async play(router: SfuRouter, playerKey: string, streamKey: string): Promise<SubscriberTransport> {
    const { offerSdp, transport } = await router.play(playerKey, streamKey);
    this.transport = transport;
    await this.answer(offerSdp, (answerSdp) => transport.setAnswer(answerSdp));
    return transport;
  }

  /** Answers the SFU's offer, hands the answer to `deliver`, and waits until connected. */
  async answer(offerSdp: string, deliver: (answerSdp: string) => Promise<unknown>): Promise<void> {
    this.offerSdp = offerSdp;
    await this.pc.setRemoteDescription({ type: 'offer', sdp: offerSdp });
    await this.pc.setLocalDescription(await this.pc.createAnswer());
    await deliver(this.pc.localDescription!.sdp);
    await connected(this.pc);
  }

  private transceiver(kind: 'audio' | 'video'): RTCRtpTransceiver {
    return this.pc.getTransceivers().find((t) => t.kind === kind)!;
  }

  /** The SSRC the SFU sends `kind` on, as the player sees it. */
  ssrcOf(kind: 'audio' | 'video'): number {
    return this.transport!.consumer(kind)!.ssrc;
  }

  sendPli(kind: 'audio' | 'video'): Promise<void> {
    return this.transceiver(kind).receiver.sendRtcpPLI(this.ssrcOf(kind));
  }

  /** Sends an RTCP FIR (RFC 5104) naming the SFU's SSRC of `kind`; werift has no public FIR builder. */
  sendFir(kind: 'audio' | 'video', seqNr: number): Promise<unknown> {
    const buf = Buffer.alloc(20);
    buf[0] = 0x80 | 4; // V=2, FMT=4
    buf[1] = 206; // PSFB
    buf.writeUInt16BE(4, 2); // length in words - 1
    buf.writeUInt32BE(this.transceiver(kind).receiver.rtcpSsrc, 4);
    buf.writeUInt32BE(0, 8); // media source SSRC: unused for FIR
    buf.writeUInt32BE(this.ssrcOf(kind), 12);
    buf[16] = seqNr & 0xff;
    const raw = { serialize: () => buf } as any;
    return this.transceiver(kind).receiver.dtlsTransport.sendRtcp([raw]);
  }

  sendNack(kind: 'audio' | 'video', lost: number[]): Promise<unknown> {
    const t = this.transceiver(kind);
    const nack = new GenericNack({
      senderSsrc: t.receiver.rtcpSsrc,
      mediaSourceSsrc: this.ssrcOf(kind),
      lost,
    });
    return t.receiver.dtlsTransport.sendRtcp([new RtcpTransportLayerFeedback({ feedback: nack })]);
  }

  close(): Promise<void> {
    return this.pc.close();
  }
}
