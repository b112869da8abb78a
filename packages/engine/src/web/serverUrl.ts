/** Turns the `server` argument of the web face into the signaling WebSocket address. */
import { SIGNALING_PATH } from '@parley/protocol';

/**
 * `ws(s)://host[:port][/path]` is used as given (path defaults to `/ws`); `http(s)://` becomes `ws(s)://`; an
 * empty server means the page's own origin (browsers only). Throws a TypeError for anything else.
 * @example
 * resolveServerUrl('ws://127.0.0.1:8080');      // 'ws://127.0.0.1:8080/ws'
 * resolveServerUrl('https://rtc.example.com');  // 'wss://rtc.example.com/ws'
 */
export function resolveServerUrl(server: unknown): string {
  let text: string;
  if (server === undefined || server === null || server === '') {
    const location = (globalThis as { location?: { protocol?: string; host?: string } }).location;
    if (!location?.host) {
      throw new TypeError(
        'server: a ws:// address is required outside a browser page (empty means same origin)',
      );
    }
    text = `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}`;
  } else if (typeof server === 'string') {
    text = server;
  } else {
    throw new TypeError('server must be a string such as "ws://127.0.0.1:8080/ws"');
  }
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new TypeError(`server ${JSON.stringify(text)} is not a URL such as "ws://127.0.0.1:8080/ws"`);
  }
  if (url.protocol === 'http:') url.protocol = 'ws:';
  else if (url.protocol === 'https:') url.protocol = 'wss:';
  if (url.protocol !== 'ws:' && url.protocol !== 'wss:') {
    throw new TypeError(
      `server ${JSON.stringify(text)} must be a ws://, wss://, http:// or https:// address`,
    );
  }
  if (url.pathname === '' || url.pathname === '/') url.pathname = SIGNALING_PATH;
  return url.toString();
}
