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
 * SenderReports}) and its stats, and it is what the SDP negotiated. So the fast path counts what it sends as
 * `dispatchRtp` does (packet and octet counts, sequence number, timestamp), adds that to werift's counters
 * before werift reads them (senderFields.ts), and it only runs when `dispatchRtp` would have sent the same
 * bytes: no header extension and no RED negotiated, no sequence or timestamp offset of werift's own
 * (`replaceTrack`), DTLS up with our SRTP context in place. Otherwise {@link FastRtpSender.send} returns false
 * and the caller uses werift's pipeline.
 */

import type { SrtpCryptoContext, SrtpStream } from '@parley/rtp';
import type { RTCDtlsTransport, RTCRtpCodecParameters, RTCRtpSender } from 'werift';
import { high16, join16, low16 } from './smallIntegerFields.js';
import type { MethodHooks } from './werift/methodHooks.js';
import { type PairRoute, routeOf } from './werift/PairRoute.js';
import { type DtlsCounts, type DtlsFields, dtlsFieldsOf, hookSender } from './werift/senderFields.js';
import { iceConnectionOf, senderInternals, type WeriftSenderInternals } from './werift/shapes.js';
import { fastSrtpOf } from './werift/weriftSrtp.js';

const HEADER = 12;

/**
 * The RTP header of the packet being sent (version 2, no padding, extension or CSRC), shared by every fast
 * path: a send is synchronous and the SRTP context copies the header into the packet before it returns. One
 * array per consumer was one more cache line per player and packet, for 12 bytes.
 */
const header = new Uint8Array(HEADER).fill(0x80, 0, 1);

/** What {@link FastRtpSender.send} does with the next packet, decided again after a checked field changed. */
const STALE = 0;
const FAST = 1;
/** The sender stopped: werift's sender would drop the packet too. */
const DROP = 2;
const THROUGH_WERIFT = 3;

/**
 * One consumer's fast path, over its werift sender.
 *
 * What it sends is counted on this object and added to werift's sender when a werift method that reads its
 * counters runs ({@link beforeWerift}); whether the fast path applies is decided after a werift method that
 * writes a field it depends on ran ({@link afterWerift}), not per packet: a 300-player video fan-out profile
 * put the per-packet reads and writes of werift's sender and DTLS transport at 8 % of the server's samples,
 * most of it cache misses on objects no other player shares.
 * @example
 * if (!fast.send(marker, 111, seq, ts, payload, false)) sender.sendRtp(new RtpPacket(header, payload));
 */
export class FastRtpSender implements MethodHooks, DtlsCounts {
  /** werift's sender, with the fields read here. */
  private readonly werift: WeriftSenderInternals;
  /** The newest sequence number sent here: werift's `sequenceNumber` once added (`sentSinceAdded`). */
  private newestSequenceNumber = 0;
  /**
   * The RTP timestamp of the newest packet sent here: its high and low 16 bits, small integers both
   * (smallIntegerFields.ts). A field that held any number stored every one above 2^30 — half of all RTP
   * timestamps — as a new heap object per write (1.2 % of the server's CPU in a 200-player video fan-out
   * profile).
   */
  private timestampHigh = 0;
  private timestampLow = 0;
  /** Whether a packet in order was sent here since the counts were last added to werift's sender. */
  private sentSinceAdded = false;
  /** Sent here and not yet added to werift's sender's counters of the same names. */
  private octets = 0;
  private packets = 0;
  private headerBytes = 0;
  private retransmittedPackets = 0;
  private retransmittedBytes = 0;
  /** What this fast path sent on its DTLS transport, not yet added to werift's `dtls.bytesSent`/`packetsSent`. */
  dtlsBytesSent = 0;
  dtlsPacketsSent = 0;
  private mode = STALE;
  private closed = false;
  /**
   * The SSRC as its high and low 16 bits: small integers (smallIntegerFields.ts). Three SSRCs in four are 2^30 or
   * more, which a field holding the whole value kept as a number object of its own: one more read from memory per
   * packet and player (23 % of `send`'s own samples in a 400-player audio fan-out, perf annotate).
   */
  private ssrcHigh = 0;
  private ssrcLow = 0;
  private codecPayloadType: number | undefined = undefined;
  private dtls: RTCDtlsTransport | undefined;
  private dtlsFields: DtlsFields | null = null;
  private stopWatchingDtls: (() => void) | null = null;
  /** The `dtls.srtp` object the cached context was read from. */
  private session: unknown = null;
  private srtp: SrtpCryptoContext | null = null;
  private stream: SrtpStream | null = null;
  /** Where the DTLS transport's ICE connection sends. */
  private route: PairRoute | null = null;
  private readonly invalidate = (): void => {
    this.mode = STALE;
  };

  constructor(sender: RTCRtpSender) {
    this.werift = senderInternals(sender);
    hookSender(sender, this);
  }

  /** Packets sent so far, as werift's sender counts them (its own pipeline's and this path's). */
  get packetCount(): number {
    return (this.werift.packetCount + this.packets) >>> 0;
  }

  /** Whether a packet was sent yet, by either: this path's own count first (werift's sender is not read then). */
  get hasSent(): boolean {
    return this.packets !== 0 || this.werift.packetCount !== 0;
  }

  /** Payload bytes sent so far, as werift's sender counts them. */
  get octetCount(): number {
    return this.werift.octetCount + this.octets;
  }

  /** The newest packet's sequence number, as werift's sender reads it (undefined before the first). */
  get sequenceNumber(): number | undefined {
    return this.sentSinceAdded ? this.newestSequenceNumber : this.werift.sequenceNumber;
  }

