/**
 * The remote node's end of a media pipe: the stream's source on this node when its publisher is connected to
 * another node (the origin). It receives each packet of the stream once from the origin, whatever the number
 * of players here, and feeds one {@link Producer} per track; the players' consumers fan out from those, answer
 * their NACKs from those producers' buffers, and ask them for keyframes, which go back through the pipe.
 *
 * Set-up, driven by the rooms layer over the cluster bus: {@link SfuRouter.openPipeIn} binds the socket and
 * gives the {@link PipeRequest} for the origin; the origin's answer goes to {@link PipeIn.connect}, from which
 * on the router serves the stream key from this pipe (`router.play()` works as for a local publisher).
 */
import { TypedEmitter } from '@parley/protocol';
import { Producer, type ProducerOptions } from '../Producer.js';
import { SfuError } from '../SfuError.js';
import type { StreamSource } from '../StreamSource.js';
import type { RtpStreamStats } from '../stats.js';
import type { PipeCloseReason } from './PipeCloseReason.js';
import { PipeEndpoint, type PipeEndpointOptions } from './PipeEndpoint.js';
import { PipeTrackSource } from './PipeTrackSource.js';
import { type PipeAnswer, type PipeRequest, parsePipeAnswer } from './pipeMessages.js';

/** Events of a {@link PipeIn}. */
export interface PipeInEvents {
  /** {@link PipeIn.connect} succeeded: the pipe is this node's source of the stream. */
  connected: [];
  /** The first packet from the origin arrived. */
  open: [];
  /** This node's players of the stream changed; at 0 the rooms layer starts its linger, then closes the pipe. */
  players: [count: number];
  close: [reason: PipeCloseReason];
}

/** What {@link PipeIn.open} needs; supplied by the router. */
export interface PipeInOptions {
  streamKey: string;
  pipeID: string;
  /** The address the origin sends to (this node's pipe address). */
  pipeAddress: string;
  endpoint: PipeEndpointOptions;
  producerOptions: ProducerOptions;
  /** From open to connect, at most. */
  connectTimeoutMs: number;
}

/** Counters of a {@link PipeIn}. */
export interface PipeInStats {
  pipeID: string;
  streamKey: string;
  state: 'new' | 'connecting' | 'connected';
  /** A packet from the origin has arrived. */
  open: boolean;
  players: number;
  /** RTP datagrams and their bytes received from the origin (repairs included). */
  packetsReceived: number;
  bytesReceived: number;
  rtcpSent: number;
  rtcpReceived: number;
  /** Datagrams (or RTCP packets) dropped: from elsewhere, before connect, malformed, of no track, unexpected. */
  ignored: number;
  /** Per track, as its producer counts (duplicates dropped; `nackCount` = NACKs sent through the pipe). */
  tracks: RtpStreamStats[];
}

let nextPipeInId = 1;

/**
 * A pipe-in. Made by {@link SfuRouter.openPipeIn}; closed by its owner, by the origin (BYE), by silence, or
 * with the router.
 * @example
 * const pipe = await router.openPipeIn('app/stream-1', 'node-b/7');
 * const answer = await bus.request(originNode, pipe.request); // the origin calls router.openPipeOut
 * await pipe.connect(answer);
 * pipe.on('players', (n) => (n === 0 ? startLinger() : cancelLinger()));
 */
export class PipeIn extends TypedEmitter<PipeInEvents> implements StreamSource {
  readonly id = `pipe-in-${nextPipeInId++}`;
  /** The stream key it serves once connected. */
  readonly key: string;
  readonly pipeID: string;
  /** What the origin needs to send here: JSON, for the cluster bus. */
  readonly request: PipeRequest;
  private readonly endpoint: PipeEndpoint;
  private readonly producerOptions: ProducerOptions;
  private readonly producers = new Map<'audio' | 'video', Producer>();
  private readonly sources = new Map<number, PipeTrackSource>();
  private state: PipeInStats['state'] = 'new';
  private connectTimer: NodeJS.Timeout | null;
  private players = 0;
  private ignoredPackets = 0;
  private closing: Promise<void> | null = null;
  private closeReason: PipeCloseReason | null = null;

  private constructor(options: PipeInOptions, endpoint: PipeEndpoint) {
    super();
    this.key = options.streamKey;
    this.pipeID = options.pipeID;
    this.endpoint = endpoint;
    this.producerOptions = options.producerOptions;
    this.request = { pipeID: options.pipeID, address: options.pipeAddress, port: endpoint.port };
    this.connectTimer = setTimeout(() => void this.close('timeout'), options.connectTimeoutMs);
    this.connectTimer.unref();
  }

