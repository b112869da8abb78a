/**
 * Where Redis is, from the `cluster.redis` setting: `redis://[user:password@]host:port[/db]`,
 * `rediss://…` (TLS) or `unix:/path/to/redis.sock[?db=N]`.
 */

/** The connection part of the ioredis options. */
export interface RedisEndpoint {
  host?: string;
  port?: number;
  path?: string;
  db: number;
  username?: string;
  password?: string;
  /** TLS (rediss://), verifying the server's certificate for `servername`. */
  tls?: { servername: string };
}

/** Parses a Redis URL; throws a TypeError naming what is wrong. */
export function parseRedisUrl(url: string): RedisEndpoint {
  if (url.startsWith('unix:')) {
    const [path = '', query = ''] = url
      .slice('unix:'.length)
      .replace(/^\/\/(?=\/)/, '')
      .split('?', 2);
    if (!path.startsWith('/')) throw new TypeError(`Redis URL ${url}: unix: needs an absolute socket path`);
    const db = new URLSearchParams(query).get('db');
    return { path: decodeURIComponent(path), db: parseDb(db ?? '0', url) };
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new TypeError(`Redis URL ${url}: not a URL (redis://host:port[/db], rediss://… or unix:/path)`);
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
    throw new TypeError(`Redis URL ${url}: the scheme must be redis:, rediss: or unix:`);
  }
  if (parsed.hostname === '') throw new TypeError(`Redis URL ${url}: no host`);
  const host = parsed.hostname.replace(/^\[(.*)\]$/, '$1');
  const endpoint: RedisEndpoint = {
    host,
    port: parsed.port === '' ? 6379 : Number(parsed.port),
    db: parseDb(parsed.pathname.replace(/^\//, '') || '0', url),
  };
  if (parsed.username !== '') endpoint.username = decodeURIComponent(parsed.username);
  if (parsed.password !== '') endpoint.password = decodeURIComponent(parsed.password);
  if (parsed.protocol === 'rediss:') endpoint.tls = { servername: host };
  return endpoint;
}

/** The URL without its password, for logs. */
export function redactRedisUrl(url: string): string {
  return url.replace(/^(rediss?:\/\/[^:@/]*:)[^@/]*@/, '$1***@');
}

function parseDb(text: string, url: string): number {
  if (!/^\d{1,5}$/.test(text)) throw new TypeError(`Redis URL ${url}: the database must be a number`);
  return Number(text);
}
