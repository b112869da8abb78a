/**
 * Every private part of werift the SFU relies on, declared once. werift 0.25.2 (pinned in package.json) keeps
 * these fields and methods out of its typings, or types them more narrowly than they are; the SFU reads and
 * writes them to send on the wire without werift's per-packet pipeline (FastRtpSender, SenderReports), to put
 * its own SRTP contexts under werift (@parley/werift-srtp, whose session shapes it declares), to pick the SRTP profiles it prefers (Transport), and to
 * follow the peer's newest ICE nomination (followNomination.ts), to connect on the first check
 * (connectOnFirstCheck.ts), to answer a connected peer's checks in the UDP mux (answerChecks.ts), to keep an
 * early ClientHello (earlyDtls.ts), to register ICE credentials with the UDP mux (udpMux/registerIce.ts), to
 * drop what a finished handshake no longer needs (trimHandshake.ts) and the parsed descriptions of a settled
 * negotiation (dropDescriptions.ts), to release handshake buffers (unpoolHandshake.ts), to copy option objects
 * (shareOptionShapes.ts) and to take a publisher's RTP in the UDP mux (receiveInMux.ts). The accessors below
 * are where a werift object is cast to one of these shapes; `checkWeriftShapes()` (checkWeriftShapes.ts)
 * verifies at start-up that each shape is there, so a werift upgrade that moved one fails at once, by name,
 * instead of as lost media. (leanEvents.ts, senderFields.ts and pairHooks.ts also reach werift's classes:
 * werift's `Event` is pinned by a digest of its source, the methods senderFields.ts and pairHooks.ts hook by the
 * same start-up check, against werift's own sources.)
 */
import type { Socket } from 'node:dgram';
import type {
  CandidatePairState,
  RTCDtlsTransport,
  RTCPeerConnection,
  RTCRtpSender,
  RtpPacket,
} from 'werift';
import type { IceCredentialsShape } from './udpMux/registerIce.js';

/**
 * The fields of werift's `RTCRtpSender` (webrtc/src/media/rtpSender.ts) the forwarding fast path and the
 * sender reports read or keep up to date; most are private in its typings.
 */
export interface WeriftSenderInternals {
  stopped: boolean;
  ssrc: number;
  cname?: string;
  /** The negotiated codec (its payload type is what the fast path writes). */
  codec?: { payloadType: number };
  dtlsTransport?: RTCDtlsTransport;
  headerExtensions?: readonly unknown[];
  redRedundantPayloadType?: number;
  /** Offsets werift adds after `replaceTrack`; the fast path runs only while they are 0. */
  seqOffset: number;
  timestampOffset: number;
  rtpContinuityPending: boolean;
  sequenceNumber?: number;
  timestamp?: number;
  octetCount: number;
  packetCount: number;
  headerBytesSent: number;
  retransmittedPacketsSent: number;
  retransmittedBytesSent: number;
  /** Middle 32 bits of the last report's NTP time: what a receiver report echoes as LSR. */
  lastSRtimestamp?: number;
  /** When the last report was sent, in seconds (Date.now() / 1000, as werift's `timestampSeconds`). */
  lastSentSRTimestamp?: number;
  /** werift's own sender-report loop, which SenderReports replaces. */
  runRtcp(): Promise<void>;
}

/**
 * The fields of werift's `RTCRtpSender` its `handleRtcpPacket` writes from a receiver report, which its
 * `getStats` reads (remote-inbound-rtp): reportsInMux.ts applies the reports of players to them.
 */
export interface WeriftReportedFields {
  readonly ssrc: number;
  /** Middle 32 bits of the last report's NTP time, and when it was sent in seconds (as WeriftSenderInternals). */
  readonly lastSRtimestamp?: number;
  readonly lastSentSRTimestamp?: number;
  remotePacketsLost?: number;
  remoteFractionLost?: number;
  rtt?: number;
  totalRoundTripTime: number;
  roundTripTimeMeasurements: number;
}

// The fields senderFields.ts counts beside werift's sender and DTLS transport, or reads when werift changed
// them (own data properties in werift 0.25.2; checkWeriftShapes.ts verifies they still are).

/** The counters of werift's sender that the fast path keeps (werift names). */
export const SENDER_COUNTERS = [
  'sequenceNumber',
  'timestamp',
  'octetCount',
  'packetCount',
  'headerBytesSent',
  'retransmittedPacketsSent',
  'retransmittedBytesSent',
] as const;

