/** `startServer`: the composition root of the server, from resolved settings to a listening port. */
import {
  createServer as createHttpServer,
  type ServerOptions as HttpServerOptions,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { SIGNALING_PATH } from '@parley/protocol';
import { ApiServer } from './api/ApiServer.js';
import { CallbackSender } from './callbacks/CallbackSender.js';
import { RoomCallbacks } from './callbacks/RoomCallbacks.js';
import { createSharedState } from './cluster/createSharedState.js';
import { mediaAddresses } from './config/addresses.js';
import { resolveServerConfig } from './config/resolve.js';
import { readTlsFiles } from './config/tlsFiles.js';
import { AdminAccess } from './http/adminAccess.js';
import { handleHttp } from './http/HttpRoutes.js';
import { StaticFiles } from './http/StaticFiles.js';
import { createLogger } from './log.js';
import { logPlayerErrors } from './logPlayerErrors.js';
import { METRICS_CONTENT_TYPE, ServerMetrics } from './metrics/ServerMetrics.js';
import type { RunningServer, ServerOptions } from './options.js';
import { RoomService } from './rooms/RoomService.js';
import { SfuRouter, StunResponder } from './sfu/index.js';
import { AddressLimits } from './signaling/AddressLimits.js';
import type { HttpTimeoutSettings } from './signaling/limitSettings.js';
import { SignalingServer } from './signaling/SignalingServer.js';

const REQUEST_TIMEOUT = 'HTTP/1.1 408 Request Timeout\r\nConnection: close\r\nContent-Length: 0\r\n\r\n';

/**
 * Starts a Parley server on one port: the signaling WebSocket (`/ws`), the SFU, and HTTP — `/healthz`, `/metrics`, the web SDK
 * at `/sdk/parley.mjs` and `/sdk/parley.js`, the demo page at `/`, and development tokens at `/dev/token` when a
 * development app is set.
 * The options are parsed once with the settings schema (config/schema.ts); only the resolved values are used.
 * @throws ConfigError (a TypeError) naming every setting that is wrong, before anything is started.
 * @example
 * const server = await startServer({ apps: [{ appID: 1, appSign: '…64 hex…', serverSecret: '…32 chars…' }] });
 * const zg = new ZegoExpressEngine(1, server.url);
 * await server.close();
 */
export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const { web, logger: givenLogger, consumerOptions, sharedState, api: apiHooks, ...settings } = options;
  const config = resolveServerConfig(settings);
  const tls = await readTlsFiles(config.tls);
  const { media, signaling: sig, rooms: roomSettings } = config;
  const logger = givenLogger ?? createLogger({ level: config.logLevel });
  const limits = new AddressLimits(config.limits, logger.child('limits'));
  const addresses = mediaAddresses(config.host, media);
  const sfu = new SfuRouter({
    ice: {
      announcedAddresses: addresses.announced,
      bindAddress: addresses.bindAddress,
      // One UDP port for every transport (the default: a free one), or a socket per transport in `portRange`.
      udpPort: media.udpPort,
      portRange: media.portRange ?? null,
    },
    maxTransports: media.maxTransports,
    maxPlayersPerStream: media.maxPlayersPerStream,
    keyframeRequestIntervalMs: media.keyframeRequestIntervalMs,
    retransmissionBufferSize: media.retransmissionBufferSize,
    connectTimeoutMs: media.connectTimeoutMs,
    inactivityTimeoutMs: media.inactivityTimeoutMs,
    // Pipes to and from other nodes: at the cluster address, and given up when silent as long as a dead node is.
    ...(config.cluster.address === undefined ? {} : { pipeAddress: config.cluster.address }),
    pipeInactivityTimeoutMs: config.cluster.nodeTimeoutMs,
    consumerOptions,
  });
  logPlayerErrors(sfu, logger.child('sfu'));
  // What started before a failure (a taken STUN port, an unreachable Redis) is released before failing.
  // The STUN responder keeps a port of its own, never the media port: libwebrtc hands every datagram from
  // its STUN server's address to its STUN client, so it would not hear the SFU's ICE answers from there.
  let stun: StunResponder;
  let state: Awaited<ReturnType<typeof createSharedState>>;
  try {
    await sfu.listening(); // a taken media port fails the start here
    stun = await StunResponder.start({ ...addresses.stun, port: media.stunPort });
  } catch (err) {
    await sfu.close();
    limits.close();
    throw err;
  }
  try {
    state = await createSharedState(config.cluster, logger.child('cluster'), sharedState);
  } catch (err) {
    await sfu.close();
    await stun.close();
    limits.close();
    throw err;
  }
  const { turn } = config;
  const callbackSender = new CallbackSender({
    apps: config.apps,
    ...config.callbacks,
    logger: logger.child('callbacks'),
  });
  const rooms = new RoomService({
    callbacks: new RoomCallbacks(callbackSender),
    sfu,
    state,
    resyncSettleMs: config.cluster.nodeTimeoutMs + config.cluster.heartbeatMs,
    pipeLingerMs: config.cluster.pipeLingerMs,
    apps: config.apps,
    // The schema requires the secret whenever URLs are given; without URLs nothing is offered.
    turn:
      turn.urls.length > 0 && turn.secret !== undefined
        ? { urls: turn.urls, secret: turn.secret, ttlSeconds: turn.ttlSeconds }
        : null,
    ...roomSettings,
    logger: logger.child('rooms'),
  });
  const metrics = new ServerMetrics({
    nodeID: state.nodeID,
    sfu,
    rooms: () => rooms.stats(),
    connections: () => signaling.connectionCount,
    callbacks: () => callbackSender.stats(),
  });
  const signaling = new SignalingServer(rooms, {
    ...sig,
    iceServers: [stun.url],
    limits,
    logger: logger.child('signaling'),
    onLogin: (code) => metrics.login(code),
  });
  const startedAt = Date.now();
  const files = web === false ? StaticFiles.load({ sdkDir: null, demoDir: null }) : StaticFiles.load(web);
  const devApp = config.apps.find((a) => a.appID === config.devAppID) ?? null;
  const api = new ApiServer({
    ...apiHooks,
    apps: config.apps,
    rooms: rooms.admin,
    logger: logger.child('api'),
  });
  const httpContext = {
    files,
    devApp,
    admin: new AdminAccess({
      adminToken: config.http.adminToken,
      adminAllow: config.http.adminAllow,
      trustedProxies: config.limits.trustedProxies,
    }),
    metrics: async () => ({ text: await metrics.text(), contentType: METRICS_CONTENT_TYPE }),
    api,
    health: () => ({
      uptimeSeconds: Math.round((Date.now() - startedAt) / 1000),
      cluster: {
        nodeID: state.nodeID,
        shared: config.cluster.redis === undefined ? 'memory' : 'redis',
        available: state.available,
      },
      connections: signaling.connectionCount,
      ...rooms.stats(),
      mediaTransports: sfu.transportCount,
      limits: limits.stats(),
      callbacks: callbackSender.stats(),
    }),
  };
  const httpLog = logger.child('http');
  const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    handleHttp(req, res, httpContext).catch((err: unknown) => {
      // A request whose connection went away (or was cut for its slowness) is aborted: not a server error.
      if (req.destroyed) {
        httpLog.debug('request aborted', { url: req.url, err });
        return;
      }
      httpLog.error('request failed', { url: req.url, err });
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  };
  // With a certificate the one port speaks HTTPS, and the WebSocket upgrades on it are WSS.
  const serverOptions = httpServerOptions(config.http);
  const http =
    tls === null
      ? createHttpServer(serverOptions, onRequest)
      : createHttpsServer({ ...serverOptions, ...tls }, onRequest);
  http.on('upgrade', (req, socket, head) => {
    // A request target such as `//` is no URL and new URL() throws; thrown here, it would end the process.
    const target = req.url ?? '/';
    const path = URL.canParse(target, 'http://localhost')
      ? new URL(target, 'http://localhost').pathname
      : null;
    if (path !== SIGNALING_PATH) {
      // Node drops its own error listener from an upgraded socket: without this one, a client that resets the
      // connection while the 404 is written raises an 'error' nobody handles, and the process ends. Nobody
      // reads the socket either, so it is destroyed once the answer is out (as ws does), not left half open.
      socket.on('error', () => socket.destroy());
      socket.once('finish', () => socket.destroy());
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
      return;
    }
    signaling.upgrade(req, socket, head);
  });
  http.keepAliveTimeout = config.http.keepAliveTimeoutMs;
  http.on('clientError', (err: NodeJS.ErrnoException, socket) => {
    // Too slow with its headers (a pending upgrade included) or its body: say so, count it, and cut it.
    if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
      limits.httpTimeout((socket as Socket).remoteAddress);
      if (socket.writable && socket.writableLength === 0) {
        socket.end(REQUEST_TIMEOUT, () => socket.destroy());
        return;
      }
    }
    socket.destroy();
  });

  const { host } = config;
  try {
    await new Promise<void>((resolve, reject) => {
      http.once('error', reject);
      http.listen(config.port, host, () => {
        http.off('error', reject);
        resolve();
      });
    });
  } catch (err) {
    // The port is taken (or the host unusable): release what was started before failing.
    await signaling.close();
    rooms.close();
    await state.close();
    await callbackSender.close();
    await sfu.close();
    await stun.close();
    limits.close();
    throw err;
  }
  const port = (http.address() as AddressInfo).port;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  logger.child('server').info('listening', {
    host,
    port,
    tls: tls !== null,
    apps: config.apps.map((a) => a.appID),
    announcedAddresses: addresses.announced,
    turn: config.turn.urls,
  });

  let closing: Promise<void> | null = null;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      await signaling.close();
      rooms.close();
      await state.close();
      // After the rooms and the state: the logouts of the last sessions are queued by then, and get a short grace.
      await callbackSender.close();
      await sfu.close();
      await stun.close();
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
      limits.close();
    })();
    return closing;
  };
  let draining: Promise<void> | null = null;
  return {
    url: `${tls === null ? 'ws' : 'wss'}://${urlHost}:${port}${SIGNALING_PATH}`,
    httpUrl: `${tls === null ? 'http' : 'https'}://${urlHost}:${port}`,
    port,
    media: { announcedAddresses: addresses.announced, origin: addresses.origin },
    close,
    drain: () => {
      draining ??= closing ?? signaling.drain(config.drainTimeoutMs).then(close);
      return draining;
    },
  };
}

/**
 * Node checks its request timeouts on an interval (30 s by default, too coarse for a 10 s headers timeout); a
 * quarter of the shortest timeout keeps the overshoot small, at most once a second.
 */
function httpServerOptions(t: HttpTimeoutSettings): HttpServerOptions {
  return {
    headersTimeout: t.headersTimeoutMs,
    requestTimeout: t.requestTimeoutMs,
    connectionsCheckingInterval: Math.max(25, Math.min(1000, Math.floor(t.headersTimeoutMs / 4))),
  };
}
