/**
 * Every setting of the server, defined once: its key, its kind, its default and what it means. `startServer`
 * parses its options with this schema and uses the result only; `parley serve` maps its config file, its
 * `PARLEY_*` variables and its flags onto the same keys (LiveKit's `Config` + defaults is the model).
 *
 * The settings come in groups, one per part of the server. To add a group, write it as the ones below (a
 * `group({…})` of fields from fields.ts, each with `.default(…)` or `.optional()` and `.describe(…)`, the whole
 * `.prefault({})` so its defaults apply when it is absent), add it to {@link serverConfigSchema}'s shape, and
 * pass its values on in startServer. The config file, the `PARLEY_*` variables and the documentation table of
 * `parley serve` follow by themselves.
 */
import { z } from 'zod';
import { SFU_DEFAULTS } from '../sfu/defaults.js';
import type { AddressLimitSettings, HttpTimeoutSettings } from '../signaling/limitSettings.js';
import { appList, appSchema } from './apps.js';
import {
  addressRangeList,
  countOrOff,
  group,
  integer,
  ipAddress,
  ipAddressList,
  ipv4Address,
  milliseconds,
  oneOf,
  pemFile,
  portRange,
  positive,
  rateOrOff,
  text,
  turnUrls,
} from './fields.js';

/** The log levels, least severe first; `silent` logs nothing. */
export const LOG_LEVELS = ['debug', 'info', 'warn', 'error', 'silent'] as const;

/** The signaling WebSocket: heartbeats, login deadline, frame limits. */
export const signalingSchema = group({
  heartbeatIntervalMs: milliseconds(1).default(5000).describe('Heartbeat interval announced to clients.'),
  heartbeatTimeoutMs: milliseconds(1)
    .optional()
    .describe('A socket silent this long is dropped. Default 3 × heartbeatIntervalMs.'),
  loginTimeoutMs: milliseconds(1)
    .default(30_000)
    .describe('A socket that has not logged in (or resumed a session) this long after opening is closed.'),
  maxFrameBytes: integer(1024, 16 * 1024 * 1024)
    .default(64 * 1024)
    .describe('Largest WebSocket frame accepted, in bytes; a larger one closes the socket with 1009.'),
  framesPerSecond: positive('frames per second')
    .default(100)
    .describe('Frames one connection may send per second before it is throttled.'),
})
  .transform((s) => ({ ...s, heartbeatTimeoutMs: s.heartbeatTimeoutMs ?? 3 * s.heartbeatIntervalMs }))
  .prefault({});

/** Sessions and rooms: resumption, message rates, per-session limits. */
export const roomsSchema = group({
  reconnectGraceMs: milliseconds(0)
    .default(10_000)
    .describe('How long a session whose socket dropped is kept for a resume.'),
  onlineCountIntervalMs: milliseconds(1).default(30_000).describe('Interval of `roomOnlineUserCountUpdate`.'),
  roomMessagesPerSecond: positive('per second')
    .default(50)
    .describe('Broadcast messages, custom commands and extra-info updates allowed per room per second.'),
  userMessagesPerSecond: positive('per second')
    .default(10)
    .describe('The same, per member of a room, so one sender cannot use up the room’s budget.'),
  maxStreamsPerSession: positive('streams').default(10).describe('Streams one session may publish at once.'),
  outboxCapacity: positive('events')
    .default(4096)
    .describe('Events queued for one session (while its socket is slow or gone) before it is dropped.'),
  tokenWarningSeconds: integer(1, 86_400)
    .default(30)
    .describe('How long before its token expires a session is told so (`tokenWillExpire`).'),
}).prefault({});

