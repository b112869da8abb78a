/**
 * The two connections of a node to Redis: one for commands and scripts, one in subscriber mode for the channels of
 * the rooms it watches and its own. Neither queues commands while Redis is away (an operation fails at once with
 * {@link SharedStateUnavailable}); both reconnect on their own with a bounded backoff. The link tells when the
 * pair goes down (`down`, once per outage) and when both are back (`up`); re-subscribing is its owner's business,
 * because the owner knows which channels it wants.
 */
import { TypedEmitter } from '@parley/protocol';
import { Redis, type RedisOptions } from 'ioredis';
import type { Logger } from '../../log.js';
import { SharedStateUnavailable } from '../SharedState.js';
import { parseRedisUrl, redactRedisUrl } from './redisUrl.js';

/** The first reconnection delay; each further try waits twice as long, up to {@link RECONNECT_MAX_MS}. */
const RECONNECT_BASE_MS = 50;
const RECONNECT_MAX_MS = 1000;

/** Replies of Redis that mean "not now" rather than "wrong": the store is unavailable for the moment. */
const UNAVAILABLE_REPLY = /^(LOADING|BUSY|MASTERDOWN|TRYAGAIN|CLUSTERDOWN|NOREPLICAS|READONLY)\b/;

export interface RedisLinkOptions {
  url: string;
  /** Names the connections in Redis's CLIENT LIST. */
  name: string;
  /** How long a command may wait for its reply before it fails as unavailable. */
  commandTimeoutMs: number;
  logger: Logger;
}

export interface RedisLinkEvents {
  /** A connection was lost (once until both are back). */
  down: [];
  /** Both connections are ready again after `down`. */
  up: [];
  /** A message on a subscribed channel. */
  message: [channel: string, text: string];
}

export class RedisLink extends TypedEmitter<RedisLinkEvents> {
  readonly commands: Redis;
  readonly subscriber: Redis;
  private readonly log: Logger;
  private readonly safeUrl: string;
  private started = false;
  private stopped = false;
  private connected = false;
  /** An error was logged at warning level in this outage; the next ones are logged at debug level. */
  private warned = false;

  constructor(options: RedisLinkOptions) {
    super();
    this.log = options.logger;
    this.safeUrl = redactRedisUrl(options.url);
    const endpoint = parseRedisUrl(options.url);
    const common: RedisOptions = {
      ...endpoint,
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      autoResubscribe: false,
      autoResendUnfulfilledCommands: false,
      commandTimeout: options.commandTimeoutMs,
      connectTimeout: Math.max(options.commandTimeoutMs, 1000),
      retryStrategy: (times) => Math.min(RECONNECT_BASE_MS * 2 ** Math.min(times - 1, 10), RECONNECT_MAX_MS),
      protocol: 2,
      disableClientInfo: true,
    };
    const name = options.name.replace(/[^0-9A-Za-z_.:-]/g, '_');
    this.commands = new Redis({ ...common, connectionName: `${name}:cmd` });
    this.subscriber = new Redis({ ...common, connectionName: `${name}:sub` });
    for (const client of [this.commands, this.subscriber]) {
      client.on('error', (error: Error) => this.onError(error));
      client.on('close', () => this.onClose());
      client.on('ready', () => this.onReady());
    }
    this.subscriber.on('message', (channel: string, text: string) => this.emit('message', channel, text));
  }

  /** True while both connections are ready. */
  get ready(): boolean {
    return this.commands.status === 'ready' && this.subscriber.status === 'ready';
  }

  /** Connects both; rejects with {@link SharedStateUnavailable} (and stops trying) if Redis cannot be reached. */
  async start(): Promise<void> {
    try {
      await Promise.all([this.commands.connect(), this.subscriber.connect()]);
    } catch (error) {
      await this.close();
      throw new SharedStateUnavailable(`cannot reach Redis at ${this.safeUrl}: ${(error as Error).message}`);
    }
    this.started = true;
    this.connected = true;
  }

  /**
   * Runs a command on the command connection; a failure to reach Redis (closed, not writable, timed out, busy)
   * becomes {@link SharedStateUnavailable}. Errors Redis answers for a wrong command stay as they are.
   */
  async call<T>(work: (redis: Redis) => Promise<T>): Promise<T> {
    if (this.stopped) throw new SharedStateUnavailable('the cluster state is closed');
    try {
      return await work(this.commands);
    } catch (error) {
      throw unavailableOr(error);
    }
  }

  async subscribe(channels: string[]): Promise<void> {
    if (channels.length === 0) return;
    if (this.stopped) throw new SharedStateUnavailable('the cluster state is closed');
    try {
      await this.subscriber.subscribe(...channels);
    } catch (error) {
      throw unavailableOr(error);
    }
  }

  async unsubscribe(channels: string[]): Promise<void> {
    if (channels.length === 0 || this.stopped) return;
    try {
      await this.subscriber.unsubscribe(...channels);
    } catch (error) {
      throw unavailableOr(error);
    }
  }

  /** Quits both connections (disconnects those that are down) and resolves once both have ended. Idempotent. */
  async close(): Promise<void> {
    this.stopped = true;
    await Promise.all([this.commands, this.subscriber].map(end));
  }

  /** Drops both connections at once, without QUIT: what a process that dies leaves behind. */
  drop(): void {
    this.stopped = true;
    this.commands.disconnect();
    this.subscriber.disconnect();
  }

  private onClose(): void {
    if (!this.started || this.stopped || !this.connected) return;
    this.connected = false;
    this.log.warn('lost the connection to Redis', { url: this.safeUrl });
    this.emit('down');
  }

  private onReady(): void {
    if (!this.started || this.stopped || this.connected || !this.ready) return;
    this.connected = true;
    this.warned = false;
    this.log.info('connected to Redis again', { url: this.safeUrl });
    this.emit('up');
  }

  private onError(error: Error): void {
    if (this.stopped) return;
    const fields = { url: this.safeUrl, error: error.message };
    if (this.warned) {
      this.log.debug('Redis connection error', fields);
    } else {
      this.warned = true;
      this.log.warn('Redis connection error', fields);
    }
  }
}

/** The error a caller sees: {@link SharedStateUnavailable} unless Redis answered that the command is wrong. */
export function unavailableOr(error: unknown): unknown {
  if (error instanceof SharedStateUnavailable) return error;
  const isReply = error instanceof Error && error.name === 'ReplyError';
  if (isReply && !UNAVAILABLE_REPLY.test(error.message)) return error;
  const unavailable = new SharedStateUnavailable(
    `the cluster state is unreachable: ${error instanceof Error ? error.message : String(error)}`,
  );
  unavailable.cause = error;
  return unavailable;
}

/** Quits a connection that is ready, disconnects one that is not; resolves once it has ended. */
async function end(client: Redis): Promise<void> {
  if (client.status === 'end') return;
  const ended = new Promise<void>((resolve) => client.once('end', () => resolve()));
  if (client.status === 'ready') {
    try {
      await client.quit();
    } catch {
      client.disconnect();
    }
  } else {
    client.disconnect();
  }
  await ended;
}
