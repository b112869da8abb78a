/**
 * The seam where media plugs into the engine. The core does the signaling (offers and answers over the
 * signaling socket), the states, retries and quality reports; a MediaBackend owns the peer connections —
 * werift in Node, RTCPeerConnection in browsers. Without a backend the engine is signaling only and says so:
 * publishing announces the stream without media and playing fails.
 *
 * Every connection talks to the SFU without trickle ICE: offers and answers carry every candidate.
 */
import type { TypedEmitter } from '@parley/protocol';

export type MediaKind = 'audio' | 'video';

/** Video codecs a publisher may ask for (the SFU forwards both). */
export type VideoCodecName = 'VP8' | 'H264';

/** Counters of one sent track, cumulative since the connection started (fields the stack cannot tell are absent). */
export interface SendTrackStats {
  packetsSent: number;
  bytesSent: number;
  /** Audio: packets (20 ms each); video: frames. */
  framesSent: number;
  /** Packets the receiver (the SFU) reported lost, from RTCP receiver reports. */
  packetsLost?: number;
  frameWidth?: number;
  frameHeight?: number;
  nackCount?: number;
  pliCount?: number;
}

/** Counters of one received track, cumulative since the connection started. */
export interface RecvTrackStats {
  packetsReceived: number;
  bytesReceived: number;
  /** Packets that never arrived (expected − received, RFC 3550 A.3): the loss left after repairs. */
  packetsLost: number;
  /** Packets that were missing and arrived later, resent after a NACK: loss the network caused and NACK repaired. */
  packetsRepaired?: number;
  /** Audio: packets; video: complete frames. */
  framesReceived: number;
  /** Video: frames decoded (browsers) or complete and decodable (Node, which does not decode). */
  framesDecoded?: number;
  framesDropped?: number;
  frameWidth?: number;
  frameHeight?: number;
  /** Interarrival jitter in seconds. */
  jitter?: number;
  /** Audio level 0..1 when the stack measures it. */
  audioLevel?: number;
  nackCount?: number;
  pliCount?: number;
  /** Total time media was stalled (break-occur to break-resume), seconds. */
  totalBreakSeconds?: number;
}

/** A snapshot of a connection's counters. */
export interface MediaStatsSnapshot<T> {
  /** performance.now() of the snapshot. */
  at: number;
  audio?: T;
  video?: T;
  /** Round-trip time to the SFU in ms, from RTCP, when known. */
  rttMs?: number;
}

/**
 * An ICE server refused or did not answer the connection (a browser's `icecandidateerror`): `code` is the
 * STUN error code (401: the TURN server refused the credentials) or 701 (no answer).
 */
export interface IceServerError {
  url: string;
  code: number;
  text: string;
}

/** Events every media connection has. */
export type MediaConnectionEvents = {
  /** ICE/DTLS connected: media flows. */
  connected: [];
  /** The connection broke for good (ICE failed, DTLS failed, consent lost); the core retries with a new one. */
  failed: [reason: string];
  /** A TURN server of the connection refused it or did not answer; the connection may still use other paths. */
  iceServerError: [error: IceServerError];
};

/** Events of a play connection. */
export type PlayConnectionEvents = MediaConnectionEvents & {
  /** The first complete frame of `kind` arrived. */
  firstFrame: [kind: MediaKind];
  /** Media of `kind` stopped arriving (a stall), or came back after one. */
  mediaBreak: [kind: MediaKind, broken: boolean];
};

/** One upstream connection: the backend's sending side of a published stream. */
export interface PublishConnection extends TypedEmitter<MediaConnectionEvents> {
  /** A complete SDP offer with sendonly audio and/or video. */
  createOffer(): Promise<string>;
  setAnswer(sdp: string): Promise<void>;
  stats(): Promise<MediaStatsSnapshot<SendTrackStats>>;
  close(): void;
}

/** One downstream connection: the backend's receiving side of a played stream. */
export interface PlayConnection extends TypedEmitter<PlayConnectionEvents> {
  /** Applies the SFU's offer; returns the complete answer. */
  acceptOffer(sdp: string): Promise<string>;
  stats(): Promise<MediaStatsSnapshot<RecvTrackStats>>;
  close(): void;
}

/** One ICE server, as RTCPeerConnection's configuration takes it. */
export interface IceServer {
  /** `stun:`, `turn:` or `turns:` URLs. */
  urls: string[];
  /** TURN only. */
  username?: string;
  /** TURN only. */
  credential?: string;
}

/** `all`: every path (direct first); `relay`: only through a TURN server. */
export type IceTransportPolicy = 'all' | 'relay';

/** What every connection is told. */
export interface ConnectionInfo {
  streamID: string;
  /**
   * The connection's only ICE servers: the server's STUN URLs (`stun:host:port`, from its `hello`) and, when the
   * server offers TURN, its TURN servers with this session's credentials. A stack must never fall back to a
   * STUN server of its own choosing.
   */
  iceServers: IceServer[];
  /** `relay` once the direct path failed in this session and TURN is offered; else `all`. */
  iceTransportPolicy: IceTransportPolicy;
  /** The signaling URL: a backend may choose its candidate addresses from its host (e.g. loopback). */
  serverUrl: string;
}

/** What the core tells a backend about a stream it publishes. */
export interface PublishMediaInfo<Source = unknown> extends ConnectionInfo {
  /** The face's media source as given to `startPublishingStream` (e.g. a ZegoLocalStream); opaque to the core. */
  source: Source | undefined;
  /** The video codec the app asked for; absent = the backend's default (VP8). */
  videoCodec?: VideoCodecName | undefined;
}

/** What the core tells a backend about a stream it plays. */
export interface PlayMediaInfo<Output = unknown> extends ConnectionInfo {
  /** What the app receives (a MediaStream, a frame sink), made by {@link MediaBackend.createOutput}. */
  output: Output;
  audio: boolean;
  video: boolean;
}

/**
 * A media stack.
 * @example
 * const conn = backend.createPublishConnection({ streamID: 's1', source });
 * const offer = await conn.createOffer();   // the core sends it in `publish` and applies the answer
 */
export interface MediaBackend<Source = unknown, Output = unknown> {
  /**
   * Checks a source before a publish is sent: returns 0, or the Express code to refuse with (e.g. a source
   * without tracks: 1100001).
   */
  checkSource(source: Source | undefined): number;
  /** Which tracks of a source are sending (true) rather than muted; sent with the publish. */
  trackStates(source: Source | undefined): { audio: boolean; video: boolean };
  /**
   * Mutes or unmutes a track of a source (muted video sends nothing, muted audio sends silence, as WebRTC stacks
   * do for a disabled track; the connection stays). Returns false if the source has no such track.
   */
  setTrackMuted(source: Source, kind: MediaKind, muted: boolean): boolean;
  createPublishConnection(info: PublishMediaInfo<Source>): PublishConnection;
  /** Makes what `startPlayingStream` hands the app; it outlives connection retries of the same play. */
  createOutput(streamID: string): Output;
  createPlayConnection(info: PlayMediaInfo<Output>): PlayConnection;
  /** The play stopped for good: release the output (end its tracks, close its files). */
  closeOutput(output: Output): void;
  /** The engine is destroyed: release everything. */
  close(): void;
}