/** The media plane: the SFU's addresses, ports and limits, and the STUN responder. */
export const mediaSchema = group({
  announcedAddresses: ipAddressList()
    .min(1, { error: 'must list at least one IP address' })
    .optional()
    .describe(
      'Addresses announced to clients as the SFU’s ICE candidates. Default: 127.0.0.1 when `host` is a ' +
        'loopback address, else every non-loopback interface address.',
    ),
  bindAddress: ipv4Address()
    .optional()
    .describe(
      'IPv4 address the media UDP sockets bind to. Default: 127.0.0.1 when only loopback addresses are ' +
        'announced, else every interface (0.0.0.0).',
    ),
  udpPort: integer(0, 65535)
    .optional()
    .describe(
      'The one UDP port of the node’s media: every transport shares it, so a firewall opens this port and ' +
        '`stunPort`. Default: 0 (a free port, fine on loopback; set a fixed one in a deployment). Not with ' +
        '`portRange`.',
    ),
  portRange: portRange()
    .optional()
    .describe(
      'The older media mode, instead of `udpPort`: UDP ports of per-transport sockets, e.g. ' +
        '`"50000-50999"`; each transport takes one port per announced address. Unset: the `udpPort` mode.',
    ),
  stunPort: integer(0, 65535)
    .default(0)
    .describe(
      'UDP port of the STUN responder announced to clients (on the bind address); 0 picks a free one. ' +
        'Never the media port: libwebrtc takes whatever comes from its STUN server for STUN.',
    ),
  maxTransports: positive('transports')
    .default(SFU_DEFAULTS.maxTransports)
    .describe('Publisher plus player transports, at most.'),
  maxPlayersPerStream: positive('players')
    .default(SFU_DEFAULTS.maxPlayersPerStream)
    .describe('Players of one stream, at most.'),
  keyframeRequestIntervalMs: milliseconds(1)
    .default(SFU_DEFAULTS.keyframeRequestIntervalMs)
    .describe('Minimum time between two keyframe requests to a publisher.'),
  retransmissionBufferSize: z
    .union(
      [16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384, 32768].map((n) => z.literal(n)),
      {
        error: 'must be a power of two in 16..32768',
      },
    )
    .default(SFU_DEFAULTS.retransmissionBufferSize)
    .meta({ type: 'power of two 16..32768' })
    .describe('Packets kept per incoming track to answer NACKs.'),
  connectTimeoutMs: milliseconds(1)
    .default(SFU_DEFAULTS.connectTimeoutMs)
    .describe('Time a transport has from creation to connect before it closes.'),
  inactivityTimeoutMs: milliseconds(1)
    .default(SFU_DEFAULTS.inactivityTimeoutMs)
    .describe('A connected transport that hears nothing from its peer this long closes.'),
}).prefault({});

/** HTTPS and WSS on the one port. */
export const tlsSchema = group({
  cert: pemFile()
    .optional()
    .describe(
      'Certificate chain (PEM). With `tls.key`, the port serves HTTPS and WSS instead of HTTP and WS.',
    ),
  key: pemFile().optional().describe('Private key (PEM) of `tls.cert`.'),
}).prefault({});

/** The TURN servers offered to clients, with credentials made from a shared secret. */
export const turnSchema = group({
  urls: turnUrls()
    .default([])
    .describe('TURN servers offered to clients (`turn:`/`turns:` URLs); needs `turn.secret`.'),
  secret: text()
    .optional()
    .describe('Secret shared with the TURN servers (their `static-auth-secret`), to make credentials.'),
  ttlSeconds: integer(60, 7 * 86_400)
    .default(86_400)
    .describe('Lifetime of the TURN credentials given to a client.'),
}).prefault({});

/**
 * Limits per client address (an IPv4 address, or an IPv6 /64), so that one address cannot crowd out the others;
 * each is answered with a defined code and counted in `/healthz`. A numeric limit of 0 turns it off. The defaults
 * suit a server its clients reach directly, where one address is one host or one office behind NAT.
 */
export const limitsSchema = group({
  socketsPerAddress: countOrOff('sockets')
    .default(500)
    .describe('Open signaling sockets per address; one more is closed at once with 1013 (try again later).'),
  preLoginSocketsPerAddress: countOrOff('sockets')
    .default(100)
    .describe('Sockets per address not logged in (or resumed) yet; one more is closed with 1013.'),
  framesPerSecondPerAddress: rateOrOff('per second')
    .default(1000)
    .describe(
      'Frames per second from one address over all its sockets (bursts of twice as many); more get 1009015, ' +
        'then a close with 1008.',
    ),
  loginsPerSecondPerAddress: rateOrOff('per second')
    .default(50)
    .describe('Logins per second from one address (bursts of twice as many); more are answered 1002071.'),
  loginFailuresBeforeBackoff: countOrOff('failures')
    .default(10)
    .describe(
      'Failed logins (wrong AppID, AppSign or token) from one address before it is locked out; each further ' +
        'failure doubles the lockout, a successful login ends it. Logins during a lockout get 1002071.',
    ),
  loginBackoffMs: milliseconds(1).default(1000).describe('The first lockout.'),
  loginBackoffMaxMs: milliseconds(1).default(60_000).describe('The longest lockout.'),
  loginFailureMemoryMs: milliseconds(1)
    .default(600_000)
    .describe('An address’s failed logins are forgotten after this long without a new one.'),
  maxTrackedAddresses: positive('addresses')
    .default(100_000)
    .describe('Addresses remembered at most; idle ones seen longest ago are forgotten first.'),
  trustedProxies: addressRangeList()
    .default([])
    .describe(
      'Reverse proxies whose `X-Forwarded-For` is believed: their clients are counted by the address forwarded for.',
    ),
}).prefault({});

