/**
 * The origin's end of a media pipe: it sends the stream's packets, each once, to one remote node, which fans
 * them out to its own players, so the origin's cost grows with the number of nodes that play the stream, not
 * with their players. It starts sending once it has heard from the remote node (its hello), answers the
 * remote node's NACKs and passes its keyframe requests on to the publisher.
 *
 * A publisher restart (a new offer for the same stream key) does not end the pipe: the router moves it to the
 * new producers as it moves local players, and the remote node's players resume on the next keyframe. Only if
 * the new publisher sends another codec does the pipe close (`sourceChanged`), and the remote node reopens.
 * When the stream's tracks close without a successor the pipe closes (`sourceClosed`), with a BYE.
 */
import { TypedEmitter } from '@parley/protocol';
import type { Producer } from '../Producer.js';
import { SfuError } from '../SfuError.js';
import type { PipeCloseReason } from './PipeCloseReason.js';
import { PipeEndpoint, type PipeEndpointOptions } from './PipeEndpoint.js';
import { PipeOutTrack, type PipeOutTrackStats, type PipeOutWire } from './PipeOutTrack.js';
import { isPipePayloadType, type PipeAnswer, type PipeRequest } from './pipeMessages.js';
import type { PipeRtcp } from './pipeRtcp.js';

/** Events of a {@link PipeOut}. */
export interface PipeOutEvents {
  /** The remote node was heard: packets flow from now on. */
  open: [];
  close: [reason: PipeCloseReason];
}

/** What {@link PipeOut.open} needs; supplied by the router. */
export interface PipeOutOptions {
  streamKey: string;
  /** The remote node's request, validated. */
  request: PipeRequest;
  /** The address the remote node sends its RTCP to (this node's pipe address). */
  pipeAddress: string;
  endpoint: PipeEndpointOptions;
}

/** Counters of a {@link PipeOut}. */
export interface PipeOutStats {
  pipeID: string;
  streamKey: string;
  /** The remote node has been heard (packets flow). */
  open: boolean;
  /** RTP packets sent once each, and their datagram bytes: one copy of each packet the producers forwarded. */
  packetsSent: number;
  bytesSent: number;
  /** Packets sent again on the remote node's NACKs. */
  retransmitted: number;
  /** Keyframe requests and NACK packets from the remote node. */
  keyframeRequests: number;
  nacksReceived: number;
  rtcpSent: number;
  rtcpReceived: number;
  /** Datagrams dropped: from elsewhere, malformed, or unexpected. */
  ignored: number;
  tracks: PipeOutTrackStats[];
}

let nextPipeOutId = 1;

/**
 * A pipe-out. Made by {@link SfuRouter.openPipeOut}; closed by the remote node (BYE), by silence, when its
 * stream ends, by its owner, or with the router.
 * @example
 * const { answer, pipe } = await router.openPipeOut('app/stream-1', requestFromRemoteNode);
 * bus.reply(answer);
 * pipe.on('close', (reason) => log.info('pipe closed', { reason, ...pipe.stats() }));
 */
export class PipeOut extends TypedEmitter<PipeOutEvents> {
  readonly id = `pipe-out-${nextPipeOutId++}`;
  readonly pipeID: string;
  readonly streamKey: string;
  private readonly endpoint: PipeEndpoint;
  private readonly pipeAddress: string;
  private readonly tracks = new Map<'audio' | 'video', PipeOutTrack>();
  private readonly wire: PipeOutWire;
  private nacksReceived = 0;
  private ignoredPackets = 0;
  private closing: Promise<void> | null = null;
  private closeReason: PipeCloseReason | null = null;

  private constructor(options: PipeOutOptions, endpoint: PipeEndpoint) {
    super();
    this.pipeID = options.request.pipeID;
    this.streamKey = options.streamKey;
    this.endpoint = endpoint;
    this.pipeAddress = options.pipeAddress;
    const pipe = this;
    this.wire = {
      get open() {
        return pipe.endpoint.open && !pipe.closing;
      },
      sendRtp: (data) => this.endpoint.sendRtp(data),
      trackIdle: () => {
        if ([...this.tracks.values()].every((t) => t.producer === null)) void this.close('sourceClosed');
      },
    };
  }

  /** Binds the pipe's socket and connects it to the remote node's address; no track yet (see {@link attach}). */
  static async open(options: PipeOutOptions): Promise<PipeOut> {
    const endpoint = await PipeEndpoint.bind(options.endpoint);
    const pipe = new PipeOut(options, endpoint);
    try {
      await endpoint.connect(options.request.address, options.request.port, {
        onOpen: () => pipe.emit('open'),
        onRtp: () => {
          pipe.ignoredPackets += 1; // the remote node sends RTCP only
        },
        onRtcp: (items) => pipe.handleRtcp(items),
        onEnd: (reason) => void pipe.close(reason),
      });
    } catch (err) {
      await pipe.close('failed');
      throw err;
    }
    return pipe;
  }

