/**
 * The forwarding fast path of one consumer: its packets go straight from the producer's payload to the
 * wire, written once (12-byte header, encrypted payload, SRTP tag) by the transport's own SRTP context
 * (@parley/rtp) — in order, right into the keystream it computed ahead, so one buffer serves several packets —
 * instead of through werift's `RTCRtpSender.sendRtp` pipeline, which per packet clones the packet, rebuilds
 * the header extension list, serializes the header, formats an NTP timestamp through strings, and chains six
 * promises before the socket sees the bytes. The bytes go to the UDP socket of the ICE pair in use, as
 * werift's ICE connection would send them, without its three async layers per packet, and reach the kernel
 * before the next player's packet is sealed; where they go is resolved once per nomination ({@link PairRoute}),
 * not read through werift's objects per packet.
 *
 * werift's sender stays the owner of the stream: its counters feed the RTCP sender reports ({@link
 * SenderReports}) and its stats, and it is what the SDP negotiated. So the fast path keeps the sender's
 * counters up to date (packet and octet counts, sequence number, timestamp) as `dispatchRtp` does, and it only runs when
 * `dispatchRtp` would have sent the same bytes: no header extension and no RED negotiated, no sequence or
 * timestamp offset of werift's own (`replaceTrack`), DTLS up with our SRTP context in place. Otherwise
 * {@link FastRtpSender.send} returns false and the caller uses werift's pipeline.
 */

import type { SrtpCryptoContext, SrtpStream } from '@parley/rtp';
import type { RTCDtlsTransport, RTCRtpSender } from 'werift';
import { type PairRoute, routeOf } from './werift/PairRoute.js';
import { iceConnectionOf, senderInternals, type WeriftSenderInternals } from './werift/shapes.js';
import { fastSrtpOf } from './werift/weriftSrtp.js';

const HEADER = 12;

/**
 * One consumer's fast path, over its werift sender.
 * @example
 * if (!fast.send(marker, 111, seq, ts, payload, false)) sender.sendRtp(new RtpPacket(header, payload));
 */
export class FastRtpSender {
  private readonly sender: WeriftSenderInternals;
  private dtls: RTCDtlsTransport | undefined;
  /** The `dtls.srtp` object the cached context was read from. */
  private session: unknown = null;
  private srtp: SrtpCryptoContext | null = null;
  private stream: SrtpStream | null = null;
  /** Where the DTLS transport's ICE connection sends. */
  private route: PairRoute | null = null;
  /** The RTP header of the packet being sent (version 2, no padding, extension or CSRC). */
  private readonly header = new Uint8Array(HEADER).fill(0x80, 0, 1);

  constructor(sender: RTCRtpSender) {
    this.sender = senderInternals(sender);
  }

  /**
   * Sends one RTP packet (a retransmission when `retransmission`): true if sent (or dropped by a closing
   * transport), false if the fast path does not apply and werift's sender must send it.
   */
  send(
    marker: boolean,
    payloadType: number,
    sequenceNumber: number,
    timestamp: number,
    payload: Buffer,
    retransmission: boolean,
  ): boolean {
    const s = this.sender;
    if (s.stopped) return true; // werift's sender would drop it too
    const srtp = this.context();
    if (!srtp) return false;
    const dtls = this.dtls!;
    if (dtls.state !== 'connected') return false;
    if ((s.headerExtensions?.length ?? 0) > 0 || s.redRedundantPayloadType !== undefined) return false;
    if (s.seqOffset !== 0 || s.timestampOffset !== 0 || s.rtpContinuityPending) return false;

    const header = this.header;
    header[1] = (marker ? 0x80 : 0) | (payloadType & 0x7f);
    header[2] = sequenceNumber >>> 8;
    header[3] = sequenceNumber;
    header[4] = timestamp >>> 24;
    header[5] = timestamp >>> 16;
    header[6] = timestamp >>> 8;
    header[7] = timestamp;
    const ssrc = s.ssrc;
    header[8] = ssrc >>> 24;
    header[9] = ssrc >>> 16;
    header[10] = ssrc >>> 8;
    header[11] = ssrc;
    const stream = this.stream!;
    // In order: sealed where its keystream was computed; a retransmission (or a huge packet): on its own.
    const packet =
      (retransmission ? null : srtp.sealRtp(header, payload, stream)) ??
      srtp.protectRtpCopy(header, payload, stream);
    const length = packet.length;

    // What dispatchRtp (or, for a retransmission, the NACK handler) of werift's sender records.
    if (retransmission) {
      s.retransmittedPacketsSent += 1;
      s.retransmittedBytesSent += payload.length;
    } else {
      s.sequenceNumber = sequenceNumber;
      s.timestamp = timestamp;
      s.octetCount += payload.length;
      s.packetCount = (s.packetCount + 1) >>> 0;
    }
    s.headerBytesSent += HEADER;
    // What RTCDtlsTransport.sendRtp does after encrypting.
    dtls.bytesSent += length;
    dtls.packetsSent += 1;
    this.route!.send(packet);
    return true;
  }

  /** Our SRTP context of the sender's current DTLS transport, or null while werift's is in place. */
  private context(): SrtpCryptoContext | null {
    const dtls = this.sender.dtlsTransport;
    if (dtls !== this.dtls || dtls?.srtp !== this.session) {
      this.dtls = dtls;
      this.session = dtls?.srtp ?? null;
      const fast = dtls ? fastSrtpOf(dtls) : null;
      this.srtp = fast?.local ?? null;
      this.stream = this.srtp?.stream(this.sender.ssrc) ?? null;
      this.route = dtls ? routeOf(iceConnectionOf(dtls)) : null;
    }
    return this.srtp;
  }
}
