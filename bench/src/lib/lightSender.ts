/**
 * The sending side of a benchmark publisher, the counterpart of lib/lightReceiver.ts. The publisher's werift
 * peer connection does the real work of joining (ICE, DTLS, keys); then {@link lightenSender} sends its RTP
 * at the socket, as a baseline endpoint (lib/baseline.ts) sends: each packet gets its 12-byte header (the
 * benchmark negotiates no header extension, so werift's sender would write the same one), is protected by
 * lib/senderSrtp.ts with the SRTP keys werift got from DTLS, and reaches the kernel through the UDP socket of the
 * ICE pair in use before the send returns; the send returns when it handed the packet over, the time the
 * latency is measured from (see lib/meter.ts). Through werift's sender (a clone of the packet, a chain of
 * promises, a new cipher per packet, an address lookup on a later tick) a packet reached the socket about
 * 0.2 ms after the time in its tag (p50, 200 players), all of it counted as latency the server added.
 *
 * werift stays the owner of the stream. After each send the sender's counters move as its own `dispatchRtp`
 * moves them (its sender reports carry them) and the packet goes into the sender's retransmission history,
 * so werift answers the server's NACKs, and its PLIs reach the track as before. RTCP, STUN and DTLS stay
 * werift's.
 */
import { ntpTime, type RTCRtpSender, RtpHeader, RtpPacket } from 'werift';
import { SenderSrtp } from './senderSrtp.js';
import { makeSendsSynchronous } from './serverParts.js';
import type { PacketFields, SendPacket } from './synthRtp.js';
import { nominatedPair, senderInternals, srtpConfig, udpTransport } from './weriftShapes.js';

/** werift's `RTP_HISTORY_SIZE` (media/rtpSender.ts): the sender's retransmission history, by sequence number. */
const RTP_HISTORY_SIZE = 128;

/**
 * Takes over the RTP of `sender`, a sender of the connected werift peer connection whose DTLS transport it
 * uses. Returns `send(fields, payload)` for a SyntheticTrack (`fields`: payloadType, sequenceNumber,
 * timestamp, marker), which returns the performance.now() at which it handed the packet to the socket.
 */
export function lightenSender(sender: RTCRtpSender): SendPacket {
  const dtls = sender.dtlsTransport;
  const pair = nominatedPair(dtls);
  const udp = udpTransport(pair);
  const config = srtpConfig(dtls);
  if (pair === null || udp?.type !== 'udp' || !udp.socket || !config || dtls.state !== 'connected') {
    throw new Error('the publisher is not connected over UDP with SRTP keys');
  }
  const internals = senderInternals(sender);
  if (
    internals.seqOffset !== 0 ||
    internals.timestampOffset !== 0 ||
    sender.redRedundantPayloadType !== undefined
  ) {
    throw new Error(
      "the publisher's sender rewrites its packets; the light sender would not send the same bytes",
    );
  }
  const srtp = new SenderSrtp(config.profile, config.keys.localMasterKey, config.keys.localMasterSalt);
  const socket = udp.socket;
  if (!makeSendsSynchronous(socket))
    throw new Error("this Node's dgram sockets do not take a synchronous lookup");
  const { host, port } = pair.remoteCandidate;
  let reporting = false;

  return (fields: PacketFields, payload: Buffer) => {
    const codec = sender.codec;
    if (sender.stopped || udp.closed || codec === undefined) return undefined;
    const header = { ...fields, payloadType: codec.payloadType, ssrc: sender.ssrc };
    const packet = srtp.protect(header, payload);
    const handedOffAt = performance.now();
    socket.send(packet, port, host);
    // What werift's dispatchRtp and RTCDtlsTransport.sendRtp record for a packet they send.
    internals.sequenceNumber = header.sequenceNumber;
    internals.timestamp = header.timestamp;
    internals.rtpTimestamp = header.timestamp;
    internals.ntpTimestamp = ntpTime();
    internals.octetCount += payload.length;
    internals.headerBytesSent += 12;
    internals.packetCount = (internals.packetCount + 1) >>> 0;
    internals.rtpCache[header.sequenceNumber % RTP_HISTORY_SIZE] = new RtpPacket(
      new RtpHeader(header),
      payload,
    );
    if (!reporting) {
      // werift's sender-report loop, started after the first packet as its dispatchRtp starts it.
      reporting = true;
      sender.runRtcp().catch(() => {});
    }
    dtls.bytesSent += packet.length;
    dtls.packetsSent += 1;
    pair.bytesSent += packet.length;
    pair.packetsSent += 1;
    return handedOffAt;
  };
}
