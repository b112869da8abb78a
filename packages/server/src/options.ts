import type { StaticFilesOptions } from './http/StaticFiles.js';
import type { Logger } from './log.js';
import type { SfuRouterOptions } from './sfu/index.js';

/** One application (AppID) the server accepts logins for. */
export interface AppConfig {
  /** The AppID (uint32, not 0). */
  appID: number;
  /** 64 hex characters; proves native-face (AppSign) logins. */
  appSign: string;
  /** 32 characters; the key of the app's Token04 tokens. */
  serverSecret: string;
}

/** Options of {@link startServer}. Every field but `apps` has a default. */
export interface ServerOptions {
  /** Interface to listen on. Default `127.0.0.1`. */
  host?: string;
  /** TCP port; 0 picks a free one. Default 0. */
  port?: number;
  /** The applications this server serves. */
  apps: AppConfig[];
  /** How long a session whose socket dropped is kept for a resume. Default 10,000 ms. */
  reconnectGraceMs?: number;
  /**
   * How long {@link RunningServer.drain} waits for the clients to leave before it closes the server anyway.
   * Default 30,000 ms.
   */
  drainTimeoutMs?: number;
  /** Heartbeat interval announced to clients. Default 5,000 ms. */
  heartbeatIntervalMs?: number;
  /** A socket silent this long is considered dead. Default 3 × heartbeatIntervalMs. */
  heartbeatTimeoutMs?: number;
  /** A socket that has not logged in or resumed a session this long after opening is closed. Default 30,000 ms. */
  loginTimeoutMs?: number;
  /** Interval of `roomOnlineUserCountUpdate`. Default 30,000 ms. */
  onlineCountIntervalMs?: number;
  /** Broadcast messages, custom commands and room extra info updates allowed per room per second. Default 50. */
  roomMessagesPerSecond?: number;
  /** The same, per member of a room, so one sender cannot use up the room's budget. Default 10. */
  userMessagesPerSecond?: number;
  /** Frames one connection may send per second before it is throttled. Default 100. */
  connectionFramesPerSecond?: number;
  /** Largest WebSocket frame accepted, in bytes; larger ones close the socket with 1009. Default 64 KiB. */
  maxFrameBytes?: number;
  /** Streams one session may publish at once. Default 10. */
  maxStreamsPerSession?: number;
  /**
   * The media plane (SFU): candidate addresses, limits, timeouts. The default listens on loopback only; set
   * `media.ice.hostAddresses` (and `bindAddress`) to serve other machines.
   */
  media?: SfuRouterOptions;
  /** UDP port of the STUN responder announced to clients (on the media bind address). Default 0 (any free port). */
  stunPort?: number;
  /**
   * The AppID of the development app (one of `apps`): the demo page may ask `POST /dev/token` for its tokens.
   * For local development only (`parley serve` sets it for its generated app); never set it for a real app.
   */
  devAppID?: number;
  /**
   * Where the web SDK (`/sdk/parley.mjs`, `/sdk/parley.js`) and the demo page (`/`) are served from; default the
   * installed @parley/web and @parley/demo packages. `false` serves neither.
   */
  web?: StaticFilesOptions | false;
  /** Structured logger; default logs JSON lines at `info` (or `PARLEY_LOG_LEVEL`) to stderr. */
  logger?: Logger;
}

/** A running server returned by {@link startServer}. */
export interface RunningServer {
  /** WebSocket address to give the SDK as `server`, e.g. `ws://127.0.0.1:8080/ws`. */
  readonly url: string;
  /** HTTP base address, e.g. `http://127.0.0.1:8080`. */
  readonly httpUrl: string;
  readonly port: number;
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
