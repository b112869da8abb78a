/**
 * The root of the SFU: it owns every transport and pipe, knows which source (a local publisher, or a media
 * pipe from the publisher's node) serves which stream key, which players play it, and enforces the limits.
 * Keys are opaque strings: the SFU never sees tokens, rooms or sockets.
 */

import { TypedEmitter } from '@parley/protocol';
import type { PeerConfig } from 'werift';
import { InactivitySweep } from './InactivitySweep.js';
import { PublisherTransport } from './PublisherTransport.js';
import { sfuPeerConfig } from './peerConfig.js';
import { PipeIn } from './pipe/PipeIn.js';
import { PipeOut } from './pipe/PipeOut.js';
import { type PipeAnswer, type PipeRequest, parsePipeRequest } from './pipe/pipeMessages.js';
import { type ResolvedRouterOptions, resolveRouterOptions, type SfuRouterOptions } from './routerOptions.js';
import { SenderReports } from './SenderReports.js';
import { SfuError } from './SfuError.js';
import type { StreamSource } from './StreamSource.js';
import { SubscriberTransport } from './SubscriberTransport.js';
import { ensureWeriftShapes } from './werift/checkWeriftShapes.js';
import { UdpMux } from './werift/udpMux/UdpMux.js';

export type { SfuRouterOptions } from './routerOptions.js';

/** Events of {@link SfuRouter}. */
export interface SfuRouterEvents {
  /** A transport was added (publish or play). */
  transport: [transport: PublisherTransport | SubscriberTransport];
  /** A pipe end was added (openPipeIn, openPipeOut). */
  pipe: [pipe: PipeIn | PipeOut];
  /**
   * A player threw on a packet of `producerId` (a bug on its path): the other players got it. `count` errors
   * since the last report of that producer; at most one report a second per producer.
   */
  playerError: [error: unknown, count: number, producerId: string];
  close: [];
}

/** What the router owns: a transport or a pipe end. */
interface Child {
  once(event: 'close', listener: () => void): unknown;
  close(reason?: 'failed' | 'routerClosed'): Promise<void>;
}

/**
 * The SFU router.
 * @example
 * const router = new SfuRouter({ ice: { announcedAddresses: ['127.0.0.1'] } });
 * const { answerSdp } = await router.publish('stream-1', offerSdpFromPublisher);
 * const { offerSdp, transport } = await router.play('player-1', 'stream-1');
 * await transport.setAnswer(answerSdpFromPlayer);
 * await router.close();
 */
export class SfuRouter extends TypedEmitter<SfuRouterEvents> {
  private readonly options: ResolvedRouterOptions;
  /** The werift config of every transport: ICE-lite on the options' addresses, through the mux if there is one. */
  private readonly peerConfig: Partial<PeerConfig>;
  /** The RTCP sender reports of every consumer, from one timer. */
  private readonly reports = new SenderReports();
  /** The inactivity deadline of every connected transport, from one timer. */
  private readonly inactivity: InactivitySweep;
  /** Every open transport and pipe end. */
  private readonly children = new Set<Child>();
  /** The current source of each stream key: a publisher transport or a connected pipe-in. */
  private readonly sources = new Map<string, StreamSource>();
  private readonly players = new Map<string, SubscriberTransport>();
  private readonly playersByStream = new Map<string, Set<SubscriberTransport>>();
  private readonly pipesOut = new Map<string, PipeOut>();
  /** Transports and pipes being set up count against the limit too. */
  private pending = 0;
  /**
   * What close() must await besides the children it closes itself: the close promises of children that
   * closed on their own and are still releasing their sockets, and negotiations in progress.
   */
  private readonly releasing = new Set<Promise<void>>();
  private isClosed = false;
  private closing: Promise<void> | null = null;
  /** The node's one media UDP port, shared by every transport; null in the port-range mode. */
  readonly udpMux: UdpMux | null;

  constructor(options: SfuRouterOptions = {}) {
    super();
    // Once per process: werift must still have the private shapes the SFU uses (werift/shapes.ts).
    ensureWeriftShapes();
    const resolved = resolveRouterOptions(options);
    this.options = {
      ...resolved,
      producerOptions: {
        ...resolved.producerOptions,
        onPlayerError: (error, count, producer) => this.emit('playerError', error, count, producer.id),
        onForwarded: (now) => this.reports.nudge(now),
      },
    };
    this.inactivity = new InactivitySweep(this.options.timeouts.inactivityMs);
    const { ice } = this.options;
    this.udpMux =
      ice.udpPort === null
        ? null
        : new UdpMux({
            bindAddress: ice.bindAddress,
            port: ice.udpPort,
            ipv6: ice.announcedAddresses.some((a) => a.includes(':')),
          });
    this.peerConfig = sfuPeerConfig(ice, this.udpMux);
  }

