/** `startServer`: the composition root of the server, from resolved settings to a listening port. */
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { SIGNALING_PATH } from '@parley/protocol';
import { mediaAddresses } from './config/addresses.js';
import { resolveServerConfig } from './config/resolve.js';
import { readTlsFiles } from './config/tlsFiles.js';
import { handleHttp } from './http/HttpRoutes.js';
import { StaticFiles } from './http/StaticFiles.js';
import { createLogger } from './log.js';
import type { RunningServer, ServerOptions } from './options.js';
import { RoomService } from './rooms/RoomService.js';
import { SfuRouter, StunResponder } from './sfu/index.js';
import { SignalingServer } from './signaling/SignalingServer.js';

/**
 * Starts a Parley server on one port: the signaling WebSocket (`/ws`), the SFU, and HTTP — `/healthz`, the web SDK
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
  const { web, logger: givenLogger, consumerOptions, ...settings } = options;
  const config = resolveServerConfig(settings);
  const tls = await readTlsFiles(config.tls);
  const { media, signaling: sig, rooms: roomSettings } = config;
  const logger = givenLogger ?? createLogger({ level: config.logLevel });
  const addresses = mediaAddresses(config.host, media);
  const sfu = new SfuRouter({
    ice: {
      announcedAddresses: addresses.announced,
      bindAddress: addresses.bindAddress,
      portRange: media.portRange ?? null,
    },
    maxTransports: media.maxTransports,
    maxPlayersPerStream: media.maxPlayersPerStream,
    keyframeRequestIntervalMs: media.keyframeRequestIntervalMs,
    retransmissionBufferSize: media.retransmissionBufferSize,
    connectTimeoutMs: media.connectTimeoutMs,
    inactivityTimeoutMs: media.inactivityTimeoutMs,
    consumerOptions,
  });
  const stun = await StunResponder.start({ ...addresses.stun, port: media.stunPort });
  const rooms = new RoomService({
    sfu,
    apps: config.apps,
    ...roomSettings,
    logger: logger.child('rooms'),
  });
  const signaling = new SignalingServer(rooms, {
    ...sig,
    iceServers: [stun.url],
    logger: logger.child('signaling'),
  });
  const startedAt = Date.now();
  const files = web === false ? StaticFiles.load({ sdkDir: null, demoDir: null }) : StaticFiles.load(web);
  const devApp = config.apps.find((a) => a.appID === config.devAppID) ?? null;
  const httpContext = {
    files,
    devApp,
    health: () => ({
      uptimeSeconds: Math.round((Date.now() - startedAt) / 1000),
      connections: signaling.connectionCount,
      ...rooms.stats(),
      mediaTransports: sfu.transportCount,
    }),
  };
  const httpLog = logger.child('http');
  const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    handleHttp(req, res, httpContext).catch((err: unknown) => {
      httpLog.error('request failed', { url: req.url, err });
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  };
  // With a certificate the one port speaks HTTPS, and the WebSocket upgrades on it are WSS.
  const http = tls === null ? createHttpServer(onRequest) : createHttpsServer(tls, onRequest);
  http.on('upgrade', (req, socket, head) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (path !== SIGNALING_PATH) {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
      return;
    }
    signaling.upgrade(req, socket, head);
  });
  http.on('clientError', (_err, socket) => socket.destroy());

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
    await sfu.close();
    await stun.close();
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
  });

  let closing: Promise<void> | null = null;
  return {
    url: `${tls === null ? 'ws' : 'wss'}://${urlHost}:${port}${SIGNALING_PATH}`,
    httpUrl: `${tls === null ? 'http' : 'https'}://${urlHost}:${port}`,
    port,
    media: { announcedAddresses: addresses.announced, origin: addresses.origin },
    close: () => {
      closing ??= (async () => {
        await signaling.close();
        rooms.close();
        await sfu.close();
        await stun.close();
        http.closeAllConnections();
        await new Promise<void>((resolve) => http.close(() => resolve()));
      })();
      return closing;
    },
  };
}
