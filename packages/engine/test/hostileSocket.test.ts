/**
 * The signaling client's timers and socket callbacks never throw into the process: a socket whose `send`,
 * `terminate` or events throw, listeners and loggers that throw. Each case ends in the client's documented
 * state — `connect` rejecting with 1100002, or `close` with pending requests failing with 1100002.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  type EngineLogger,
  Reconnector,
  SignalClient,
  type SignalCloseInfo,
  silentLogger,
  type WebSocketCtor,
} from '../src/index.js';
import { watchProcessErrors } from './support/processErrors.js';
import { ScriptedSocket } from './support/ScriptedSocket.js';

/** A scripted socket whose methods throw on cue. */
class FaultySocket extends ScriptedSocket {
  sendError: Error | null = null;
  terminateError: Error | null = null;

  override send(data: string): void {
    if (this.sendError) throw this.sendError;
    super.send(data);
  }

  override terminate(): void {
    super.terminate();
    if (this.terminateError) throw this.terminateError;
  }

  static override last: FaultySocket | null = null;

  constructor(url: string) {
    super(url);
    FaultySocket.last = this;
  }
}

/** A logger that records error lines. */
function recorder(): EngineLogger & { errors: string[] } {
  const errors: string[] = [];
  return { debug() {}, info() {}, warn() {}, error: (msg) => errors.push(msg), errors };
}

const throwingLogger: EngineLogger = {
  debug: () => {
    throw new Error('debug');
  },
  info: () => {
    throw new Error('info');
  },
  warn: () => {
    throw new Error('warn');
  },
  error: () => {
    throw new Error('error');
  },
};

function client(logger: EngineLogger = silentLogger, requestTimeoutMs = 500): SignalClient {
  return new SignalClient({
    url: 'ws://test/ws',
    WebSocket: FaultySocket as unknown as WebSocketCtor,
    requestTimeoutMs,
    logger,
  });
}

async function connected(
  heartbeatIntervalMs = 1000,
  logger: EngineLogger = silentLogger,
): Promise<{ c: SignalClient; ws: FaultySocket }> {
  const c = client(logger);
  const hello = c.connect();
  const ws = FaultySocket.last!;
  ws.open(heartbeatIntervalMs);
  await hello;
  return { c, ws };
}

function closeOf(c: SignalClient): Promise<SignalCloseInfo> {
  return new Promise((resolve) => c.once('close', resolve));
}

test('a socket whose send throws in the heartbeat timer is dropped: close with cause error, requests fail', async (t) => {
  const escaped = watchProcessErrors(t);
  const { c, ws } = await connected(15);
  // The request is written before the socket breaks; its reply never comes.
  const pending = c.request('logout', { roomID: 'r1' });
  const closed = closeOf(c);
  ws.sendError = new Error('EPIPE');
  const info = await closed;
  assert.equal(info.cause, 'error');
  assert.equal(info.code, 1006);
  assert.match(info.reason, /EPIPE/);
  assert.equal(ws.terminated, true);
  assert.equal(c.isClosed, true);
  await assert.rejects(pending, { code: 1100002 });
  await escaped.none();
});

test('a request on a socket whose send throws fails with 1100002 and drops the socket', async (t) => {
  const escaped = watchProcessErrors(t);
  const { c, ws } = await connected();
  const closes: SignalCloseInfo[] = [];
  c.on('close', (info) => closes.push(info));
  ws.sendError = new Error('socket gone');
  await assert.rejects(c.request('broadcast', { roomID: 'r1', message: 'hi' }), { code: 1100002 });
  assert.deepEqual(
    closes.map((i) => i.cause),
    ['error'],
  );
  await assert.rejects(c.sync(), { code: 1100002 });

  // sync() writes a heartbeat: on a socket whose send throws it fails at once, not after its timeout.
  const other = await connected();
  other.ws.sendError = new Error('socket gone');
  await assert.rejects(other.c.sync(), { code: 1100002, message: /connection closed/ });
  assert.equal(other.c.isClosed, true);
  await escaped.none();
});