/**
 * The HTTP server: timeouts that bound slow clients (slowloris) before a socket becomes a WebSocket, and who may
 * use the operator endpoints (`/metrics`, the server API; see http/adminAccess.ts).
 */
export const httpSchema = group({
  headersTimeoutMs: milliseconds(1)
    .default(10_000)
    .describe('Time to send a complete request head (WebSocket upgrades included); then 408 and closed.'),
  requestTimeoutMs: milliseconds(1)
    .default(30_000)
    .describe('Time to send a complete request, body included; at least `http.headersTimeoutMs`.'),
  keepAliveTimeoutMs: milliseconds(1)
    .default(5000)
    .describe('How long an idle keep-alive connection is kept after a response.'),
  adminToken: text('token')
    .min(16, { error: 'must be at least 16 characters' })
    .optional()
    .describe(
      'Bearer token required by `/metrics` (`Authorization: Bearer …`); the server API, signed with each ' +
        "app's secret, does not ask for it. Without it, only `http.adminAllow` protects `/metrics`.",
    ),
  adminAllow: addressRangeList()
    .optional()
    .describe(
      'Client addresses and CIDR ranges allowed to use `/metrics` and, when set, the server API (behind a ' +
        'trusted proxy: the address it forwards for; others get 403). Default: `/metrics` from loopback only, ' +
        'or from any address when `http.adminToken` is set; the server API (signed) from any address.',
    ),
}).prefault({});

/** The cluster: the shared state (Redis or this process's own) and the nodes' liveness and media pipes. */
export const clusterSchema = group({
  redis: text('redis://host:port[/db], rediss://… or unix:/path/redis.sock')
    .optional()
    .describe(
      'Redis holding the shared state: every node with the same Redis is one Parley. Without it the state is ' +
        "this process's own (a single node).",
    ),
  nodeID: text('name')
    .refine((v) => !v.startsWith('@'), {
      error: "must not start with '@' (reserved for the server API's streams)",
    })
    .optional()
    .describe(
      "This node's name in the cluster, unique among the live nodes. Default: host name, pid and a random part.",
    ),
  address: ipAddress()
    .optional()
    .describe(
      'Address the other nodes send media pipes to (UDP). Default: the first announced media address.',
    ),
  heartbeatMs: milliseconds(100).default(1000).describe('How often a node tells the cluster it is alive.'),
  nodeTimeoutMs: milliseconds(500)
    .default(5000)
    .describe('A node silent this long is dead: the others remove its users and streams and tell everyone.'),
  pipeLingerMs: milliseconds(0)
    .default(10_000)
    .describe('How long a media pipe from another node stays open after its last player stopped.'),
}).prefault({});

/** The waits before each retry of a server callback: ZEGO's 2, 4, 8, 16 and 32 s. */
export const CALLBACK_RETRY_DELAYS_MS = [2000, 4000, 8000, 16_000, 32_000];

