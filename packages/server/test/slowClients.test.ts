/**
 * Slow and stubborn clients on raw TCP: request heads sent slowly or not at all (slowloris, a pending WebSocket
 * upgrade included), a body that never completes and an idle keep-alive connection are each cut after their
 * configured timeout; sockets refused by the per-address limits that ignore the close handshake are cut too,
 * and while many of them are closing, that address's further upgrades get a plain 429. Bad settings are refused.
 */
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { describe, it } from 'node:test';
import { CloseCode } from '@parley/protocol';
import { createLogger, startServer } from '../src/index.js';
import type { LimitStats } from '../src/signaling/AddressLimits.js';
import { APP, type Harness } from './support/harness.js';
import { harnessesClosedAfterFile } from './support/harnessPool.js';

const ATTACKER = '127.0.0.2';
const VICTIM = '127.0.0.3';

const harness = harnessesClosedAfterFile();

async function limitsOf(h: Harness): Promise<LimitStats> {
  return ((await (await fetch(`${h.server.httpUrl}/healthz`)).json()) as { limits: LimitStats }).limits;
}

/** A raw TCP connection to the server: what it received, and when the server closed it. */
interface RawTcp {
  socket: Socket;
  received(): string;
  /** Resolves with the milliseconds from connecting until the connection closed. */
  closed: Promise<number>;
}

async function open(h: Harness, localAddress = '127.0.0.1'): Promise<RawTcp> {
  const socket = connect({ host: '127.0.0.1', port: h.server.port, localAddress });
  const chunks: Buffer[] = [];
  socket.on('data', (d) => chunks.push(d));
  socket.on('error', () => {});
  const startedAt = performance.now();
  const closed = new Promise<number>((resolve) =>
    socket.on('close', () => resolve(performance.now() - startedAt)),
  );
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  return { socket, received: () => Buffer.concat(chunks).toString('latin1'), closed };
}

/** Writes `line` every 50 ms until the connection closes: a client that never finishes. */
function trickle(c: RawTcp, line: string): void {
  const timer = setInterval(() => {
    if (!c.socket.destroyed) c.socket.write(line);
  }, 50);
  void c.closed.then(() => clearInterval(timer));
}

const UPGRADE =
  'GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
  'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n';

/**
 * Sends a WebSocket upgrade and reads the answer without ever answering a close frame: the HTTP status, and
 * for a 101 the close code of the frame that follows (if the server closes at once).
 */
async function upgradeAndIgnore(
  h: Harness,
  from: string,
): Promise<{ c: RawTcp; status: number; closeCode: number }> {
  const c = await open(h, from);
  c.socket.write(UPGRADE);
  const answer = await new Promise<{ status: number; closeCode: number }>((resolve, reject) => {
    const check = (): void => {
      const bytes = Buffer.from(c.received(), 'latin1');
      const end = bytes.indexOf('\r\n\r\n');
      if (end < 0) return;
      const status = Number(bytes.subarray(9, 12).toString());
      const frame = bytes.subarray(end + 4);
      // For a 101, an unmasked close frame from the server follows: 0x88, its length, then the code.
      if (status !== 101) resolve({ status, closeCode: 0 });
      else if (frame.length >= 4 && frame[0] !== 0x88)
        reject(new Error(`expected a close frame: ${frame[0]}`));
      else if (frame.length >= 4) resolve({ status, closeCode: frame.readUInt16BE(2) });
    };
    c.socket.on('data', check);
    void c.closed.then(() => reject(new Error(`closed before an answer: ${JSON.stringify(c.received())}`)));
  });
  return { c, ...answer };
}