/** The fields of werift's sender that decide whether the fast path may send (werift names). */
export const SENDER_CHECKED = [
  'stopped',
  'ssrc',
  'codec',
  'dtlsTransport',
  'headerExtensions',
  'redRedundantPayloadType',
  'seqOffset',
  'timestampOffset',
  'rtpContinuityPending',
] as const;

/** The counters of werift's DTLS transport that the fast path keeps. */
export const DTLS_COUNTERS = ['bytesSent', 'packetsSent'] as const;

/** The fields of werift's DTLS transport that decide whether the fast path may send. */
export const DTLS_CHECKED = ['state', 'srtp'] as const;

/** The transport under a candidate pair's protocol: werift's `UdpTransport` (common/src/transport.ts), or TCP. */
export interface WeriftProtocolTransport {
  type?: string;
  closed?: boolean;
  socket?: Socket;
}

/** A candidate pair of werift's ICE (`CandidatePair`, ice/src/iceBase.ts). */
export interface WeriftCandidatePair {
  protocol: { transport?: WeriftProtocolTransport };
  /** What werift's `remoteAddr` getter reads (the getter builds a new array per call). */
  remoteCandidate: { host: string; port: number };
  packetsSent: number;
  bytesSent: number;
  nominated: boolean;
  remoteNominated?: boolean;
  state: CandidatePairState;
  /** The check counters werift's `checkIncoming` keeps (its candidate-pair statistics). */
  requestsReceived: number;
  responsesSent: number;
}

/**
 * werift's ICE `Connection` (ice/src/ice.ts): `send` is what `RTCDtlsTransport.sendRtp` calls; it checks
 * `canSendApplicationData()`, then sends on the nominated pair's transport to the pair's remote address.
 * `checkComplete` is where a successful check (with the peer's USE-CANDIDATE) nominates a pair.
 */
export interface WeriftIceConnection {
  readonly iceLite: boolean;
  nominated?: WeriftCandidatePair;
  send(data: Buffer): Promise<void>;
  canSendApplicationData(): boolean;
  checkComplete(pair: WeriftCandidatePair): void;
  /** werift's `Event` of connection states ('checking', 'connected', 'completed', 'failed', 'closed'). */
  readonly stateChanged: { subscribe(listener: (state: string) => void): unknown };
}

/**
 * What the publisher's receive fast path (receiveInMux.ts) reads and keeps up to date of werift's receiving
 * side. werift's `RTCPeerConnection.router` (`RtpRouter`, webrtc/src/media/router.ts) maps an SSRC to its
 * `RTCRtpReceiver` once the first packet of the SSRC was routed, and the SSRC of each of its senders to the
 * `RTCRtpSender` (reportsInMux.ts, which tells them apart by class).
 */
export interface WeriftRtpRouter {
  readonly ssrcTable: Readonly<Record<number, WeriftRtpReceiver | undefined>>;
}

/** werift's `RTCRtpReceiver` (webrtc/src/media/rtpReceiver.ts), as `handleRTP` uses it per packet. */
export interface WeriftRtpReceiver {
  readonly stopped: boolean;
  readonly codecs: Readonly<Record<number, { name: string } | undefined>>;
  readonly trackBySSRC: Readonly<Record<number, WeriftRemoteTrack | undefined>>;
  /** The receive statistics by SSRC (werift's `StreamStatistics`), which its receiver reports are made of. */
  readonly remoteStreams: Readonly<Record<number, WeriftStreamStatistics | undefined>>;
  /** The transport-wide congestion control feedback of the receiver, when negotiated. */
  readonly receiverTWCC: unknown;
  /** Getters over the codecs' feedback (each sorts the codecs). */
  readonly nackEnabled: unknown;
  readonly twccEnabled: unknown;
  /** True once the receiver's RTCP loop (`runRtcp`, started by the first packet) runs. */
  readonly rtcpRunning: boolean;
  readonly nack: { addPacket(packet: RtpPacket): void };
}

/**
 * werift's `StreamStatistics` (webrtc/src/media/receiver/statistics.ts): one received stream's counts, which its
 * receiver reports (to the publisher) and `getStats` read. Own data properties in werift 0.25.2, written by
 * its `add` per packet (receivedStatistics.ts writes them the same way).
 */
export interface WeriftStreamStatistics {
  base_seq?: number;
  max_seq?: number;
  cycles: number;
  packets_received: number;
  bytesReceived: number;
  headerBytesReceived: number;
  lastPacketReceivedTimestamp?: number;
  readonly clockRate: number;
  jitter_q4: number;
  last_arrival?: number;
  last_timestamp?: number;
  add(packet: RtpPacket, now?: number): void;
}

