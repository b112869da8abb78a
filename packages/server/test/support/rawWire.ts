/**
 * Raw TCP access to the server, for input no WebSocket library sends: frames that break RFC 6455 and
 * upgrade requests that are not URLs. Reads just enough of the server's frames to find its close code.
 */
import { connect, type Socket } from 'node:net';
import { within } from './HostileSocket.js';

/**
 * What the server sent, once `done` holds for it or the connection ended. The server waits for the client's
 * half of a WebSocket close handshake, so a raw client stops at the server's close frame and hangs up.
 */
function collect(socket: Socket, done: (received: Buffer) => boolean): Promise<Buffer> {
  let received = Buffer.alloc(0);
  return within(
    new Promise((resolve) => {
      socket.on('error', () => {});
      socket.on('close', () => resolve(received));
      socket.on('data', (c: Buffer) => {
        received = Buffer.concat([received, c]);
        if (!done(received)) return;
        socket.destroy();
        resolve(received);
      });
    }),
    5000,
    'the server to end a raw connection',
  );
}

function open(port: number): Promise<Socket> {
  return within(
    new Promise((resolve, reject) => {
      const s = connect(port, '127.0.0.1', () => resolve(s));
      s.once('error', reject);
    }),
    5000,
    'a TCP connection',
  );
}

export function upgradeRequest(target: string, headers: Record<string, string> = {}): string {
  const all = {
    Host: '127.0.0.1',
    Upgrade: 'websocket',
    Connection: 'Upgrade',
    'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==',
    'Sec-WebSocket-Version': '13',
    ...headers,
  };
  const lines = Object.entries(all).map(([k, v]) => `${k}: ${v}`);
  return `GET ${target} HTTP/1.1\r\n${lines.join('\r\n')}\r\n\r\n`;
}

/** Sends raw bytes and returns what the server answered before ending the connection. */
export async function rawExchange(port: number, ...writes: (string | Buffer)[]): Promise<Buffer> {
  const s = await open(port);
  const answer = collect(s, (received) => closeCodeOf(received) !== null);
  for (const w of writes) s.write(w);
  return answer;
}

/** Opens an upgrade on `target` and resets the connection at once, while the server still answers. */
export async function upgradeAndReset(port: number, target: string): Promise<void> {
  const s = await open(port);
  const gone = collect(s, () => false);
  s.write(upgradeRequest(target));
  s.write('x'.repeat(64 * 1024));
  setImmediate(() => s.resetAndDestroy());
  await gone;
}

/** The close code in the server's close frame, after the HTTP 101 answer; null if there is none. */
export function closeCodeOf(answer: Buffer): number | null {
  const headEnd = answer.indexOf('\r\n\r\n');
  if (headEnd < 0) return null;
  let at = headEnd + 4;
  while (at + 2 <= answer.length) {
    const opcode = answer[at]! & 0x0f;
    let len = answer[at + 1]! & 0x7f;
    let start = at + 2;
    if (len === 126) {
      len = answer.readUInt16BE(start);
      start += 2;
    } else if (len === 127) {
      len = Number(answer.readBigUInt64BE(start));
      start += 8;
    }
    if (opcode === 0x8) return len >= 2 ? answer.readUInt16BE(start) : null;
    at = start + len;
  }
  return null;
}

/** A client frame: masked unless `masked` is false; `first` is the FIN/RSV/opcode byte. */
export function clientFrame(first: number, payload: Buffer, masked = true): Buffer {
  const mask = Buffer.from([0x12, 0x34, 0x56, 0x78]);
  const len = payload.length;
  const head =
    len < 126
      ? Buffer.from([first, (masked ? 0x80 : 0) | len])
      : Buffer.from([first, (masked ? 0x80 : 0) | 126, len >> 8, len & 0xff]);
  if (!masked) return Buffer.concat([head, payload]);
  const body = Buffer.from(payload.map((b, i) => b ^ mask[i % 4]!));
  return Buffer.concat([head, mask, body]);
}