  get closed(): boolean {
    return this.closing !== null;
  }

  /** Why it closed, or null while open. */
  get closedBecause(): PipeCloseReason | null {
    return this.closeReason;
  }

  /** The local port (the answer's). */
  get port(): number {
    return this.endpoint.port;
  }

  /** True once the remote node has been heard (packets flow). */
  get open(): boolean {
    return this.endpoint.open;
  }

  /**
   * @internal Starts forwarding the stream's `producers` (called by the router right after open) and returns
   * the answer for the remote node. Each track keeps its producer's payload type if the pipe can carry it and
   * no other track has it.
   */
  attach(producers: Producer[]): PipeAnswer {
    if (producers.length === 0) throw SfuError.negotiationFailed('the stream has no track to pipe');
    const used = new Set<number>();
    for (const producer of producers) {
      if (this.tracks.has(producer.kind)) continue;
      let pt = producer.codec.payloadType;
      if (!isPipePayloadType(pt) || used.has(pt)) {
        pt = 96;
        while (used.has(pt)) pt += 1;
      }
      used.add(pt);
      this.tracks.set(producer.kind, new PipeOutTrack(producer, pt, this.wire));
    }
    return {
      pipeID: this.pipeID,
      address: this.pipeAddress,
      port: this.endpoint.port,
      tracks: [...this.tracks.values()].map((t) => ({
        kind: t.kind,
        ssrc: t.producer?.ssrc ?? null,
        codec: t.codec,
      })),
    };
  }

  /**
   * @internal The stream's publisher restarted: each track moves to the new producer of its kind (a kind the
   * new publisher lacks idles until its old producer closes). Another codec closes the pipe (`sourceChanged`).
   */
  switchSource(producers: Producer[]): void {
    if (this.closing) return;
    const moves: [PipeOutTrack, Producer][] = [];
    for (const producer of producers) {
      const track = this.tracks.get(producer.kind);
      if (!track) continue;
      if (!track.canCarry(producer)) {
        void this.close('sourceChanged');
        return;
      }
      moves.push([track, producer]);
    }
    for (const [track, producer] of moves) track.switchTo(producer);
  }

  /** The track of `kind`, if the pipe carries that kind. */
  track(kind: 'audio' | 'video'): PipeOutTrack | undefined {
    return this.tracks.get(kind);
  }

  stats(): PipeOutStats {
    const tracks = [...this.tracks.values()].map((t) => t.stats());
    const sum = (f: (s: PipeOutTrackStats) => number): number => tracks.reduce((n, s) => n + f(s), 0);
    const c = this.endpoint.counters;
    return {
      pipeID: this.pipeID,
      streamKey: this.streamKey,
      open: this.endpoint.open,
      packetsSent: sum((s) => s.packetsSent),
      bytesSent: sum((s) => s.bytesSent),
      retransmitted: sum((s) => s.retransmitted),
      keyframeRequests: sum((s) => s.keyframeRequests),
      nacksReceived: this.nacksReceived,
      rtcpSent: c.rtcpSent,
      rtcpReceived: c.rtcpReceived,
      ignored: c.ignored + this.ignoredPackets,
      tracks,
    };
  }

  /**
   * Detaches from the producers and closes the socket, after a BYE to the remote node unless it ended the
   * pipe. Idempotent; resolves once the socket is released.
   */
  close(reason: PipeCloseReason = 'closed'): Promise<void> {
    if (this.closing) return this.closing;
    this.closeReason = reason;
    for (const track of this.tracks.values()) track.close();
    this.closing = this.endpoint.close(reason !== 'remoteClosed');
    this.emit('close', reason);
    this.removeAllListeners();
    return this.closing;
  }

  private handleRtcp(items: PipeRtcp[]): void {
    for (const item of items) {
      if (item.type === 'keyframe') {
        this.forTrack((t) => t.requestKeyframe(item.mediaSsrc));
      } else if (item.type === 'nack') {
        this.nacksReceived += 1;
        this.forTrack((t) => t.answerNack(item.mediaSsrc, item.lost));
      }
    }
  }

  /** Offers a request to each track until one takes it; one no track takes (a stale SSRC) is dropped. */
  private forTrack(take: (track: PipeOutTrack) => boolean): void {
    for (const track of this.tracks.values()) if (take(track)) return;
    this.ignoredPackets += 1;
  }
}
