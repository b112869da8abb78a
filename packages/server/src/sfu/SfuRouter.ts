/**
 * The root of the SFU: it owns every transport, knows which publisher transport serves which stream key,
 * which players play it, and enforces the limits. Keys are opaque strings: the SFU never sees tokens, rooms
 * or sockets.
 */

import { TypedEmitter } from '@parley/protocol';
import type { PeerConfig } from 'werift';
import type { ConsumerOptions } from './Consumer.js';
import { SFU_DEFAULTS } from './defaults.js';
import type { ProducerOptions } from './Producer.js';
import { PublisherTransport } from './PublisherTransport.js';
import { resolveIceOptions, type SfuIceOptions, sfuPeerConfig } from './peerConfig.js';
import { SenderReports } from './SenderReports.js';
import { SfuError } from './SfuError.js';
import { SubscriberTransport } from './SubscriberTransport.js';
import type { Transport, TransportTimeouts } from './Transport.js';

/** Options of {@link SfuRouter}. Every field has a default ({@link SFU_DEFAULTS}; ICE: loopback only). */
export interface SfuRouterOptions {
  /** Candidate addresses and socket binding; default loopback only. */
  ice?: Partial<SfuIceOptions>;
  /** Publisher plus player transports, at most; default 500. */
  maxTransports?: number;
  /** Players of one stream, at most; default 100. */
  maxPlayersPerStream?: number;
  /** Minimum time between two keyframe requests to a publisher; default 500 ms. */
  keyframeRequestIntervalMs?: number;
  /** Packets kept per incoming track for NACK answers (power of two); default 1024. */
  retransmissionBufferSize?: number;
  /** Time a transport has from creation to connect before it closes; default 20 s. */
  connectTimeoutMs?: number;
  /** A connected transport that hears nothing from its peer (STUN, RTP, RTCP) this long closes (`inactive`); default 15 s. */
  inactivityTimeoutMs?: number;
  /** Test hook: options given to every consumer a player gets, by player key. */
  consumerOptions?: (playerKey: string, kind: 'audio' | 'video') => ConsumerOptions;
}

/** Events of {@link SfuRouter}. */
export interface SfuRouterEvents {
  /** A transport was added (publish or play). */
  transport: [transport: PublisherTransport | SubscriberTransport];
  close: [];
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
  private readonly peerConfig: Partial<PeerConfig>;
  private readonly maxTransports: number;
  private readonly maxPlayersPerStream: number;
  private readonly producerOptions: ProducerOptions;
  private readonly timeouts: TransportTimeouts;
  private readonly consumerOptions: SfuRouterOptions['consumerOptions'];
  /** The RTCP sender reports of every consumer, from one timer. */
  private readonly reports = new SenderReports();
  private readonly publishers = new Map<string, PublisherTransport>();
  private readonly players = new Map<string, SubscriberTransport>();
  private readonly playersByStream = new Map<string, Set<SubscriberTransport>>();
  /** Transports being negotiated count against the limit too. */
  private pending = 0;
  /**
   * What close() must await besides the transports it closes itself: the close promises of transports that
   * closed on their own and are still releasing their sockets, and negotiations in progress.
   */
  private readonly releasing = new Set<Promise<void>>();
  private isClosed = false;
  private closing: Promise<void> | null = null;

  constructor(options: SfuRouterOptions = {}) {
    super();
    this.peerConfig = sfuPeerConfig(resolveIceOptions(options.ice));
    const d = SFU_DEFAULTS;
    this.maxTransports = positiveInt(options.maxTransports ?? d.maxTransports, 'maxTransports');
    this.maxPlayersPerStream = positiveInt(
      options.maxPlayersPerStream ?? d.maxPlayersPerStream,
      'maxPlayersPerStream',
    );
    this.producerOptions = {
      keyframeRequestIntervalMs: positiveInt(
        options.keyframeRequestIntervalMs ?? d.keyframeRequestIntervalMs,
        'keyframeRequestIntervalMs',
      ),
      retransmissionBufferSize: options.retransmissionBufferSize ?? d.retransmissionBufferSize,
    };
    this.timeouts = {
      connectMs: positiveInt(options.connectTimeoutMs ?? d.connectTimeoutMs, 'connectTimeoutMs'),
      inactivityMs: positiveInt(options.inactivityTimeoutMs ?? d.inactivityTimeoutMs, 'inactivityTimeoutMs'),
    };
    this.consumerOptions = options.consumerOptions;
  }

  get closed(): boolean {
    return this.isClosed;
  }

  /** Open transports (publishers and players), negotiations in progress excluded. */
  get transportCount(): number {
    return this.publishers.size + this.players.size;
  }

  /** The publisher transport of `streamKey`, if published. */
  publisher(streamKey: string): PublisherTransport | undefined {
    return this.publishers.get(streamKey);
  }

  /** The player transport of `playerKey`, if playing. */
  player(playerKey: string): SubscriberTransport | undefined {
    return this.players.get(playerKey);
  }