describe('slow HTTP clients', () => {
  it('cuts slow or silent request heads, pending upgrades, slow bodies and idle keep-alives', async () => {
    const http = { headersTimeoutMs: 300, requestTimeoutMs: 600, keepAliveTimeoutMs: 200 };
    const h = await harness({ http, devAppID: APP.appID });

    const slowHead = await open(h);
    slowHead.socket.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n');
    trickle(slowHead, 'X-Slow: 1\r\n');
    const pendingUpgrade = await open(h);
    pendingUpgrade.socket.write('GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n');
    const silent = await open(h);
    const slowBody = await open(h);
    slowBody.socket.write(
      'POST /dev/token HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n' +
        'Content-Length: 100\r\n\r\n{"appID":',
    );
    trickle(slowBody, ' ');

    // Meanwhile a client from another address goes about its business.
    const c = await h.login('busy', 'calm', { from: VICTIM });
    assert.equal((await c.request('broadcast', { roomID: 'busy', message: 'm' })).code, 0);

    for (const [name, conn, timeout] of [
      ['slow request head', slowHead, http.headersTimeoutMs],
      ['pending upgrade', pendingUpgrade, http.headersTimeoutMs],
      ['silent connection', silent, http.headersTimeoutMs],
      ['slow body', slowBody, http.requestTimeoutMs],
    ] as const) {
      const elapsed = await conn.closed;
      assert.ok(elapsed >= timeout - 5, `${name} cut after ${elapsed} ms, not before ${timeout}`);
      assert.match(conn.received(), /^HTTP\/1\.1 408 Request Timeout\r\n/, name);
    }

    const idle = await open(h);
    idle.socket.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    const elapsed = await idle.closed;
    assert.match(idle.received(), /^HTTP\/1\.1 200 OK\r\n[\s\S]*"status":"ok"/);
    assert.ok(elapsed >= http.keepAliveTimeoutMs, `idle keep-alive closed after ${elapsed} ms`);

    assert.equal((await limitsOf(h)).refused.httpTimeouts, 4);
    assert.ok(!c.isClosed);
  });

  it('refuses timeouts and limits that make no sense', async () => {
    const base = { apps: [APP], logger: createLogger({ level: 'silent' }) };
    const cases: [string, Parameters<typeof startServer>[0]][] = [
      ['request < headers', { ...base, http: { headersTimeoutMs: 1000, requestTimeoutMs: 500 } }],
      ['zero timeout', { ...base, http: { keepAliveTimeoutMs: 0 } }],
      ['negative limit', { ...base, limits: { socketsPerAddress: -1 } }],
      ['not a number', { ...base, limits: { loginBackoffMs: '5' as unknown as number } }],
      ['unknown key', { ...base, limits: { socketsPerIp: 5 } as never }],
      ['bad proxy', { ...base, limits: { trustedProxies: ['proxy.example'] } }],
    ];
    for (const [name, options] of cases) await assert.rejects(startServer(options), TypeError, name);
  });
});

describe('refused sockets', () => {
  it('are closed with 1013 and cut if they ignore the close; past 32 closing, an address gets 429', async (t) => {
    const h = await harness({ limits: { socketsPerAddress: 1 } });
    await h.connect(ATTACKER);
    // The refusals stay "closing" until the server cuts them (1 s): 32 of them, then the next upgrade. A round
    // in which the machine was so slow that the first refusals were already cut is tried again.
    let turnedAway = false;
    let rounds = 0;
    while (rounds < 5 && !turnedAway) {
      rounds += 1;
      const refused = await Promise.all(Array.from({ length: 32 }, () => upgradeAndIgnore(h, ATTACKER)));
      for (const r of refused) {
        assert.equal(r.status, 101);
        assert.equal(r.closeCode, CloseCode.TryAgainLater);
      }
      const next = await upgradeAndIgnore(h, ATTACKER);
      turnedAway = next.status === 429;
      if (turnedAway) assert.match(next.c.received(), /Retry-After: 1\r\n/);
      // The server cuts every refused socket that ignores its close frame, on its own.
      await Promise.all([...refused.map((r) => r.c.closed), next.c.closed]);
    }
    assert.ok(turnedAway, 'the 33rd upgrade while 32 refusals were closing was answered 429');
    // Once they are cut, refusals go back to close frames; other addresses never noticed.
    const after = await upgradeAndIgnore(h, ATTACKER);
    assert.equal(after.closeCode, CloseCode.TryAgainLater);
    after.c.socket.destroy();
    await h.login('fine', 'victim', { from: VICTIM });
    const { refused } = await limitsOf(h);
    assert.ok(refused.socketsPerAddress >= 34);
    t.diagnostic(`sockets refused: ${refused.socketsPerAddress} (429 in round ${rounds})`);
  });
});