  /**
   * Resolves once the media UDP port is bound (at once in the port-range mode); rejects when it cannot be
   * (a taken port). A server awaits it before it calls itself started.
   */
  async listening(): Promise<void> {
    await this.udpMux?.listening;
  }

  /** The media UDP port every transport shares (0 until {@link listening}); null in the port-range mode. */
  get udpPort(): number | null {
    return this.udpMux === null ? null : this.udpMux.port;
  }

  get closed(): boolean {
    return this.isClosed;
  }

  /** Open transports (publishers and players) and pipe ends; those being set up excluded. */
  get transportCount(): number {
    return this.children.size;
  }

  /** The publisher transport of `streamKey`, if published on this node. */
  publisher(streamKey: string): PublisherTransport | undefined {
    const source = this.sources.get(streamKey);
    return source instanceof PublisherTransport ? source : undefined;
  }

  /** The source of `streamKey` (its publisher transport, or a connected pipe-in), if any. */
  source(streamKey: string): StreamSource | undefined {
    return this.sources.get(streamKey);
  }

  /** The player transport of `playerKey`, if playing. */
  player(playerKey: string): SubscriberTransport | undefined {
    return this.players.get(playerKey);
  }

  /** The pipe-out of `pipeID`, if open. */
  pipeOut(pipeID: string): PipeOut | undefined {
    return this.pipesOut.get(pipeID);
  }

  /**
   * Publishes `streamKey` from the client's offer. Publishing a key already published replaces the old
   * publisher (a restart): its players and pipe-outs move to the new tracks without renegotiating, and see
   * one continuous stream.
   */
  async publish(
    streamKey: string,
    offerSdp: string,
  ): Promise<{ answerSdp: string; transport: PublisherTransport }> {
    this.checkOpen();
    checkKey(streamKey, 'streamKey');
    this.reserve(this.sources.has(streamKey) ? 1 : 0);
    const o = this.options;
    return this.negotiated(
      PublisherTransport.create({
        key: streamKey,
        offerSdp,
        peerConfig: this.peerConfig,
        producerOptions: o.producerOptions,
        timeouts: o.timeouts,
        inactivity: this.inactivity,
      }),
      (created) => created.transport,
      (created) => {
        const { transport } = created;
        this.own(transport, () => this.forgetSource(transport));
        this.register(streamKey, transport);
        this.emit('transport', transport);
        return created;
      },
    );
  }

  /**
   * Starts a player `playerKey` of `streamKey`: returns the SFU's offer, to be answered through
   * `transport.setAnswer()`. A player key already playing is replaced (the old transport closes).
   */
  async play(
    playerKey: string,
    streamKey: string,
  ): Promise<{ offerSdp: string; transport: SubscriberTransport }> {
    this.checkOpen();
    checkKey(playerKey, 'playerKey');
    checkKey(streamKey, 'streamKey');
    const source = this.sources.get(streamKey);
    if (!source) throw SfuError.streamNotFound(streamKey);
    const replaced = this.players.get(playerKey);
    const playersOfStream = this.playersByStream.get(streamKey)?.size ?? 0;
    const freed = replaced?.streamKey === streamKey ? 1 : 0;
    const o = this.options;
    if (playersOfStream - freed >= o.maxPlayersPerStream) {
      throw SfuError.playerLimit(streamKey, o.maxPlayersPerStream);
    }
    this.reserve(replaced ? 1 : 0);
    const consumerOptions = o.consumerOptions;
    return this.negotiated(
      SubscriberTransport.create({
        key: playerKey,
        streamKey,
        producers: source.producerList,
        peerConfig: this.peerConfig,
        timeouts: o.timeouts,
        inactivity: this.inactivity,
        reports: this.reports,
        consumerOptions: consumerOptions ? (kind) => consumerOptions(playerKey, kind) : undefined,
      }),
      (created) => created.transport,
      (created) => {
        const { transport } = created;
        const previous = this.players.get(playerKey);
        this.players.set(playerKey, transport);
        let set = this.playersByStream.get(streamKey);
        if (!set) {
          set = new Set();
          this.playersByStream.set(streamKey, set);
        }
        set.add(transport);
        this.own(transport, () => this.forgetPlayer(transport));
        // The source may have been replaced while we negotiated: follow the current one.
        const current = this.sources.get(streamKey);
        if (current && current !== source) transport.switchProducers(current.producerList);
        if (previous) void previous.close('replaced');
        this.playersChanged(streamKey);
        this.emit('transport', transport);
        return created;
      },
    );
  }

