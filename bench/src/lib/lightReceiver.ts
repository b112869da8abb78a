/**
 * The receiving side of a benchmark player, light enough that one load-generator core takes tens of thousands
 * of packets a second. The player's werift peer connection does the real work of joining (ICE, DTLS, keys),
 * then {@link lighten} takes its RTP over, at the socket: each packet's sequence number is read from its
 * clear RTP header and only the benchmark's tag is decrypted (lib/tagDecoder.ts), with the session keys
 * werift got from DTLS, on node:crypto, without the server's code. A wrong key, index or rewrite gives a
 * garbage tag, which counts as a lost packet. The tag is not authenticated; the SFU's SRTP is checked byte
 * for byte against werift and libwebrtc by the tests.
 *
 * Everything but RTP still goes to werift: STUN (its consent checks every ~5 s), DTLS, and the SFU's RTCP.
 * The player sends the RTCP a libwebrtc receiver does, written here instead of werift's (which stops seeing
 * RTP): a receiver report every 5 s for audio and every 1 s with video (libwebrtc's intervals, randomized
 * 0.5–1.5×), with each stream's highest sequence number, loss and the LSR/DLSR of the SFU's last sender
 * report; and a generic NACK for every gap in the sequence numbers, at once, as libwebrtc asks for a missing
 * packet (once here). A retransmitted packet counts when it arrives, like any other.
 */
import type { RemoteInfo } from 'node:dgram';
import { RolloverCounter } from '@parley/rtp';
import type { RTCPeerConnection } from 'werift';
import { arrivals } from './arrivals.js';
import { advance, TagDecoder } from './tagDecoder.js';
import { nominatedPair, receiverInternals, srtpConfig, udpTransport } from './weriftShapes.js';

/** Where a light receiver hands each packet's tag (a Meter receiver). */
export interface TagSink {
  recordTag(sourceId: number, number: number, sentAt: number, at: number): void;
}

/**
 * One stream a player receives: its rollover counter and what its receiver reports count. This is lighter than
 * `@parley/rtp`'s ReceiverStatistics on purpose: the reports carry the highest sequence number, the loss and
 * LSR/DLSR a libwebrtc receiver sends, but no jitter (0), so that a packet costs the load generator a counter
 * and no clock arithmetic; the bench measures latency from its own timestamps instead.
 */
interface ReceivedStream {
  ssrc: number;
  sequence: RolloverCounter;
  first: number;
  received: number;
  expectedAtReport: number;
  receivedAtReport: number;
}

/** A lightened player, as the report timer sees it. */
interface LightPlayer {
  reportIntervalMs: number;
  reportDue: number;
  sendReport(): void;
}

/** How often a player sends a receiver report, by the kinds it receives (libwebrtc's intervals). */
export const RR_INTERVAL_MS = { audio: 5000, video: 1000 } as const;
/** How often the one report timer looks for due reports. */
export const RR_TICK_MS = 100;
/** Gaps larger than this are not NACKed (a restart, not a loss). */
const MAX_NACK_GAP = 64;
const PT_RR = 201;
const PT_RTPFB = 205;

/** Every lightened player, for the one timer that sends their receiver reports. */
const players = new Set<LightPlayer>();
let timer: NodeJS.Timeout | null = null;

function tick(): void {
  const now = performance.now();
  for (const p of players) {
    if (now >= p.reportDue) {
      p.reportDue = now + p.reportIntervalMs * (0.5 + Math.random());
      p.sendReport();
    }
  }
}

/**
 * Takes the RTP of the connected werift peer connection `pc` over; each packet's tag goes to
 * `receiver.recordTag(sourceId, number, sentAt, at)`. Returns `close()`, which gives RTP back to werift
 * and stops the reports.
 */
