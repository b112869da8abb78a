/**
 * A player's receiver reports, from the UDP mux straight to werift's senders, instead of through werift's
 * receiving pipeline: its ICE protocol (a STUN parse of every datagram, an event), its DTLS transport (another
 * event, then werift's RTCP parser: an object per packet and report block), `RtpRouter.routeRtcp` and
 * `RTCRtpSender.handleRtcpPacket` — a hooked method (senderFields.ts), so every report also made that sender's
 * forwarding fast path decide again on its next packet.
 *
 * What an idle player costs the server is its receiver reports (one per stream every 5 s for audio, 1 s for
 * video, libwebrtc's intervals), its consent checks, its signaling heartbeats and the SFU's sender reports to
 * it. Measured on this machine (2026-12-07, bench audio-fanout, 200 players, each switched off in turn in
 * alternating runs), each of the four was 0.3–0.5 µs of server CPU per forwarded packet, at rest and under
 * load alike: cold code and objects, each event on its own. Taking the reports here, same-run pairs (video
 * fan-out, 200 players, reports every second): 9.89 / 8.89 → 8.5 / 8.5 µs per forwarded packet, 1.83 / 1.56 →
 * 1.44 / 1.5 µs of it at rest.
 *
 * A compound of receiver reports and SDES only (what a player sends between its feedback) is applied as
 * werift applies it (`handleRtcpPacket` for SR and RR, below) to the same fields, which werift's `getStats`
 * reads (the remote loss, the fraction lost, the round-trip time from LSR and DLSR); werift's DTLS transport
 * and the nominated pair count the datagram, and the transport's activity is noted (its watchdog). Anything
 * else a player sends (NACK, PLI, FIR, REMB, TWCC, a malformed compound) is decrypted here all the same — an
 * SRTCP index is accepted once — and handed to the DTLS transport's `onRtcp` listeners, as werift's transport
 * does after it decrypts: the router, the transport's own feedback handler and its watchdog. A packet that
 * fails authentication, or that arrives before DTLS is up with the SFU's SRTP contexts, goes to werift.
 */
import { RTCRtpSender, RtcpPacketConverter } from 'werift';
import { InMuxReceiver } from './mediaInMux.js';
import type { WeriftReportedFields, WeriftRtpRouter } from './shapes.js';

const PT_RR = 201;
const PT_SDES = 202;
/** werift's smoothing of the round-trip time (`RTT_ALPHA` of rtpSender.ts). */
const RTT_ALPHA = 0.85;

/**
 * The RTCP path of one ICE protocol (one mux transport) of a player's connection: Transport installs it
 * (`receiveInMux`) once the ICE agent is prepared.
 */
export class ReportsReceive extends InMuxReceiver {
  receive(data: Buffer): boolean {
    // What werift's DTLS transport takes for RTCP: a media datagram (first byte 128–191) of type 192–208.
    const b0 = data[0]!;
    const b1 = data[1]!;
    if (data.length < 8 || b0 < 128 || b0 > 191 || b1 < 192 || b1 > 208) return false;
    const srtp = this.srtp();
    if (srtp === null) return false;
    let plain: Buffer;
    try {
      plain = srtp.remote.unprotectRtcp(data);
    } catch {
      return false; // werift unprotects it again and drops it, as it does any packet that fails
    }
    this.countReceived(data.length);
    try {
      if (!applyReports(plain, this.router)) {
        // What werift's DTLS transport does with a decrypted compound; its listeners catch per packet too.
        for (const rtcp of RtcpPacketConverter.deSerialize(plain)) {
          try {
            this.dtls.onRtcp.execute(rtcp);
          } catch {
            // werift logs and goes on with the next packet of the compound.
          }
        }
        return true; // the watchdog is one of those listeners
      }
    } catch {
      // A compound werift's parser throws on: dropped, as werift's transport would (it authenticated, so the
      // player is there: its activity counts).
    }
    this.onPacket();
    return true;
  }
}

/**
 * Applies `compound` (decrypted) if it holds receiver reports and SDES only, each report block to the sender
 * of its SSRC, as werift's `handleRtcpPacket` does; false, with nothing applied, for anything else: another
 * packet type, lengths that do not add up, or a report about an SSRC that is not a sender's (werift's router
 * hands such a report to whatever else holds the SSRC).
 */
export function applyReports(compound: Buffer, router: WeriftRtpRouter): boolean {
  for (let at = 0; at < compound.length; ) {
    if (at + 4 > compound.length || compound[at]! >> 6 !== 2) return false;
    const type = compound[at + 1];
    const end = at + 4 + 4 * compound.readUInt16BE(at + 2);
    if ((type !== PT_RR && type !== PT_SDES) || end > compound.length) return false;
    if (type === PT_RR) {
      const count = compound[at]! & 0x1f;
      if (at + 8 + 24 * count > end) return false;
      for (let i = 0; i < count; i++) {
        if (senderOf(router, compound.readUInt32BE(at + 8 + 24 * i)) === null) return false;
      }
    }
    at = end;
  }
  for (let at = 0; at < compound.length; at += 4 + 4 * compound.readUInt16BE(at + 2)) {
    if (compound[at + 1] !== PT_RR) continue;
    const count = compound[at]! & 0x1f;
    for (let i = 0, block = at + 8; i < count; i++, block += 24) {
      applyReport(senderOf(router, compound.readUInt32BE(block))!, compound, block);
    }
  }
  return true;
}

/** The sender whose SSRC `ssrc` is, as werift's router finds the recipient of a report; null if none is. */
function senderOf(router: WeriftRtpRouter, ssrc: number): WeriftReportedFields | null {
  const recipient: unknown = router.ssrcTable[ssrc];
  if (!(recipient instanceof RTCRtpSender)) return null;
  const sender = recipient as unknown as WeriftReportedFields;
  // werift's sender applies the blocks about its own SSRC only.
  return sender.ssrc === ssrc ? sender : null;
}

/** werift's `RTCRtpSender.handleRtcpPacket` for one report block about the sender (at `block` in `bytes`). */
function applyReport(sender: WeriftReportedFields, bytes: Buffer, block: number): void {
  sender.remotePacketsLost = bytes.readUIntBE(block + 5, 3);
  sender.remoteFractionLost = bytes[block + 4]! / 256;
  const lsr = bytes.readUInt32BE(block + 16);
  const dlsr = bytes.readUInt32BE(block + 20);
  if (sender.lastSRtimestamp === lsr && dlsr !== 0 && sender.lastSentSRTimestamp) {
    const rtt = Date.now() / 1000 - sender.lastSentSRTimestamp - dlsr / 65536;
    sender.totalRoundTripTime += rtt;
    sender.roundTripTimeMeasurements += 1;
    sender.rtt = sender.rtt === undefined ? rtt : RTT_ALPHA * sender.rtt + (1 - RTT_ALPHA) * rtt;
  }
}