  /**
   * Publishes `streamKey` from the client's offer. Publishing a key already published replaces the old
   * publisher (a restart): its players move to the new tracks without renegotiating, and see one continuous
   * stream.
   */
  async publish(
    streamKey: string,
    offerSdp: string,
  ): Promise<{ answerSdp: string; transport: PublisherTransport }> {
    this.checkOpen();
    checkKey(streamKey, 'streamKey');
    const replaced = this.publishers.get(streamKey);
    this.reserve(replaced ? 1 : 0);
    return this.negotiated(
      PublisherTransport.create({
        key: streamKey,
        offerSdp,
        peerConfig: this.peerConfig,
        producerOptions: this.producerOptions,
        timeouts: this.timeouts,
      }),
      ({ transport }) => {
        const previous = this.publishers.get(streamKey);
        this.publishers.set(streamKey, transport);
        this.own(transport, () => {
          if (this.publishers.get(streamKey) === transport) this.publishers.delete(streamKey);
        });
        // Switch the players before closing the old publisher, so they never see its producers close.
        for (const player of this.playersByStream.get(streamKey) ?? [])
          player.switchProducers(transport.producerList);
        // The old publisher's close joins `releasing` through its 'close' event: close() awaits it.
        if (previous) void previous.close('replaced');
        this.emit('transport', transport);
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
    const publisher = this.publishers.get(streamKey);
    if (!publisher) throw SfuError.streamNotFound(streamKey);
    const replaced = this.players.get(playerKey);
    const playersOfStream = this.playersByStream.get(streamKey)?.size ?? 0;
    const freed = replaced?.streamKey === streamKey ? 1 : 0;
    if (playersOfStream - freed >= this.maxPlayersPerStream) {
      throw SfuError.playerLimit(streamKey, this.maxPlayersPerStream);
    }
    this.reserve(replaced ? 1 : 0);
    const consumerOptions = this.consumerOptions;
    return this.negotiated(
      SubscriberTransport.create({
        key: playerKey,
        streamKey,
        producers: publisher.producerList,
        peerConfig: this.peerConfig,
        timeouts: this.timeouts,
        reports: this.reports,
        consumerOptions: consumerOptions ? (kind) => consumerOptions(playerKey, kind) : undefined,
      }),
      ({ transport }) => {
        const previous = this.players.get(playerKey);
        this.players.set(playerKey, transport);
        let set = this.playersByStream.get(streamKey);
        if (!set) {
          set = new Set();
          this.playersByStream.set(streamKey, set);
        }
        set.add(transport);
        this.own(transport, () => this.forgetPlayer(transport));
        // The publisher may have been replaced while we negotiated: follow the current one.
        const current = this.publishers.get(streamKey);
        if (current && current !== publisher) transport.switchProducers(current.producerList);
        if (previous) void previous.close('replaced');
        this.emit('transport', transport);
      },
    );
  }

  /**
   * Closes every transport and the router. Idempotent. Resolves once nothing the router started holds a
   * socket any more: the transports it closes now, those that closed earlier on their own (timeout, failure,
   * inactivity, replaced, closed by their owner) and are still releasing, and negotiations in progress.
   */
  close(): Promise<void> {
    if (this.closing) return this.closing;
    this.isClosed = true;
    // Each transport joins `releasing` through its 'close' event.
    for (const transport of [...this.players.values(), ...this.publishers.values()]) {
      void transport.close('routerClosed');
    }
    this.reports.close();
    this.players.clear();
    this.publishers.clear();
    this.playersByStream.clear();
    this.emit('close');
    this.closing = this.settled().finally(() => this.removeAllListeners());
    return this.closing;
  }

  /** Resolves once `releasing` is empty (what settles may add more, e.g. a negotiation closing its transport). */
  private async settled(): Promise<void> {
    while (this.releasing.size > 0) await Promise.all(this.releasing);
  }

  /**
   * Makes `transport` the router's child: when it closes, for whatever reason, `forget` drops it from the maps
   * and its close promise (resolved once its sockets are released) is kept until it resolves, for close().
   */
  private own(transport: Transport, forget: () => void): void {
    transport.once('close', () => {
      forget();
      this.keep(transport.close());
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

  private forgetPlayer(transport: SubscriberTransport): void {
    if (this.players.get(transport.key) === transport) this.players.delete(transport.key);
    const set = this.playersByStream.get(transport.streamKey);
    if (!set) return;
    set.delete(transport);
    if (set.size === 0) this.playersByStream.delete(transport.streamKey);
  }

  /**
   * Awaits a transport being negotiated (it counts against the limits until then) and hands it to `adopt` in
   * the same turn, or closes it and refuses if the router closed in the meantime. close() awaits negotiations
   * in progress, so no transport it has not seen outlives it.
   */
  private negotiated<T extends { transport: Transport }>(
    creating: Promise<T>,
    adopt: (created: T) => void,
  ): Promise<T> {
    const outcome = (async () => {
      let created: T;
      try {
        created = await creating;
      } finally {
        this.pending -= 1;
      }
      if (this.isClosed) {
        await created.transport.close('routerClosed');
        throw SfuError.closed('the SFU router');
      }
      adopt(created);
      return created;
    })();
    this.keep(outcome);
    return outcome;
  }

  /** Reserves one transport slot (`freed` slots will be released by a replacement), or throws. */
  private reserve(freed: number): void {
    if (this.transportCount + this.pending - freed >= this.maxTransports) {
      throw SfuError.transportLimit(this.maxTransports);
    }
    this.pending += 1;
  }

  private checkOpen(): void {
    if (this.isClosed) throw SfuError.closed('the SFU router');
  }
}

function positiveInt(value: number, name: string): number {
  if (!Number.isInteger(value) || value <= 0) throw new TypeError(`${name} must be a positive integer`);
  return value;
}

function checkKey(key: unknown, name: string): void {
  if (typeof key !== 'string' || key.length === 0) throw new TypeError(`${name} must be a non-empty string`);
}
