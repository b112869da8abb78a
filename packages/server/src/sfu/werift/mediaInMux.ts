/**
 * What the paths that take a peer's datagrams past werift in the UDP mux (receiveInMux.ts for a publisher's
 * RTP, reportsInMux.ts for a player's RTCP) share: their installation on the mux transports of a DTLS
 * transport's ICE connection, what each keeps of the connection, the check that DTLS is up with the SFU's
 * SRTP contexts, and the counters werift's DTLS transport and ICE connection keep for every datagram they pass
 * on.
 */
import type { RTCDtlsTransport, RTCPeerConnection } from 'werift';
import {
  answeringIceOf,
  iceConnectionOf,
  rtpRouterOf,
  type WeriftReceiveCounts,
  type WeriftRtpRouter,
} from './shapes.js';
import { type MuxMediaReceiver, MuxTransport } from './udpMux/MuxTransport.js';
import { type FastSrtp, fastSrtpOf } from './weriftSrtp.js';

/** One path past werift, on one ICE protocol (one mux transport) of a peer connection's DTLS transport. */
export abstract class InMuxReceiver implements MuxMediaReceiver {
  constructor(
    protected readonly router: WeriftRtpRouter,
    protected readonly dtls: RTCDtlsTransport,
    private readonly protocol: unknown,
    /** Called for each datagram taken: the transport's activity (its watchdog). */
    protected readonly onPacket: () => void,
  ) {}

  abstract receive(data: Buffer): boolean;

  /** The SFU's SRTP contexts of the DTLS transport, once DTLS is up with them; null before (werift takes it). */
  protected srtp(): FastSrtp | null {
    return this.dtls.state === 'connected' ? fastSrtpOf(this.dtls) : null;
  }

  /** Counts a datagram of `length` bytes taken, as werift's DTLS transport and the nominated pair count it. */
  protected countReceived(length: number): void {
    const counts = this.dtls as unknown as WeriftReceiveCounts;
    counts.bytesReceived += length;
    counts.packetsReceived += 1;
    const pair = iceConnectionOf(this.dtls).nominated as
      | (WeriftReceiveCounts & { protocol: unknown })
      | undefined;
    if (pair !== undefined && pair.protocol === this.protocol) {
      pair.packetsReceived += 1;
      pair.bytesReceived += length;
    }
  }
}

/** A path past werift ({@link InMuxReceiver}), as the class that makes one per mux transport. */
export type InMuxReceiverClass = new (
  router: WeriftRtpRouter,
  dtls: RTCDtlsTransport,
  protocol: unknown,
  onPacket: () => void,
) => InMuxReceiver;

/**
 * Gives each UDP mux transport of `dtls`'s ICE connection (a DTLS transport of `pc`) a `Receiver` of its ICE
 * protocol; `onPacket` is called for each datagram one takes. Returns the function that takes them away again
 * (those still in place).
 */
export function installInMux(
  pc: RTCPeerConnection,
  dtls: RTCDtlsTransport,
  onPacket: () => void,
  Receiver: InMuxReceiverClass,
): () => void {
  const router = rtpRouterOf(pc);
  const installed: [MuxTransport, MuxMediaReceiver][] = [];
  for (const protocol of answeringIceOf(dtls).protocols) {
    const transport = protocol.transport;
    if (!(transport instanceof MuxTransport)) continue;
    const receiver = new Receiver(router, dtls, protocol, onPacket);
    transport.mediaReceiver = receiver;
    installed.push([transport, receiver]);
  }
  return () => {
    for (const [transport, receiver] of installed) {
      if (transport.mediaReceiver === receiver) transport.mediaReceiver = null;
    }
  };
}
