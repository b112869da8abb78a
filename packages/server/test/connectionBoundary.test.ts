/**
 * The socket boundary: whatever the layer behind a Connection throws (an Error, null, a rejected promise, a
 * reply that cannot be serialised, a close it cannot make), the client gets an answer with a registry code,
 * the error is logged without the frame's content, and nothing reaches the `ws` emitter. A real `ws` server
 * and client on 127.0.0.1 carry the frames; the handler is a test double because the real rooms layer has no
 * bug to provoke.
 */
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { CloseCode, ErrorCode, isKnownErrorCode, type ReplyData, type ServerFrame } from '@parley/protocol';
import { WebSocketServer } from 'ws';
import { createLogger } from '../src/log.js';
import { Connection, type ConnectionHandler } from '../src/signaling/Connection.js';
import { HostileSocket, within } from './support/HostileSocket.js';

const CANARY = 'canary-b7d1';
/** What the handler double does with each request, keyed by the message it was sent. */
const behaviours: Record<string, (conn: Connection) => void | Promise<void>> = {
  error: () => {
    throw new Error('a bug in the rooms layer');
  },
  null: () => {
    throw null;
  },
  rejectUndefined: () => Promise.reject(undefined),
  rejectCoded: () =>
    Promise.reject(Object.assign(new Error('x'), { code: ErrorCode.NOT_IN_ROOM, msg: 'coded' })),
  unknownCode: () => {
    throw Object.assign(new Error('werift says no'), { code: 4242 });
  },
  // Reply data the compiler would refuse, as a bug could still produce at run time.
  bigint: (conn) => conn.reply(7, { n: 1n } as unknown as ReplyData['broadcast']),
  badClose: (conn) => conn.close(CloseCode.Kicked, '\u4e2d'.repeat(100)),
};

describe('the socket boundary of a Connection', () => {
  let wss: WebSocketServer;
  let url = '';
  const logged: { level: string; msg: string; line: string }[] = [];
  let detachCalled: () => void = () => {};
  const detached = new Promise<void>((resolve) => {
    detachCalled = resolve;
  });

  before(async () => {
    const logger = createLogger({
      level: 'debug',
      write: (line) => {
        const { level, msg } = JSON.parse(line) as { level: string; msg: string };
        logged.push({ level, msg, line });
      },
    });
    const handler: ConnectionHandler = {
      handle(conn, frame) {
        if (frame.t === 'hb') {
          if (frame.ack === 666) throw new RangeError('the heartbeat handler broke');
          return;
        }
        if (frame.t !== 'broadcast') return;
        return behaviours[frame.message]?.(conn);
      },
      closed() {
        detachCalled();
        throw new Error('the rooms layer failed to detach');
      },
    };
    wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    wss.on('connection', (ws) => {
      new Connection(
        ws,
        handler,
        { heartbeatIntervalMs: 60_000, framesPerSecond: 100, maxStrikes: 50, iceServers: [], logger },
        'test',
      );
    });
    await new Promise((resolve) => wss.once('listening', resolve));
    url = `ws://127.0.0.1:${(wss.address() as AddressInfo).port}`;
  });

  after(() => new Promise<void>((resolve) => wss.close(() => resolve())));

  it('answers each failed request with its id and a registry code, and the socket stays usable', async () => {
    const s = await HostileSocket.open(url);
    const ids: Record<string, number> = {
      error: 1,
      null: 2,
      rejectUndefined: 3,
      rejectCoded: 4,
      unknownCode: 5,
      bigint: 7,
    };
    const replies: Record<string, ServerFrame | null> = {};
    for (const [message, id] of Object.entries(ids)) {
      replies[message] = await s.request({ t: 'broadcast', id, roomID: CANARY, message });
    }
    for (const [message, r] of Object.entries(replies)) {
      assert.ok(r?.t === 'reply', message);
      const expected = message === 'rejectCoded' ? ErrorCode.NOT_IN_ROOM : ErrorCode.INPUT_PARAMETER;
      assert.equal(r.code, expected, message);
      assert.ok(isKnownErrorCode(r.code));
      if (message !== 'rejectCoded') assert.equal(r.msg, 'internal error', message);
    }
    // The heartbeat path has no request id: its failure comes back as an `error` frame.
    s.send({ t: 'hb', ack: 666 });
    assert.ok(await s.barrier());
    const error = s.frames.find((f) => f.t === 'error');
    assert.ok(error?.t === 'error' && error.code === ErrorCode.INPUT_PARAMETER);
    await s.close();
    await within(detached, 5000, 'the close handler');
    const errors = logged.filter((l) => l.level === 'error');
    // error, null, rejectUndefined, unknownCode, bigint, the heartbeat, and the failing close handler.
    assert.equal(errors.length, 7, errors.map((e) => e.msg).join(', '));
    // Logged by kind and size: nothing of the frames (their roomID is the canary) reaches the log.
    for (const e of errors) assert.ok(!e.line.includes(CANARY), e.line);
    assert.ok(errors.some((e) => e.msg === 'frame handling failed' && /"bytes":\d+/.test(e.line)));
    assert.ok(errors.some((e) => e.msg === 'socket close handling failed'));
  });

  it('cuts a socket it cannot close cleanly instead of throwing', async () => {
    const s = await HostileSocket.open(url);
    s.send({ t: 'broadcast', id: 1, roomID: 'r', message: 'badClose' });
    const info = await s.waitClose();
    assert.equal(info.code, 1006);
    assert.ok(logged.some((l) => l.level === 'error' && l.msg === 'close failed'));
  });
});