  /**
   * On the node that wants to play a stream published on another node: binds a pipe socket and returns the
   * pipe-in, whose `request` goes to the origin node (see {@link openPipeOut}). Once its answer is applied
   * (`pipe.connect(answer)`) the pipe is the stream's source here, and {@link play} serves `streamKey` from it.
   * `pipeID` names the pipe on both nodes: unique per pipe in the cluster (e.g. node ID and a counter).
   */
  async openPipeIn(streamKey: string, pipeID: string): Promise<PipeIn> {
    this.checkOpen();
    checkKey(streamKey, 'streamKey');
    checkPipeID(pipeID);
    this.reserve(0);
    const o = this.options;
    return this.negotiated(
      PipeIn.open({
        streamKey,
        pipeID,
        pipeAddress: o.pipeAddress,
        endpoint: o.pipeEndpoint,
        producerOptions: o.producerOptions,
        connectTimeoutMs: o.timeouts.connectMs,
      }),
      (pipe) => pipe,
      (pipe) => {
        this.own(pipe, () => this.forgetSource(pipe));
        pipe.once('connected', () => this.register(streamKey, pipe));
        this.emit('pipe', pipe);
        return pipe;
      },
    );
  }

  /**
   * On the origin node: starts sending `streamKey` to the node that made `request` (see {@link openPipeIn}),
   * each packet once, and returns the answer for that node with the pipe-out. A request with the pipe ID of
   * an open pipe-out replaces it. Throws a TypeError for a malformed request, STREAM_NOT_FOUND if the stream
   * has no source here.
   */
  async openPipeOut(streamKey: string, request: PipeRequest): Promise<{ answer: PipeAnswer; pipe: PipeOut }> {
    this.checkOpen();
    checkKey(streamKey, 'streamKey');
    const valid = parsePipeRequest(request);
    if (!this.sources.has(streamKey)) throw SfuError.streamNotFound(streamKey);
    this.reserve(this.pipesOut.has(valid.pipeID) ? 1 : 0);
    const o = this.options;
    return this.negotiated(
      PipeOut.open({ streamKey, request: valid, pipeAddress: o.pipeAddress, endpoint: o.pipeEndpoint }),
      (pipe) => pipe,
      (pipe) => {
        // The stream may have ended while the socket was bound.
        const source = this.sources.get(streamKey);
        if (!source) throw SfuError.streamNotFound(streamKey);
        const answer = pipe.attach(source.producerList);
        const previous = this.pipesOut.get(pipe.pipeID);
        this.pipesOut.set(pipe.pipeID, pipe);
        this.own(pipe, () => {
          if (this.pipesOut.get(pipe.pipeID) === pipe) this.pipesOut.delete(pipe.pipeID);
        });
        if (previous) void previous.close('replaced');
        this.emit('pipe', pipe);
        return { answer, pipe };
      },
    );
  }

  /**
   * Closes every transport and pipe, and the router. Idempotent. Resolves once nothing the router started
   * holds a socket any more: what it closes now, what closed earlier on its own (timeout, failure,
   * inactivity, replaced, closed by its owner) and is still releasing, and negotiations in progress.
   */
  close(): Promise<void> {
    if (this.closing) return this.closing;
    this.isClosed = true;
    // Pipe-outs first, so they close as `routerClosed`, not because their source went. Each child joins
    // `releasing` through its 'close' event.
    for (const pipe of [...this.pipesOut.values()]) void pipe.close('routerClosed');
    for (const player of [...this.players.values()]) void player.close('routerClosed');
    for (const child of [...this.children]) void child.close('routerClosed');
    this.reports.close();
    this.inactivity.close();
    this.children.clear();
    this.players.clear();
    this.sources.clear();
    this.playersByStream.clear();
    this.pipesOut.clear();
    this.emit('close');
    // The mux closes last: transports still closing send their last datagrams (DTLS close) through it.
    this.closing = this.settled()
      .then(() => this.udpMux?.close())
      .finally(() => this.removeAllListeners());
    return this.closing;
  }