/** Server callbacks to the apps' `callbackUrl` (docs/callbacks.md). */
export const callbacksSchema = group({
  retryDelaysMs: z
    .array(
      // The environment and flags give lists as text; each item is a whole number of milliseconds.
      z.preprocess((v) => (typeof v === 'string' && /^\d+$/.test(v.trim()) ? Number(v) : v), milliseconds(0)),
      { error: (issue) => (issue.input === undefined ? 'is missing' : 'must be a list of milliseconds') },
    )
    .max(10, { error: 'must list at most 10 retries' })
    .default(CALLBACK_RETRY_DELAYS_MS)
    .meta({ type: 'list of integers ≥ 0 (ms)' })
    .describe(
      'Waits before each retry of a callback its receiver did not answer with 2xx; after the last the event is ' +
        'dropped and counted.',
    ),
  timeoutMs: milliseconds(1)
    .default(5000)
    .describe('How long one callback POST may take before it counts as failed.'),
  queueLimit: positive('events')
    .default(10_000)
    .describe(
      'Callbacks one app may have waiting, in flight or waiting for a retry; beyond it new events are dropped and ' +
        'counted.',
    ),
}).prefault({});

/** Every setting of the server. */
export const serverConfigSchema = group({
  host: text('host name or IP address')
    .default('127.0.0.1')
    .describe('Interface to listen on; 0.0.0.0 (or ::) for every interface.'),
  port: integer(0, 65535).default(0).describe('TCP port of HTTP and the WebSocket; 0 picks a free one.'),
  apps: appList().describe('The apps (AppIDs) the server accepts logins for.'),
  devAppID: appSchema.shape.appID
    .optional()
    .meta({ type: 'AppID of one of `apps`' })
    .describe(
      'The AppID of the development app (one of `apps`), whose tokens the demo page may ask for. ' +
        'For local development only.',
    ),
  logLevel: oneOf(LOG_LEVELS).default('info').describe('Least severe level logged (JSON lines on stderr).'),
  drainTimeoutMs: milliseconds(0)
    .default(30_000)
    .describe(
      'How long a graceful stop (SIGTERM, `drain()`) waits for the clients to leave, after telling them to ' +
        'reconnect, before the server closes anyway.',
    ),
  signaling: signalingSchema,
  rooms: roomsSchema,
  media: mediaSchema,
  tls: tlsSchema,
  turn: turnSchema,
  limits: limitsSchema,
  http: httpSchema,
  cluster: clusterSchema,
  callbacks: callbacksSchema,
}).superRefine((config, ctx) => {
  if (config.http.requestTimeoutMs < config.http.headersTimeoutMs) {
    ctx.addIssue({
      code: 'custom',
      path: ['http', 'requestTimeoutMs'],
      message: 'must be at least http.headersTimeoutMs',
      params: { relatedTo: ['http', 'headersTimeoutMs'] },
    });
  }
  if (config.devAppID !== undefined && !config.apps.some((app) => app.appID === config.devAppID)) {
    ctx.addIssue({
      code: 'custom',
      path: ['devAppID'],
      message: `must be the AppID of one of the apps (got ${config.devAppID})`,
    });
  }
  const { cert, key } = config.tls;
  if ((cert === undefined) !== (key === undefined)) {
    const [given, missing] = cert === undefined ? ['key', 'cert'] : ['cert', 'key'];
    ctx.addIssue({
      code: 'custom',
      path: ['tls', missing],
      message: `must be set too: tls.${given} and tls.${missing} go together`,
      params: { relatedTo: ['tls', given] },
    });
  }
  if (config.media.udpPort !== undefined && config.media.portRange !== undefined) {
    ctx.addIssue({
      code: 'custom',
      path: ['media', 'udpPort'],
      message: 'excludes media.portRange: one port for every transport, or a socket per transport',
      params: { relatedTo: ['media', 'portRange'] },
    });
  }
  if (config.turn.urls.length > 0 && config.turn.secret === undefined) {
    ctx.addIssue({
      code: 'custom',
      path: ['turn', 'secret'],
      message: 'is required with turn.urls: clients get credentials made from it',
      params: { relatedTo: ['turn', 'urls'] },
    });
  }
});

/** What {@link startServer} and the config file accept: every key but `apps` is optional. */
export type ServerConfigInput = z.input<typeof serverConfigSchema>;
/** Every setting resolved: defaults applied, values checked. */
export type ResolvedConfig = z.output<typeof serverConfigSchema>;

// The signaling layer's own view of these settings: the resolved groups must fit it.
type Fits<T, U extends T> = U;
export type ResolvedLimits = Fits<AddressLimitSettings, ResolvedConfig['limits']>;
export type ResolvedHttpTimeouts = Fits<HttpTimeoutSettings, ResolvedConfig['http']>;