export function lighten(pc: RTCPeerConnection, receiver: TagSink): () => void {
  const transceivers = pc.getTransceivers();
  const dtls = transceivers[0]?.dtlsTransport;
  if (dtls === undefined) throw new Error('the player has no transceiver');
  const connection = dtls.iceTransport.connection;
  const udp = udpTransport(nominatedPair(dtls));
  const config = srtpConfig(dtls);
  if (!udp || !config) {
    throw new Error('the player is not connected over UDP with SRTP keys');
  }
  const decoder = new TagDecoder(config.profile, config.keys.remoteMasterKey, config.keys.remoteMasterSalt);
  const rtcpSsrc = (Math.random() * 0xffffffff) >>> 0;
  const receivers = transceivers.map((t) => t.receiver);
  /** Per SSRC: the rollover counter and highest sequence number, the first one, packets received. */
  const streams = new Map<number, ReceivedStream>();

  const onRtp = (packet: Buffer, at: number): void => {
    const ssrc = packet.readUInt32BE(8);
    const seq = packet.readUInt16BE(2);
    let s = streams.get(ssrc);
    if (s === undefined) {
      s = {
        ssrc,
        sequence: new RolloverCounter(),
        first: seq,
        received: 0,
        expectedAtReport: 0,
        receivedAtReport: 0,
      };
      streams.set(ssrc, s);
    }
    const before = s.sequence.highestSeq;
    const { roc, gap } = advance(s.sequence, seq);
    if (gap > 0 && gap <= MAX_NACK_GAP) sendNack(ssrc, (before + 1) & 0xffff, gap);
    s.received += 1;
    if (decoder.read(packet, roc)) receiver.recordTag(decoder.sourceId, decoder.number, decoder.sentAt, at);
  };

  const sendRtcp = (bytes: Buffer): void => {
    let protectedBytes: Buffer;
    try {
      protectedBytes = dtls.srtcp.encrypt(bytes);
    } catch {
      return;
    }
    connection.send(protectedBytes).catch(() => {});
  };

  /** A generic NACK (RFC 4585 §6.2.1) for `count` packets from `first`. */
  const sendNack = (mediaSsrc: number, first: number, count: number): void => {
    const fci: [number, number][] = [];
    for (let i = 0; i < count; ) {
      const pid = (first + i) & 0xffff;
      let blp = 0;
      for (let b = 1; b <= 16 && i + b < count; b++) blp |= 1 << (b - 1);
      fci.push([pid, blp]);
      i += 17;
    }
    const out = Buffer.alloc(12 + 4 * fci.length);
    out[0] = 0x81; // V=2, FMT=1
    out[1] = PT_RTPFB;
    out.writeUInt16BE(out.length / 4 - 1, 2);
    out.writeUInt32BE(rtcpSsrc, 4);
    out.writeUInt32BE(mediaSsrc, 8);
    fci.forEach(([pid, blp], i) => {
      out.writeUInt16BE(pid, 12 + 4 * i);
      out.writeUInt16BE(blp, 14 + 4 * i);
    });
    sendRtcp(out);
  };

  const player: LightPlayer = {
    reportIntervalMs: transceivers.some((t) => t.kind === 'video')
      ? RR_INTERVAL_MS.video
      : RR_INTERVAL_MS.audio,
    reportDue: performance.now() + 1000 * (0.5 + Math.random()),
    /** A receiver report (RFC 3550 §6.4.2) with one block per stream received. */
    sendReport() {
      const list = [...streams.values()].slice(0, 31);
      const out = Buffer.alloc(8 + 24 * list.length);
      out[0] = 0x80 | list.length;
      out[1] = PT_RR;
      out.writeUInt16BE(out.length / 4 - 1, 2);
      out.writeUInt32BE(rtcpSsrc, 4);
      const nowSeconds = Date.now() / 1000;
      list.forEach((s, i) => {
        const at = 8 + 24 * i;
        const extended = s.sequence.roc * 65536 + s.sequence.highestSeq;
        const expected = extended - s.first + 1;
        const lost = Math.max(0, expected - s.received);
        const expectedInterval = expected - s.expectedAtReport;
        const lostInterval = expectedInterval - (s.received - s.receivedAtReport);
        s.expectedAtReport = expected;
        s.receivedAtReport = s.received;
        const fraction =
          expectedInterval > 0 && lostInterval > 0 ? Math.floor((lostInterval * 256) / expectedInterval) : 0;
        out.writeUInt32BE(s.ssrc, at);
        out.writeUInt32BE(((Math.min(fraction, 255) << 24) | Math.min(lost, 0x7fffff)) >>> 0, at + 4);
        out.writeUInt32BE(extended >>> 0, at + 8);
        // Jitter: not computed by the benchmark (0).
        const receiverOf = receivers.find((r) => r.lastSRtimestamp?.[s.ssrc] !== undefined);
        const lsr = receiverOf?.lastSRtimestamp[s.ssrc] ?? 0;
        const since = lsr ? nowSeconds - (receiverOf?.receiveLastSRTimestamp[s.ssrc] ?? nowSeconds) : 0;
        out.writeUInt32BE(lsr >>> 0, at + 16);
        out.writeUInt32BE(since > 0 && since < 65536 ? Math.floor(since * 65536) >>> 0 : 0, at + 20);
      });
      sendRtcp(out);
    },
  };

  // werift's receivers would report nothing now: their report loops stay off.
  for (const r of receivers) {
    const internals = receiverInternals(r);
    internals.runRtcp = async () => {};
    internals.rtcpRunning = false;
    internals.rtcpCancel?.abort();
  }
  // RTP is taken at the socket itself, ahead of werift's `message` listener (which normalizes the address
  // family, stores the sender's address on the transport and builds an address array for each datagram before
  // its `onData`): the bench reads a Parley player's packet with the same work as a baseline receiver's (a
  // listener on a bare socket, lib/baseline.ts), so the arrival times of a burst compare the forwarders, not
  // the two receiving paths. Everything else goes on to werift's listeners, as before.
  const socket = udp.socket;
  const weriftListeners = socket.listeners('message') as ((data: Buffer, info: RemoteInfo) => void)[];
  if (weriftListeners.length === 0) throw new Error("werift's UDP transport has no message listener");
  socket.removeAllListeners('message');
  const onMessage = (data: Buffer, info: RemoteInfo): void => {
    const b0 = data[0];
    // RTP: version 2, and not an RTCP packet type (RFC 5761 §4); the rest (STUN, DTLS, RTCP) is werift's.
    if (b0 >= 128 && b0 < 192 && data.length >= 12 && (data[1] < 192 || data[1] > 223)) {
      // The time now, the rest once the burst has passed (lib/arrivals.ts).
      arrivals.push(onRtp, data, performance.now());
      return;
    }
    for (const listener of weriftListeners) listener.call(socket, data, info);
  };
  socket.on('message', onMessage);
  players.add(player);
  if (timer === null) {
    timer = setInterval(tick, RR_TICK_MS);
    timer.unref();
  }
  return () => {
    socket.off('message', onMessage);
    for (const listener of weriftListeners) socket.on('message', listener);
    players.delete(player);
    if (players.size === 0 && timer !== null) {
      clearInterval(timer);
      timer = null;
    }
  };
}
