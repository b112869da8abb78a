/**
 * Starts a Parley server on one port: the signaling WebSocket (`/ws`), the SFU, and HTTP — `/healthz`, the web SDK
 * at `/sdk/parley.mjs` and `/sdk/parley.js`, the demo page at `/`, and development tokens at `/dev/token` when a
 * development app is set.
 * @example
 * const server = await startServer({ apps: [{ appID: 1, appSign: '…64 hex…', serverSecret: '…32 chars…' }] });
 * const zg = new ZegoExpressEngine(1, server.url);
 * await server.close();
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { checkAppId, SIGNALING_PATH } from '@parley/protocol';
import { isServerSecret, validateAppSign } from '@parley/token';
import { handleHttp } from './http/HttpRoutes.js';
import { StaticFiles } from './http/StaticFiles.js';
import { createLogger } from './log.js';
import type { AppConfig, RunningServer, ServerOptions } from './options.js';
import { RoomService } from './rooms/RoomService.js';
import { resolveIceOptions, SfuRouter, StunResponder } from './sfu/index.js';
import { SignalingServer } from './signaling/SignalingServer.js';

export async function startServer(options: ServerOptions): Promise<RunningServer> {
  validateApps(options.apps, options.devAppID);
  const logger = options.logger ?? createLogger();
  const heartbeatIntervalMs = options.heartbeatIntervalMs ?? 5000;
  const sfu = new SfuRouter(options.media);
  const ice = resolveIceOptions(options.media?.ice);
  const stun = await StunResponder.start({
    bindAddress: ice.bindAddress ?? '0.0.0.0',
    announcedAddress: ice.hostAddresses[0]!,
    port: options.stunPort ?? 0,
  });
  const rooms = new RoomService({
    sfu,
    maxStreamsPerSession: options.maxStreamsPerSession ?? 10,
    apps: options.apps,
    reconnectGraceMs: options.reconnectGraceMs ?? 10_000,
    onlineCountIntervalMs: options.onlineCountIntervalMs ?? 30_000,
    roomMessagesPerSecond: options.roomMessagesPerSecond ?? 50,
    userMessagesPerSecond: options.userMessagesPerSecond ?? 10,
    outboxCapacity: 4096,
    tokenWarningSeconds: 30,
    logger: logger.child('rooms'),
  });
  const signaling = new SignalingServer(rooms, {
    heartbeatIntervalMs,
    heartbeatTimeoutMs: options.heartbeatTimeoutMs ?? heartbeatIntervalMs * 3,
    loginTimeoutMs: options.loginTimeoutMs ?? 30_000,
    framesPerSecond: options.connectionFramesPerSecond ?? 100,
    maxFrameBytes: options.maxFrameBytes ?? 64 * 1024,
    iceServers: [stun.url],
    logger: logger.child('signaling'),
  });
  const startedAt = Date.now();
  const files =
    options.web === false ? StaticFiles.load({ sdkDir: null, demoDir: null }) : StaticFiles.load(options.web);
  const devApp = options.apps.find((a) => a.appID === options.devAppID) ?? null;
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
  const http = createServer((req, res) => {
    handleHttp(req, res, httpContext).catch((err: unknown) => {
      httpLog.error('request failed', { url: req.url, err });
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  http.on('upgrade', (req, socket, head) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (path !== SIGNALING_PATH) {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
      return;
    }
    signaling.upgrade(req, socket, head);
  });
  http.on('clientError', (_err, socket) => socket.destroy());

  const host = options.host ?? '127.0.0.1';
  try {
    await new Promise<void>((resolve, reject) => {
      http.once('error', reject);
      http.listen(options.port ?? 0, host, () => {
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
  logger.child('server').info('listening', { host, port, apps: options.apps.map((a) => a.appID) });

  let closing: Promise<void> | null = null;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      await signaling.close();
      rooms.close();
      await sfu.close();
      await stun.close();
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    })();
    return closing;
  };
  let draining: Promise<void> | null = null;
  const drainTimeoutMs = options.drainTimeoutMs ?? 30_000;
  return {
    url: `ws://${urlHost}:${port}${SIGNALING_PATH}`,
    httpUrl: `http://${urlHost}:${port}`,
    port,
    close,
    drain: () => {
      draining ??= closing ?? signaling.drain(drainTimeoutMs).then(close);
      return draining;
    },
  };
}

function validateApps(apps: AppConfig[], devAppID: number | undefined): void {
  if (!Array.isArray(apps)) throw new TypeError('options.apps must be an array');
  const seen = new Set<number>();
  for (const app of apps) {
    if (checkAppId(app.appID) !== 0)
      throw new TypeError(`appID ${app.appID} must be an integer in 1..4294967295`);
    if (seen.has(app.appID)) throw new TypeError(`appID ${app.appID} is configured twice`);
    seen.add(app.appID);
    if (validateAppSign(app.appSign) !== 0)
      throw new TypeError(`appSign of app ${app.appID} must be 64 hex characters`);
    if (!isServerSecret(app.serverSecret)) {
      throw new TypeError(`serverSecret of app ${app.appID} must be 32 ASCII characters`);
    }
  }
  if (devAppID !== undefined && !seen.has(devAppID)) {
    throw new TypeError(`devAppID ${devAppID} is not one of the configured apps`);
  }
}