test('a message event that throws while being read never reaches the socket: the socket is dropped', async (t) => {
  const escaped = watchProcessErrors(t);
  const { c, ws } = await connected();
  const pending = c.request('logout', { roomID: 'r1' });
  const closed = closeOf(c);
  const hostile = {
    get data(): unknown {
      throw new Error('unreadable frame');
    },
  };
  assert.doesNotThrow(() => ws.onmessage?.(hostile));
  assert.equal((await closed).cause, 'error');
  await assert.rejects(pending, { code: 1100002 });

  // While connecting, the same fails the connect instead.
  const d = client();
  const connecting = d.connect();
  assert.doesNotThrow(() => FaultySocket.last!.onmessage?.(hostile));
  await assert.rejects(connecting, { code: 1100002 });
  await escaped.none();
});

test('a close event that throws while being read still closes the client', async (t) => {
  const escaped = watchProcessErrors(t);
  const { c, ws } = await connected();
  const closed = closeOf(c);
  const hostile = {
    get code(): number {
      throw new Error('no code');
    },
    reason: '',
  };
  assert.doesNotThrow(() => ws.onclose?.(hostile));
  assert.equal((await closed).cause, 'error');
  await escaped.none();
});

test('the hello timeout and the watchdog survive a socket whose terminate throws', async (t) => {
  const escaped = watchProcessErrors(t);
  const log = recorder();
  const a = client(log, 20);
  const connecting = a.connect();
  FaultySocket.last!.terminateError = new Error('terminate failed');
  await assert.rejects(connecting, { code: 1100002 });

  const { c, ws } = await connected(15, log);
  ws.terminateError = new Error('terminate failed');
  const info = await closeOf(c);
  assert.equal(info.cause, 'heartbeat');
  assert.equal(ws.terminated, true);
  await escaped.none();
});

test('listeners and a logger that throw change nothing: events flow, the close comes', async (t) => {
  const escaped = watchProcessErrors(t);
  const { c, ws } = await connected(15, throwingLogger);
  const seqs: number[] = [];
  c.on('event', () => {
    throw new Error('app listener');
  });
  c.on('event', (_ev, seq) => seqs.push(seq));
  c.on('serverError', () => {
    throw new Error('app listener');
  });
  const ev = { type: 'onlineCount', roomID: 'r1', count: 1 };
  // Out of order and repeated frames make the client log (a warning, a debug line): the logger throws each time.
  for (const seq of [1, 3, 3]) ws.serverSends({ t: 'evt', seq, ev });
  ws.serverSends({ t: 'error', code: 1100001, msg: 'bad frame' });
  ws.serverSends({ t: 'nonsense' });
  assert.deepEqual(seqs, [1, 3]);
  c.on('close', () => {
    throw new Error('app listener');
  });
  const closed = closeOf(c);
  // The server goes silent: the watchdog (which logs a warning) drops the socket.
  assert.equal((await closed).cause, 'heartbeat');
  await escaped.none();
});

test('a reconnect policy that answers neither null nor a finite number gives up, logged', async (t) => {
  const escaped = watchProcessErrors(t);
  for (const answer of [Number.NaN, Number.POSITIVE_INFINITY, 'soon', undefined]) {
    const log = recorder();
    const run = new Reconnector(
      { nextRetryDelayInMs: () => answer as unknown as number },
      async () => 'never',
      log,
    );
    await assert.rejects(run.done, { code: 1002053 });
    assert.deepEqual(log.errors, [
      'the reconnect policy answered neither null nor a finite number; giving up',
    ]);
  }
  // A negative delay is no delay.
  let calls = 0;
  const run = new Reconnector(
    { nextRetryDelayInMs: () => (calls++ < 2 ? -5 : null) },
    async () => {
      if (calls < 2) throw new Error('not yet');
      return 'up';
    },
    silentLogger,
  );
  assert.equal(await run.done, 'up');
  await escaped.none();
});
