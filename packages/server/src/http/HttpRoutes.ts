/**
 * Plain HTTP requests next to the WebSocket endpoint:
 * - `GET|POST /?Action=…` — the ZEGO-compatible server API (api/ApiServer.ts), as is any `POST /`; an explicit
 *   `http.adminAllow` limits it to its addresses;
 * - `GET /healthz` — liveness and counters;
 * - `GET /metrics` — the Prometheus metrics, for the clients `http.adminAllow` / `http.adminToken` admit;
 * - `GET /sdk/parley.mjs`, `/sdk/parley.js` — the web SDK; `GET /` — the demo page and its files;
 * - `GET /dev/app` and `POST /dev/token` — the development app's AppID and tokens for the demo page, answered
 *   only when the server runs with a development app (`npm start`), never for a configured app.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { checkUserId, errorMessage } from '@parley/protocol';
import { generateToken04 } from '@parley/token';
import { ApiServer } from '../api/ApiServer.js';
import type { AppConfig } from '../options.js';
import { type AdminAccess, admitAdmin } from './adminAccess.js';
import type { StaticFiles } from './StaticFiles.js';

/** Lifetime of a development token: 24 hours, like the console's temporary tokens. */
export const DEV_TOKEN_TTL_SECONDS = 24 * 3600;
/** Largest request body accepted (the token request is a few dozen bytes). */
const MAX_BODY_BYTES = 4096;

export interface HttpContext {
  health(): Record<string, unknown>;
  files: StaticFiles;
  /** The development app, when the server has one; its tokens are handed out at `/dev/token`. */
  devApp: AppConfig | null;
  /** Who may read the operator endpoints. */
  admin: AdminAccess;
  /** The metrics in the Prometheus text format, and their content type. */
  metrics(): Promise<{ text: string; contentType: string }>;
  /** The server API. */
  api: ApiServer;
}

/** Answers one request. Never throws for bad input: every refusal is a JSON `{error}` with a status. */
export async function handleHttp(req: IncomingMessage, res: ServerResponse, ctx: HttpContext): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const path = url.pathname;
  if (ApiServer.wants(url) || (path === '/' && req.method === 'POST')) {
    if (!ctx.admin.apiAllowed(req)) return ctx.api.refuseAddress(res);
    return ctx.api.handle(req, res, url);
  }
  if (path === '/dev/token') {
    if (req.method !== 'POST') return send(res, 405, { error: 'use POST' }, { allow: 'POST' });
    return devToken(req, res, ctx.devApp);
  }
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    return send(res, 405, { error: 'method not allowed' }, { allow: 'GET, HEAD' });
  }
  if (path === '/healthz') return send(res, 200, { status: 'ok', ...ctx.health() });
  if (path === '/metrics') {
    if (!admitAdmin(req, res, ctx.admin)) return;
    const { text, contentType } = await ctx.metrics();
    res.writeHead(200, { 'content-type': contentType, 'cache-control': 'no-store' });
    res.end(req.method === 'HEAD' ? undefined : text);
    return;
  }
  if (path === '/dev/app') {
    if (!ctx.devApp) return send(res, 404, { error: 'this server has no development app' });
    return send(res, 200, { appID: ctx.devApp.appID, tokenTtlSeconds: DEV_TOKEN_TTL_SECONDS });
  }
  const file = ctx.files.lookup(path);
  if (file) {
    const body = await ctx.files.read(file);
    if (body !== null) {
      res.writeHead(200, {
        'content-type': file.contentType,
        'content-length': body.length,
        'cache-control': 'no-cache',
        'x-content-type-options': 'nosniff',
      });
      res.end(req.method === 'HEAD' ? undefined : body);
      return;
    }
  }
  if (path.startsWith('/sdk/') && ctx.files.sdkProblem)
    return send(res, 404, { error: ctx.files.sdkProblem });
  send(res, 404, { error: 'not found' });
}

/** `POST /dev/token {appID, userID}` → `{token, expiresInSeconds}` for the development app only. */
async function devToken(req: IncomingMessage, res: ServerResponse, devApp: AppConfig | null): Promise<void> {
  if (!devApp) return send(res, 404, { error: 'this server has no development app' });
  const body = await readJson(req);
  if (body === null || typeof body !== 'object') {
    return send(res, 400, { error: 'the body must be JSON of at most 4 KB: {"appID": …, "userID": "…"}' });
  }
  const { appID, userID } = body as { appID?: unknown; userID?: unknown };
  if (appID !== devApp.appID) {
    return send(res, 403, { error: `tokens are only handed out for the development app ${devApp.appID}` });
  }
  const code = checkUserId(userID);
  if (code !== 0) return send(res, 400, { error: errorMessage(code), code });
  const token = generateToken04(devApp.appID, userID as string, devApp.serverSecret, DEV_TOKEN_TTL_SECONDS);
  send(res, 200, { token, expiresInSeconds: DEV_TOKEN_TTL_SECONDS });
}

/** The request body as JSON; null if it is not JSON or too large. */
async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) return null;
    chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    return null;
  }
}

function send(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
    ...headers,
  });
  res.end(text);
}