  /** Binds the pipe's socket. */
  static async open(options: PipeInOptions): Promise<PipeIn> {
    return new PipeIn(options, await PipeEndpoint.bind(options.endpoint));
  }

  get closed(): boolean {
    return this.closing !== null;
  }

  /** Why it closed, or null while open. */
  get closedBecause(): PipeCloseReason | null {
    return this.closeReason;
  }

  /** This node's players of the stream (told by the router). */
  get playerCount(): number {
    return this.players;
  }

  /** The producer of `kind`, once connected, if the stream has that kind. */
  producer(kind: 'audio' | 'video'): Producer | undefined {
    return this.producers.get(kind);
  }

  /** Every producer, audio first (empty until connected). */
  get producerList(): Producer[] {
    return [...this.producers.values()].sort((a, b) => (a.kind < b.kind ? -1 : 1));
  }

  /**
   * Applies the origin's answer: from now on the pipe takes packets from the origin's address and port only,
   * and the router serves the stream key from it. A malformed answer, or one for another pipe, throws a
   * TypeError; any failure closes the pipe (`failed`).
   */
  async connect(answer: PipeAnswer): Promise<void> {
    if (this.closing) throw SfuError.closed(`pipe ${this.pipeID}`);
    if (this.state !== 'new') throw SfuError.negotiationFailed(`pipe ${this.pipeID} is already connected`);
    let a: PipeAnswer;
    try {
      a = parsePipeAnswer(answer);
      if (a.pipeID !== this.pipeID)
        throw new TypeError(`the answer is for pipe ${a.pipeID}, not ${this.pipeID}`);
    } catch (err) {
      void this.close('failed');
      throw err;
    }
    this.state = 'connecting';
    for (const track of a.tracks) {
      const source = new PipeTrackSource(track, this.endpoint);
      this.sources.set(source.payloadType, source);
      this.producers.set(track.kind, new Producer(source, this.producerOptions));
    }
    try {
      await this.endpoint.connect(a.address, a.port, {
        onOpen: () => this.emit('open'),
        onRtp: (packet) => {
          const source = this.sources.get(packet.header.payloadType);
          if (source) source.deliver(packet);
          else this.ignoredPackets += 1;
        },
        onRtcp: (items) => {
          // The origin sends reports only (keep-alives: hearing them is what matters); anything else is dropped.
          for (const item of items) if (item.type !== 'report') this.ignoredPackets += 1;
        },
        onEnd: (reason) => void this.close(reason),
      });
    } catch (err) {
      void this.close('failed');
      throw err;
    }
    if (this.closing) throw SfuError.closed(`pipe ${this.pipeID}`);
    if (this.connectTimer) clearTimeout(this.connectTimer);
    this.connectTimer = null;
    this.state = 'connected';
    this.emit('connected');
  }

  /** @internal The router tells this node's player count of the stream. */
  setPlayerCount(count: number): void {
    if (count === this.players || this.closing) return;
    this.players = count;
    this.emit('players', count);
  }

  stats(): PipeInStats {
    const c = this.endpoint.counters;
    return {
      pipeID: this.pipeID,
      streamKey: this.key,
      state: this.state,
      open: this.endpoint.open,
      players: this.players,
      packetsReceived: c.rtpReceived,
      bytesReceived: c.bytesReceived,
      rtcpSent: c.rtcpSent,
      rtcpReceived: c.rtcpReceived,
      ignored: c.ignored + this.ignoredPackets,
      tracks: this.producerList.map((p) => p.stats()),
    };
  }

  /**
   * Closes the pipe: its producers (their consumers idle, as when a local publisher leaves), then the socket,
   * after a BYE to the origin unless the origin ended it. Idempotent; resolves once the socket is released.
   */
  close(reason: PipeCloseReason = 'closed'): Promise<void> {
    if (this.closing) return this.closing;
    this.closeReason = reason;
    if (this.connectTimer) clearTimeout(this.connectTimer);
    this.connectTimer = null;
    for (const source of this.sources.values()) source.close();
    for (const producer of this.producers.values()) producer.close();
    this.closing = this.endpoint.close(reason !== 'remoteClosed');
    this.emit('close', reason);
    this.removeAllListeners();
    return this.closing;
  }
}
