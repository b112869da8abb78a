/**
 * The options of {@link SfuRouter} and their resolution: defaults filled in ({@link SFU_DEFAULTS}; ICE and
 * pipes on loopback), bad values refused with a TypeError before anything starts.
 */

import { isIPv4 } from 'node:net';
import type { ConsumerOptions } from './Consumer.js';
import { SFU_DEFAULTS } from './defaults.js';
import type { KeyframeCacheLimits } from './KeyframeCache.js';
import type { ProducerOptions } from './Producer.js';
import { resolveIceOptions, type SfuIceOptions } from './peerConfig.js';
import type { PipeEndpointOptions } from './pipe/PipeEndpoint.js';
import type { TransportTimeouts } from './Transport.js';

/** Options of {@link SfuRouter}. Every field has a default ({@link SFU_DEFAULTS}; ICE: loopback only). */
export interface SfuRouterOptions {
  /** Candidate addresses and socket binding; default loopback only. Media pipes bind where ICE sockets do. */
  ice?: Partial<SfuIceOptions>;
  /** Publisher and player transports plus pipe ends, at most; default 500. */
  maxTransports?: number;
  /** Players of one stream, at most; default 100. */
  maxPlayersPerStream?: number;
  /** Minimum time between two keyframe requests to a publisher; default 500 ms. */
  keyframeRequestIntervalMs?: number;
  /** Packets kept per incoming track for NACK answers (power of two); default 1024. */
  retransmissionBufferSize?: number;
  /** Bounds of the group of pictures each video track keeps for joining players; see KeyframeCache.ts. */
  keyframeCache?: Partial<KeyframeCacheLimits>;
  /** Time a transport (or a pipe-in awaiting its answer) has from creation to connect; default 20 s. */
  connectTimeoutMs?: number;
  /** A connected transport that hears nothing from its peer (STUN, RTP, RTCP) this long closes (`inactive`); default 15 s. */
  inactivityTimeoutMs?: number;
  /**
   * The IPv4 address other nodes send this node's media pipes to; default `ice.bindAddress`, or when that binds
   * every interface, the first IPv4 address of `ice.announcedAddresses`.
   */
  pipeAddress?: string;
  /** A media pipe that hears nothing from the other node this long closes (`inactive`); default 10 s. */
  pipeInactivityTimeoutMs?: number;
  /** Test hook: options given to every consumer a player gets, by player key. */
  consumerOptions?: (playerKey: string, kind: 'audio' | 'video') => ConsumerOptions;
}

/** {@link SfuRouterOptions} checked and complete. */
export interface ResolvedRouterOptions {
  /** Where the transports listen; the router builds their peer config from it and its own mux (`sfuPeerConfig`). */
  ice: SfuIceOptions;
  maxTransports: number;
  maxPlayersPerStream: number;
  producerOptions: ProducerOptions;
  timeouts: TransportTimeouts;
  pipeAddress: string;
  pipeEndpoint: PipeEndpointOptions;
  consumerOptions: SfuRouterOptions['consumerOptions'];
}

/** Checks `options` and fills in the defaults; a bad value throws a TypeError naming it. */
export function resolveRouterOptions(options: SfuRouterOptions): ResolvedRouterOptions {
  const ice = resolveIceOptions(options.ice);
  const d = SFU_DEFAULTS;
  return {
    ice,
    maxTransports: positiveInt(options.maxTransports ?? d.maxTransports, 'maxTransports'),
    maxPlayersPerStream: positiveInt(
      options.maxPlayersPerStream ?? d.maxPlayersPerStream,
      'maxPlayersPerStream',
    ),
    producerOptions: {
      keyframeRequestIntervalMs: positiveInt(
        options.keyframeRequestIntervalMs ?? d.keyframeRequestIntervalMs,
        'keyframeRequestIntervalMs',
      ),
      retransmissionBufferSize: options.retransmissionBufferSize ?? d.retransmissionBufferSize,
      keyframeCache: options.keyframeCache,
    },
    timeouts: {
      connectMs: positiveInt(options.connectTimeoutMs ?? d.connectTimeoutMs, 'connectTimeoutMs'),
      inactivityMs: positiveInt(options.inactivityTimeoutMs ?? d.inactivityTimeoutMs, 'inactivityTimeoutMs'),
    },
    pipeAddress: resolvePipeAddress(options.pipeAddress, ice),
    pipeEndpoint: {
      bindAddress: ice.bindAddress,
      portRange: ice.portRange,
      inactivityMs: positiveInt(
        options.pipeInactivityTimeoutMs ?? d.pipeInactivityTimeoutMs,
        'pipeInactivityTimeoutMs',
      ),
    },
    consumerOptions: options.consumerOptions,
  };
}

/** The address other nodes send pipes to: given, else the bind address, else the first IPv4 announced one. */
function resolvePipeAddress(given: string | undefined, ice: SfuIceOptions): string {
  const bound = ice.bindAddress !== null && ice.bindAddress !== '0.0.0.0' ? ice.bindAddress : undefined;
  const address = given ?? bound ?? ice.announcedAddresses.find((a) => isIPv4(a));
  if (address === undefined || !isIPv4(address) || address === '0.0.0.0') {
    throw new TypeError(
      given === undefined
        ? 'pipeAddress is needed: ice.bindAddress binds every interface and no announced address is IPv4'
        : 'pipeAddress must be an IPv4 address other nodes can send to',
    );
  }
  return address;
}

function positiveInt(value: number, name: string): number {
  if (!Number.isInteger(value) || value <= 0) throw new TypeError(`${name} must be a positive integer`);
  return value;
}