/**
 * SHA-256 of the source of werift 0.25.2's `StreamStatistics.prototype.add` (ESM build): the version
 * receivedStatistics.ts does the same as. A werift whose `add` differs keeps its own.
 */
export const WERIFT_STATISTICS_ADD_SHA256 =
  '967019b332cf7ad8859cc3741e8c9618ad6e462812ea220ad9c216d6ef87ce26';

/** A remote `MediaStreamTrack` of werift: its RTP event. */
export interface WeriftRemoteTrack {
  readonly kind: string;
  readonly onReceiveRtp: { execute(packet: RtpPacket, extensions: Record<string, unknown>): void };
}

/** What a datagram's arrival updates on werift's DTLS transport and on the nominated pair (their statistics). */
export interface WeriftReceiveCounts {
  bytesReceived: number;
  packetsReceived: number;
}

/** What answerChecks.ts reads of werift's ICE `Connection`: the nominated pair, the current ufrag, the protocols. */
export interface WeriftAnsweringIce {
  readonly iceLite: boolean;
  readonly nominated?: WeriftCandidatePair;
  readonly localUsername: string;
  readonly protocols: ReadonlyArray<{ transport?: unknown }>;
}

/** A STUN Binding request as werift's ICE hands it to `checkIncoming` (stun/src/message.ts). */
export interface WeriftBindingRequest {
  attributesKeys: string[];
  getAttributeValue(name: string): unknown;
}

/** A candidate pair as werift's ICE `checkIncoming` finds it in its check list. */
export interface WeriftCheckedPair {
  protocol: unknown;
  remoteAddr: readonly [string, number];
  nominated: boolean;
  state: CandidatePairState;
  updateState(state: CandidatePairState): void;
}

/**
 * What connectOnFirstCheck.ts uses of werift's ICE `Connection`: the handler of incoming Binding requests
 * (werift answers every one), its check list, and the local ufrag a request must name.
 */
export interface WeriftLiteIceConnection {
  iceLite: boolean;
  localUsername: string;
  nominated?: unknown;
  checkList: WeriftCheckedPair[];
  checkIncoming(message: WeriftBindingRequest, addr: readonly [string, number], protocol: unknown): void;
  checkComplete(pair: WeriftCheckedPair): void;
}

/**
 * The `Event` of werift's ICE `Connection` that carries every non-STUN datagram to the DTLS transport (public in
 * its typings as an `Event`): earlyDtls.ts listens to it and replays a kept record through it.
 */
export interface WeriftIceData {
  onData: {
    subscribe(listener: (data: Buffer) => void): { unSubscribe: () => void };
    execute(data: Buffer): void;
  };
}

/**
 * werift's DTLS session under an `RTCDtlsTransport` (its `DtlsSocket`, dtls/src/socket.ts; undefined before the
 * handshake): its context and cipher, which unpoolHandshake.ts walks with the session's own data properties.
 */
export interface WeriftDtlsSession {
  dtls?: object;
  cipher?: object;
}

/** An object of werift's that keeps an option object of its own in `options` (see shareOptionShapes.ts). */
export interface WeriftOptionHolder {
  options: object;
}

/**
 * The holders of werift's per-connection option objects under `pc`: each transceiver, and the ICE gatherer and
 * ICE connection under each of its DTLS transports (`RTCIceTransport.iceGather`, `.connection`).
 */
export function optionHoldersOf(pc: RTCPeerConnection): WeriftOptionHolder[] {
  const holders = new Set<WeriftOptionHolder>();
  for (const transceiver of pc.getTransceivers()) {
    holders.add(transceiver as unknown as WeriftOptionHolder);
    const ice = transceiver.dtlsTransport.iceTransport as unknown as {
      iceGather: WeriftOptionHolder;
      connection: WeriftOptionHolder;
    };
    holders.add(ice.iceGather);
    holders.add(ice.connection);
  }
  return [...holders];
}

/**
 * The descriptions werift's `SDPManager` (webrtc/src/sdpManager.ts) keeps of a connection's negotiation, parsed;
 * dropDescriptions.ts clears the current ones once the connection is up.
 */
export interface WeriftSdpManager {
  currentLocalDescription: object | undefined;
  currentRemoteDescription: object | undefined;
  pendingLocalDescription: object | undefined;
  pendingRemoteDescription: object | undefined;
}

/** `pc`'s SDP manager (dropDescriptions.ts). */
export function sdpManagerOf(pc: RTCPeerConnection): WeriftSdpManager {
  return (pc as unknown as { sdpManager: WeriftSdpManager }).sdpManager;
}

/** A handshake message as werift's DTLS context caches it (`FragmentedHandshake`, by flight). */
export interface WeriftCachedHandshake {
  msg_type: number;
  message_seq: number;
}

