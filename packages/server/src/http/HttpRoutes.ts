/**
 * Plain HTTP requests next to the WebSocket endpoint. Today: `GET /healthz`. Later issues add the SDK files
 * and the demo page here.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

export interface HealthSource {
  health(): Record<string, unknown>;
}

export function handleHttp(req: IncomingMessage, res: ServerResponse, source: HealthSource): void {
  const url = new URL(req.url ?? '/', 'http://localhost');
  if (url.pathname !== '/healthz') {
    send(res, 404, { error: 'not found' });
  } else if (req.method !== 'GET' && req.method !== 'HEAD') {
    send(res, 405, { error: 'method not allowed' });
  } else {
    send(res, 200, { status: 'ok', ...source.health() });
  }
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(text);
}
