/**
 * The private parts of werift 0.25.2 the bench's light sender and receiver reach (lib/lightSender.ts,
 * lib/lightReceiver.ts), declared in one place. werift keeps them private in its types; the bench takes a
 * connected peer connection's RTP over at the socket, so it has to read the ICE pair's UDP transport and the
 * DTLS session's SRTP keys, and keep the sender's counters and history as werift's own send path keeps them.
 * Each accessor checks the shape it needs at run time and says what is missing, so a werift upgrade that
 * moves one fails with a clear error at the first connection rather than measuring something else.
 */
import type { Socket } from 'node:dgram';
import type { RTCDtlsTransport, RtpPacket } from 'werift';

/** werift's UDP transport under the nominated pair's STUN protocol (ice/src/transport.ts: UdpTransport). */
export interface WeriftUdpTransport {
  type: string;
  socket: Socket;
  closed: boolean;
  onData: (data: Buffer, addr: readonly [string, number]) => void;
}

/** The nominated candidate pair of an ICE connection, with the counters werift's sends move. */
export interface WeriftPair {
  protocol: unknown;
  remoteCandidate: { host: string; port: number };
  bytesSent: number;
  packetsSent: number;
}

/** The SRTP keys werift's DTLS session agreed on (rtp/src/srtp/session.ts: its `config`). */
export interface WeriftSrtpConfig {
  profile: number;
  keys: {
    localMasterKey: Buffer;
    localMasterSalt: Buffer;
    remoteMasterKey: Buffer;
    remoteMasterSalt: Buffer;
  };
}

/** What the light sender keeps up to date on werift's RTCRtpSender, as its `dispatchRtp` does. */
export interface WeriftSenderInternals {
  seqOffset: number;
  timestampOffset: number;
  sequenceNumber?: number;
  timestamp?: number;
  rtpTimestamp: number;
  ntpTimestamp: bigint;
  octetCount: number;
  headerBytesSent: number;
  packetCount: number;
  rtpCache: RtpPacket[];
}

/** werift's RTCRtpReceiver's report loop, which the light receiver turns off. */
export interface WeriftReceiverInternals {
  runRtcp: () => Promise<void>;
  rtcpRunning: boolean;
  rtcpCancel?: AbortController;
}

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null;
}

/** The nominated pair of `dtls`'s ICE connection, or null when there is none yet. */
export function nominatedPair(dtls: RTCDtlsTransport): WeriftPair | null {
  const pair: unknown = dtls.iceTransport.connection.nominated;
  if (!isObject(pair) || !isObject(pair['remoteCandidate'])) return null;
  return pair as unknown as WeriftPair;
}

/** The UDP transport of the nominated pair, or null (not connected, or not over UDP). */
export function udpTransport(pair: WeriftPair | null): WeriftUdpTransport | null {
  const protocol = pair?.protocol;
  const transport = isObject(protocol) ? protocol['transport'] : undefined;
  if (!isObject(transport) || typeof transport['onData'] !== 'function') return null;
  return transport as unknown as WeriftUdpTransport;
}

/** The SRTP keys of `dtls`'s session, or null before the handshake has given them. */
export function srtpConfig(dtls: RTCDtlsTransport): WeriftSrtpConfig | null {
  const srtp: unknown = dtls.srtp;
  const config = isObject(srtp) ? srtp['config'] : undefined;
  if (!isObject(config) || !isObject(config['keys']) || typeof config['profile'] !== 'number') return null;
  return config as unknown as WeriftSrtpConfig;
}

/** `sender`'s private counters and history (werift's RTCRtpSender). */
export function senderInternals(sender: object): WeriftSenderInternals {
  if (!Array.isArray((sender as { rtpCache?: unknown }).rtpCache)) {
    throw new Error("werift's RTCRtpSender has no rtpCache: the light sender needs werift 0.25's shapes");
  }
  return sender as WeriftSenderInternals;
}

/** `receiver`'s private report loop (werift's RTCRtpReceiver). */
export function receiverInternals(receiver: object): WeriftReceiverInternals {
  return receiver as WeriftReceiverInternals;
}
