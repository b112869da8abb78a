/**
 * The publisher's RTP, from the UDP mux straight to the track's subscribers (the {@link Producer}), instead of
 * through werift's receiving pipeline: its ICE protocol (a STUN parse of every datagram, two events), its DTLS
 * transport (another event), `RtpRouter.routeRtp` (an extension map per packet, even with none negotiated),
 * and `RTCRtpReceiver.handleRTP` (two `toLowerCase` calls, the `twccEnabled` and `nackEnabled` getters, each
 * of which sorts the codecs, and a clone of the packet for the track).
 *
 * Measured on this machine (2026-12-06), a 200-player audio fan-out, from the mux's socket handler to the
 * producer per incoming packet: 200–210 µs through werift, 143–148 µs this way (alternating runs of 1,000
 * packets). Each stage is slow because the fan-out of the previous packet has pushed the code and objects out
 * of the CPU's caches, so fewer stages is what counts; every player's copy waits for this, so it adds to the
 * latency of the whole fan-out. (The SRTP unprotect, which the bench's relay does too, is about 70 µs of it.)
 *
 * What werift does with such a packet is still done, with the same objects: the DTLS transport's and the
 * nominated pair's receive counters, SRTP unprotect with the transport's own context (weriftSrtp.ts), werift's
 * `RtpPacket`, the receiver's `StreamStatistics` (its receiver reports to the publisher; counted as werift's
 * `add` counts, receivedStatistics.ts), its NACK handler for video, the track's `onReceiveRtp` event. It
 * applies only where werift's `handleRTP` would do nothing else: a known SSRC already routed once (its
 * statistics and RTCP loop exist), a plain codec (not RTX, not RED), no transport-wide congestion control, a
 * 12-byte header (no padding, CSRC or header extension: none is negotiated, peerConfig.ts), which it parses
 * into werift's `RtpPacket` as a media pipe does (rtpDatagram.ts).
 * Anything else — DTLS, RTCP, STUN, the first packet of a stream, a packet that fails authentication — goes to
 * werift as before.
 */
import { isRtcp, parseRtp } from '../rtpDatagram.js';
import { InMuxReceiver } from './mediaInMux.js';
import { addIsKnown, addReceived } from './receivedStatistics.js';
import type {
  WeriftRemoteTrack,
  WeriftRtpReceiver,
  WeriftRtpRouter,
  WeriftStreamStatistics,
} from './shapes.js';

/** The extensions werift hands the track with a packet: none are negotiated. */
const NO_EXTENSIONS: Record<string, unknown> = Object.freeze({}) as Record<string, unknown>;

/** Where one SSRC's packets of one payload type go, resolved once. */
interface Route {
  readonly payloadType: number;
  readonly receiver: WeriftRtpReceiver;
  readonly track: WeriftRemoteTrack;
  readonly statistics: WeriftStreamStatistics;
  /** Whether receivedStatistics.ts counts for werift's `add` (werift 0.25.2's). */
  readonly leanStatistics: boolean;
  /** Video with NACK negotiated: werift's NACK handler sees every packet. */
  readonly nack: boolean;
}

/**
 * The fast path of one ICE protocol (one mux transport) of a publisher's connection: Transport installs it
 * (`receiveInMux`) once the ICE agent is prepared.
 */
export class FastRtpReceive extends InMuxReceiver {
  private readonly routes = new Map<number, Route>();

  receive(data: Buffer): boolean {
    // RTP version 2 without padding, header extension or CSRC, and not RTCP.
    if (data.length < 12 || data[0] !== 0x80 || isRtcp(data)) return false;
    const srtp = this.srtp();
    if (srtp === null) return false;
    const route = this.routeOf(data.readUInt32BE(8), data[1]! & 0x7f);
    if (route === null) return false;
    let plain: Buffer;
    try {
      plain = srtp.remote.unprotectRtp(data);
    } catch {
      return false; // werift unprotects it again and drops it, as it does any packet that fails
    }
    // A 12-byte header that authenticated: parseRtp takes it whole (the null is for malformed datagrams).
    const packet = parseRtp(plain);
    if (packet === null) return true;
    try {
      // What RTCRtpReceiver.handleRTP does with such a packet, the track's event (the fan-out) first: every
      // player's copy waits for what runs before it, and nothing in it reads what follows. werift hands the
      // track a clone, which nothing here needs: no subscriber changes a packet.
      route.track.onReceiveRtp.execute(packet, NO_EXTENSIONS);
    } finally {
      if (route.leanStatistics) addReceived(route.statistics, packet);
      else route.statistics.add(packet);
      if (route.nack) route.receiver.nack.addPacket(packet);
      this.countReceived(data.length);
      this.onPacket();
    }
    return true;
  }

  /** The route of `ssrc` and `payloadType`, or null while werift must handle the packet. */
  private routeOf(ssrc: number, payloadType: number): Route | null {
    const known = this.routes.get(ssrc);
    if (known !== undefined && known.payloadType === payloadType)
      return known.receiver.stopped ? null : known;
    // Cached once werift has seen the stream: its first packet makes the statistics and starts the RTCP loop.
    const route = resolve(this.router, ssrc, payloadType);
    if (route !== null) this.routes.set(ssrc, route);
    return route;
  }
}

function resolve(router: WeriftRtpRouter, ssrc: number, payloadType: number): Route | null {
  const receiver = router.ssrcTable[ssrc];
  if (receiver === undefined || receiver.stopped || !receiver.rtcpRunning) return null;
  const track = receiver.trackBySSRC[ssrc];
  const codec = receiver.codecs[payloadType];
  const statistics = receiver.remoteStreams[ssrc];
  if (track === undefined || codec === undefined || statistics === undefined) return null;
  const name = codec.name.toLowerCase();
  if (name === 'rtx' || name === 'red') return null;
  if (receiver.receiverTWCC !== undefined || receiver.twccEnabled) return null;
  return {
    payloadType,
    receiver,
    track,
    statistics,
    leanStatistics: addIsKnown(statistics),
    nack: track.kind === 'video' && !!receiver.nackEnabled,
  };
}