/**
 * What trimHandshake.ts reads and clears of werift's DTLS server session (`DtlsServer`, dtls/src/server.ts)
 * once it is connected: its state, the cached handshake messages, the keys only the handshake uses, and the
 * hello extensions only a client sends.
 */
export interface WeriftDtlsServerState {
  connected: boolean;
  extensions: unknown[];
  dtls: { flight: number; handshakeCache: Record<string, { data: WeriftCachedHandshake[] }> };
  cipher: { localPrivateKey?: unknown; localKeyPair?: unknown; remoteKeyPair?: unknown };
}

/** The private fields of werift's `RTCRtpSender` the SFU uses. */
export function senderInternals(sender: RTCRtpSender): WeriftSenderInternals {
  return sender as unknown as WeriftSenderInternals;
}

/** The ICE connection under `dtls`, with the private parts the SFU uses. */
export function iceConnectionOf(dtls: RTCDtlsTransport): WeriftIceConnection {
  return dtls.iceTransport.connection as unknown as WeriftIceConnection;
}

/** The ICE connection under `dtls`, with what connectOnFirstCheck.ts uses of it. */
export function liteIceConnectionOf(dtls: RTCDtlsTransport): WeriftLiteIceConnection {
  return dtls.iceTransport.connection as unknown as WeriftLiteIceConnection;
}

/** werift's RTP router of `pc`: which receiver an SSRC goes to. */
export function rtpRouterOf(pc: RTCPeerConnection): WeriftRtpRouter {
  return (pc as unknown as { router: WeriftRtpRouter }).router;
}

/** The ICE connection under `dtls`, with what answerChecks.ts uses of it. */
export function answeringIceOf(dtls: RTCDtlsTransport): WeriftAnsweringIce {
  return dtls.iceTransport.connection as unknown as WeriftAnsweringIce;
}

/** The data event of `dtls`'s ICE connection (what earlyDtls.ts listens to). */
export function iceDataOf(dtls: RTCDtlsTransport): WeriftIceData {
  return dtls.iceTransport.connection as unknown as WeriftIceData;
}

/** werift's DTLS session of `dtls`, undefined before its handshake started. */
export function dtlsSessionOf(dtls: RTCDtlsTransport): WeriftDtlsSession | undefined {
  return (dtls as unknown as { dtls?: WeriftDtlsSession }).dtls;
}

/**
 * The ICE credentials and protocols of `dtls`'s connection, as the UDP mux registers them (the shape is
 * declared with the mux, udpMux/registerIce.ts, and pinned by udpMuxShapes.test.ts).
 */
export function iceCredentialsOf(dtls: RTCDtlsTransport): IceCredentialsShape {
  return dtls.iceTransport.connection as unknown as IceCredentialsShape;
}

/**
 * Sets the SRTP protection profiles `dtls` offers or accepts, in order of preference (private in werift's
 * typings; read when the handshake starts, so set it once the descriptions are applied).
 */
export function setSrtpProfiles(dtls: RTCDtlsTransport, profiles: readonly number[]): void {
  (dtls as unknown as { srtpProfiles: number[] }).srtpProfiles = [...profiles];
}

/** A subscriber of a werift `Event` (common/src/event.ts), as its `stack` and `promiseStack` keep it. */
export interface EventItem {
  execute: (...args: unknown[]) => unknown;
  id: number;
  complete?: () => void;
  error?: (e: unknown) => void;
}

/**
 * werift's `Event` as leanEvents.ts reads and writes it: its state and the methods it defines per instance
 * (arrow functions in class fields, all own properties).
 */
export interface WeriftEvent {
  event: { stack: EventItem[]; promiseStack: EventItem[]; eventId: number };
  ended: boolean;
  onended?: () => void;
  onerror: (e: unknown) => void;
  execute(...args: unknown[]): void;
  allUnsubscribe(): void;
  subscribe(
    execute: EventItem['execute'],
    complete?: () => void,
    error?: (e: unknown) => void,
  ): { unSubscribe: () => void; disposer: (d: (() => void)[]) => void };
  once(execute: EventItem['execute'], complete?: () => void, error?: (e: unknown) => void): void;
}

/**
 * SHA-256 of the source of werift 0.25.2's event methods (ESM build), in leanEvents.ts's order, `onerror`
 * last: the version its shared methods were written from. A werift whose event differs keeps its own methods.
 */
export const WERIFT_EVENT_SOURCE_SHA256 = '44c36f498ac5d44858dae4915f85a5b779bdbf69454fb58b11b94e7578773128';