  /** The newest packet's RTP timestamp, as werift's sender reads it (undefined before the first). */
  get timestamp(): number | undefined {
    return this.sentSinceAdded ? join16(this.timestampHigh, this.timestampLow) : this.werift.timestamp;
  }

  /** @internal Before a werift method that reads the sender's counters: adds what was sent here to them. */
  beforeWerift(): void {
    const w = this.werift;
    if (this.sentSinceAdded) {
      w.sequenceNumber = this.newestSequenceNumber;
      w.timestamp = join16(this.timestampHigh, this.timestampLow);
      this.sentSinceAdded = false;
    }
    w.packetCount = (w.packetCount + this.packets) >>> 0;
    w.octetCount += this.octets;
    w.headerBytesSent += this.headerBytes;
    w.retransmittedPacketsSent += this.retransmittedPackets;
    w.retransmittedBytesSent += this.retransmittedBytes;
    this.packets = 0;
    this.octets = 0;
    this.headerBytes = 0;
    this.retransmittedPackets = 0;
    this.retransmittedBytes = 0;
  }

  /** @internal After a werift method that may have written a field the decision depends on. */
  afterWerift(): void {
    this.mode = STALE;
  }

  /** The payload type of the sender's codec, or undefined before one is negotiated. */
  get payloadType(): number | undefined {
    if (this.mode === STALE) this.resolve();
    return this.codecPayloadType;
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
    const mode = this.mode === STALE ? this.resolve() : this.mode;
    if (mode !== FAST) return mode === DROP;

    header[1] = (marker ? 0x80 : 0) | (payloadType & 0x7f);
    header[2] = sequenceNumber >>> 8;
    header[3] = sequenceNumber;
    header[4] = timestamp >>> 24;
    header[5] = timestamp >>> 16;
    header[6] = timestamp >>> 8;
    header[7] = timestamp;
    const ssrcHigh = this.ssrcHigh;
    const ssrcLow = this.ssrcLow;
    header[8] = ssrcHigh >>> 8;
    header[9] = ssrcHigh;
    header[10] = ssrcLow >>> 8;
    header[11] = ssrcLow;
    const stream = this.stream!;
    // In order: sealed where its keystream was computed, by the stream itself (the context is not read per
    // packet); a retransmission (or a huge packet): on its own.
    const packet =
      (retransmission ? null : stream.sealRtp(header, payload)) ??
      this.srtp!.protectRtpCopy(header, payload, stream);

    // What dispatchRtp (or, for a retransmission, the NACK handler) of werift's sender records.
    if (retransmission) {
      this.retransmittedPackets += 1;
      this.retransmittedBytes += payload.length;
    } else {
      this.newestSequenceNumber = sequenceNumber;
      this.timestampHigh = high16(timestamp);
      this.timestampLow = low16(timestamp);
      this.sentSinceAdded = true;
      this.octets += payload.length;
      this.packets += 1;
    }
    this.headerBytes += HEADER;
    // What RTCDtlsTransport.sendRtp does after encrypting.
    this.dtlsBytesSent += packet.length;
    this.dtlsPacketsSent += 1;
    this.route!.send(packet);
    return true;
  }

  /**
   * Reads what {@link send} reads, changing nothing: this object's fields, its SRTP stream's (and the next
   * packet's keystream) and its route's. A number made of them (see `RtpSink.warm`).
   */
  warm(): number {
    const stream = this.stream;
    const route = this.route;
    const sum = this.ssrcLow + this.mode + this.octets + this.dtlsPacketsSent;
    return stream === null || route === null ? sum : sum + stream.warm() + route.warm();
  }

  /** Stops listening to the DTLS transport (the consumer closed; the transport may live on). */
  close(): void {
    this.closed = true;
    this.stopWatchingDtls?.();
    this.stopWatchingDtls = null;
    this.mode = THROUGH_WERIFT;
  }

  /**
   * Decides, from werift's sender and DTLS transport as they are now, whether packets take the fast path:
   * only when `dispatchRtp` would have sent the same bytes (no header extension and no RED negotiated, no
   * sequence or timestamp offset of werift's own, DTLS up with our SRTP context in place).
   */
  private resolve(): number {
    const w = this.werift;
    const ssrc = w.ssrc;
    this.ssrcHigh = high16(ssrc);
    this.ssrcLow = low16(ssrc);
    this.codecPayloadType = (w.codec as RTCRtpCodecParameters | undefined)?.payloadType;
    const dtls = w.dtlsTransport;
    if (dtls !== this.dtls) {
      this.stopWatchingDtls?.();
      this.stopWatchingDtls = null;
      this.dtls = dtls;
      this.dtlsFields = dtls ? dtlsFieldsOf(dtls) : null;
      this.stopWatchingDtls = this.dtlsFields?.join(this, this.invalidate) ?? null;
      this.session = null;
      this.route = dtls ? routeOf(iceConnectionOf(dtls)) : null;
    }
    if (dtls && dtls.srtp !== this.session) {
      this.session = dtls.srtp;
      this.srtp = fastSrtpOf(dtls)?.local ?? null;
    } else if (!dtls) {
      this.srtp = null;
    }
    this.stream = this.srtp?.stream(ssrc) ?? null;
    this.mode = this.decide();
    return this.mode;
  }

  private decide(): number {
    const w = this.werift;
    if (this.closed) return THROUGH_WERIFT; // no longer counted on the DTLS transport
    if (w.stopped === true) return DROP;
    if (this.srtp === null || this.dtls?.state !== 'connected') return THROUGH_WERIFT;
    if ((w.headerExtensions?.length ?? 0) > 0 || w.redRedundantPayloadType !== undefined)
      return THROUGH_WERIFT;
    if (w.seqOffset !== 0 || w.timestampOffset !== 0 || w.rtpContinuityPending) return THROUGH_WERIFT;
    return FAST;
  }
}
