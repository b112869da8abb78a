import type { StaticFilesOptions } from './http/StaticFiles.js';
import type { Logger } from './log.js';
import type { SfuRouterOptions } from './sfu/index.js';
import type { AddressLimitSettings, HttpTimeoutSettings } from './signaling/limitSettings.js';

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
   * Limits per client address: sockets, sockets not logged in yet, frames and logins per second, and the lockout
   * after failed logins. Each field has a default ({@link AddressLimitSettings}); 0 turns a numeric limit off.
   */
  limits?: Partial<AddressLimitSettings>;
  /** Timeouts of the HTTP server against slow clients ({@link HttpTimeoutSettings}, each with a default). */
  http?: Partial<HttpTimeoutSettings>;
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
}
