import type { ApiServerOptions } from './api/ApiServer.js';
import type { SharedState } from './cluster/SharedState.js';
import type { AnnouncedOrigin } from './config/addresses.js';
import type { ServerConfigInput } from './config/schema.js';
import type { StaticFilesOptions } from './http/StaticFiles.js';
import type { Logger } from './log.js';
import type { SfuRouterOptions } from './sfu/index.js';

export type { AppConfig } from './config/apps.js';

/** What {@link startServer} takes besides its settings: things a config file cannot hold. */
export interface ServerExtras {
  /**
   * Where the web SDK (`/sdk/parley.mjs`, `/sdk/parley.js`) and the demo page (`/`) are served from; default the
   * installed @parley/web and @parley/demo packages. `false` serves neither.
   */
  web?: StaticFilesOptions | false;
  /** Structured logger; default logs JSON lines at `logLevel` to stderr. */
  logger?: Logger;
  /**
   * The cluster's shared state, made by the caller instead of from the `cluster` settings (e.g. several nodes
   * of one process on one MemoryHub, in tests). The server starts it and closes it.
   */
  sharedState?: SharedState;
  /**
   * Test hook: the server API's clock (its timestamp window and rate limit buckets) and its rate per action,
   * so that a test can spend a bucket without racing its refill.
   */
  api?: Pick<ApiServerOptions, 'now' | 'ratePerSecond' | 'rateLimits'>;
  /** Test hook: options given to every consumer a player gets, by player key (see the SFU). */
  consumerOptions?: SfuRouterOptions['consumerOptions'];
}

/**
 * Options of {@link startServer}: the settings of `serverConfigSchema` (config/schema.ts, where each is
 * described with its default; every one but `apps` is optional) and the {@link ServerExtras}.
 * @example
 * const options: ServerOptions = { apps, port: 0, media: { announcedAddresses: ['192.168.1.20'] } };
 */
export type ServerOptions = ServerConfigInput & ServerExtras;

/** A running server returned by {@link startServer}. */
export interface RunningServer {
  /** WebSocket address to give the SDK as `server`, e.g. `ws://127.0.0.1:8080/ws` (`wss://` with TLS). */
  readonly url: string;
  /** HTTP base address, e.g. `http://127.0.0.1:8080` (`https://` with TLS). */
  readonly httpUrl: string;
  readonly port: number;
  /** The addresses the SFU announces to clients, and how they were chosen. */
  readonly media: { readonly announcedAddresses: readonly string[]; readonly origin: AnnouncedOrigin };
  /** Stops listening, closes every socket and timer. Idempotent. */
  close(): Promise<void>;
  /**
   * Shuts down gracefully, for a restart or a deploy: every client is told to reconnect (its socket closed with
   * 1001, going away) and logs in again to the server's successor on its own; logins and resumes reaching this
   * server meanwhile are refused with 1002098. Once no client is connected, or after `drainTimeoutMs`, the
   * server closes as {@link close} does. Idempotent.
   * @example
   * process.once('SIGTERM', () => void server.drain());
   */
  drain(): Promise<void>;
}