  /** Resolves once `releasing` is empty (what settles may add more, e.g. a negotiation closing its transport). */
  private async settled(): Promise<void> {
    while (this.releasing.size > 0) await Promise.all(this.releasing);
  }

  /**
   * Makes `source` the source of `streamKey`. Its players (idle, or playing the previous source) and its
   * pipe-outs move to the new producers before the previous source closes, so they never see its producers
   * close.
   */
  private register(streamKey: string, source: StreamSource): void {
    const previous = this.sources.get(streamKey);
    this.sources.set(streamKey, source);
    for (const player of this.playersByStream.get(streamKey) ?? [])
      player.switchProducers(source.producerList);
    for (const pipe of this.pipesOut.values()) {
      if (pipe.streamKey === streamKey) pipe.switchSource(source.producerList);
    }
    this.playersChanged(streamKey);
    // The previous source's close joins `releasing` through its 'close' event: close() awaits it.
    if (previous && previous !== source) void previous.close('replaced');
  }

  /** Tells the source of `streamKey` how many players it has here now. */
  private playersChanged(streamKey: string): void {
    if (this.isClosed) return;
    this.sources.get(streamKey)?.setPlayerCount?.(this.playersByStream.get(streamKey)?.size ?? 0);
  }

  /**
   * Makes `child` the router's: when it closes, for whatever reason, `forget` drops it from the maps and its
   * close promise (resolved once its sockets are released) is kept until it resolves, for close().
   */
  private own(child: Child, forget: () => void): void {
    this.children.add(child);
    child.once('close', () => {
      this.children.delete(child);
      forget();
      this.keep(child.close());
    });
  }

  /** Keeps `work` among what close() awaits until it settles. */
  private keep(work: Promise<unknown>): void {
    const done = work.then(
      () => undefined,
      () => undefined,
    );
    this.releasing.add(done);
    void done.then(() => this.releasing.delete(done));
  }

  private forgetSource(source: StreamSource): void {
    if (this.sources.get(source.key) === source) this.sources.delete(source.key);
  }

  private forgetPlayer(transport: SubscriberTransport): void {
    if (this.players.get(transport.key) === transport) this.players.delete(transport.key);
    const set = this.playersByStream.get(transport.streamKey);
    if (!set) return;
    set.delete(transport);
    if (set.size === 0) this.playersByStream.delete(transport.streamKey);
    this.playersChanged(transport.streamKey);
  }

  /**
   * Awaits a child being set up (it counts against the limits until then) and hands it to `adopt` in the
   * same turn, or closes it and refuses if the router closed in the meantime or `adopt` refuses it. close()
   * awaits set-ups in progress, so no child it has not seen outlives it.
   */
  private negotiated<T, R>(
    creating: Promise<T>,
    childOf: (created: T) => Child,
    adopt: (created: T) => R,
  ): Promise<R> {
    const outcome = (async () => {
      let created: T;
      try {
        created = await creating;
      } finally {
        this.pending -= 1;
      }
      const child = childOf(created);
      if (this.isClosed) {
        await child.close('routerClosed');
        throw SfuError.closed('the SFU router');
      }
      try {
        return adopt(created);
      } catch (err) {
        await child.close('failed');
        throw err;
      }
    })();
    this.keep(outcome);
    return outcome;
  }

  /** Reserves one slot (`freed` slots will be released by a replacement), or throws. */
  private reserve(freed: number): void {
    const max = this.options.maxTransports;
    if (this.transportCount + this.pending - freed >= max) throw SfuError.transportLimit(max);
    this.pending += 1;
  }

  private checkOpen(): void {
    if (this.isClosed) throw SfuError.closed('the SFU router');
  }
}

function checkKey(key: unknown, name: string): void {
  if (typeof key !== 'string' || key.length === 0) throw new TypeError(`${name} must be a non-empty string`);
}

function checkPipeID(pipeID: unknown): void {
  if (typeof pipeID !== 'string' || pipeID.length === 0 || pipeID.length > 256) {
    throw new TypeError('pipeID must be a string of 1 to 256 characters');
  }
}
