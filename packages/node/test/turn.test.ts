/**
 * The Node SDK and a Parley server with TURN (Debian's coturn on loopback), end to end: the engine finds the
 * path by itself. The publisher's view of the SFU goes through a firewall (support/UdpRelay.ts) that admits
 * only coturn's relay address, so its direct path cannot work: its first connection fails to connect, the
 * retry goes through TURN, and later streams of the session start there. A server whose TURN secret is not
 * coturn's gets a clear warning in the engine's log, and media goes on the direct path.
 */
import assert from 'node:assert/strict';
import { afterEach, describe, test } from 'node:test';
import type { PublishConnection, PublishMediaInfo } from '@parley/engine';
import type { RunningServer } from '@parley/server';
import { LoopbackCoturn, skipWithoutCoturn } from '@parley/server/test/coturn';
import {
  type EngineLogger,
  type NodeLocalStream,
  type WeriftConnection,
  WeriftMediaBackend,
  ZegoExpressEngine,
} from '../src/index.js';
import { startTestServer, token, uniqueRoom } from './support/fixtures.js';
import { RelayedMediaBackend } from './support/RelayedMediaBackend.js';
import { RelayNetwork } from './support/UdpRelay.js';
import { EventLog, until, waitFor } from './support/waitFor.js';

const SECRET = 'e2e-turn-secret';
const skip = skipWithoutCoturn();

const closers: Array<() => unknown> = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

/** A logger that keeps what the engine logs. */
class MemoryLogger implements EngineLogger {
  readonly lines: { level: string; msg: string; fields?: Record<string, unknown> }[] = [];
  debug(): void {}
  info(msg: string, fields?: Record<string, unknown>): void {
    this.lines.push({ level: 'info', msg, ...(fields && { fields }) });
  }
  warn(msg: string, fields?: Record<string, unknown>): void {
    this.lines.push({ level: 'warn', msg, ...(fields && { fields }) });
  }
  error(msg: string, fields?: Record<string, unknown>): void {
    this.lines.push({ level: 'error', msg, ...(fields && { fields }) });
  }
}

type Made = { info: PublishMediaInfo<NodeLocalStream>; conn: WeriftConnection<any> };

/** Keeps every publish connection it makes and what it was told. */
function recording<T extends WeriftMediaBackend>(backend: T): { backend: T; made: Made[] } {
  const made: Made[] = [];
  const create = backend.createPublishConnection.bind(backend);
  backend.createPublishConnection = (info: PublishMediaInfo<NodeLocalStream>): PublishConnection => {
    const conn = create(info);
    made.push({ info, conn: conn as unknown as WeriftConnection<any> });
    return conn;
  };
  return { backend, made };
}

async function startServerWithTurn(secret: string, coturn: LoopbackCoturn): Promise<RunningServer> {
  const server = await startTestServer({
    turn: { urls: [coturn.url('udp')], secret, ttlSeconds: 600 },
  });
  closers.push(() => server.close());
  return server;
}

function engine(server: RunningServer, options: ConstructorParameters<typeof ZegoExpressEngine>[2]) {
  const e = new ZegoExpressEngine(1234567, server.url, options);
  closers.push(() => e.destroyEngine());
  return e;
}

async function publish(e: ZegoExpressEngine, streamID: string, timeoutMs: number): Promise<void> {
  const publishing = waitFor(
    e,
    'publisherStateUpdate',
    (r) => r.streamID === streamID && (r.state === 'PUBLISHING' || r.state === 'NO_PUBLISH'),
    timeoutMs,
  );
  assert.equal(e.startPublishingStream(streamID, await e.createZegoStream()), true);
  const [result] = await publishing;
  assert.equal(result.state, 'PUBLISHING', `publishing ${streamID}: ${JSON.stringify(result)}`);
}

async function localCandidateType(conn: WeriftConnection<any>): Promise<string> {
  let type = '';
  await until(
    async () => {
      type = (await conn.selectedCandidates())?.local.candidateType ?? '';
      return type !== '';
    },
    () => 'a nominated candidate pair',
  );
  return type;
}

describe('the path ladder', { skip }, () => {
  test('a publisher whose direct path is blocked ends up on relay by itself, and stays there', async (t) => {
    const coturn = await LoopbackCoturn.start({ secret: SECRET, transports: ['udp'] });
    closers.push(() => coturn.close());
    const server = await startServerWithTurn(SECRET, coturn);
    // A firewall in front of the SFU, as the publisher sees it: only coturn's relay address gets through.
    const network = new RelayNetwork();
    network.admit = (from) => from.address === coturn.relayIp;
    closers.push(() => network.close());
    const log = new MemoryLogger();
    const { backend, made } = recording(new RelayedMediaBackend(network));
    const publisher = engine(server, {
      logger: log,
      media: backend,
      mediaTiming: { connectTimeoutMs: 4000 },
    });
    const viewer = engine(server, { logger: log });
    const room = uniqueRoom('ladder');
    await publisher.loginRoom(room, token('ladder-pub'), { userID: 'ladder-pub' });
    await viewer.loginRoom(room, token('ladder-view'), { userID: 'ladder-view' });
    const states = new EventLog(publisher, ['publisherStateUpdate']);

    const started = performance.now();
    await publish(publisher, 'ladder-cam', 30_000);
    const upMs = Math.round(performance.now() - started);
    // The first connection tried every path (the direct one could not connect); the retry relayed.
    assert.deepEqual(
      made.map((m) => m.info.iceTransportPolicy),
      ['all', 'relay'],
    );
    assert.ok(
      made[0]!.info.iceServers.some((s) => s.username !== undefined && s.urls.includes(coturn.url('udp'))),
      'the first connection was offered the TURN server too',
    );
    assert.equal(await localCandidateType(made[1]!.conn), 'relay');
    // The firewall turned the direct checks away and let coturn's through.
    assert.ok(network.relays.some((r) => r.refused > 0));
    assert.ok(network.relays.some((r) => r.forwarded.upstream > 0));
    assert.ok(log.lines.some((l) => l.level === 'info' && /goes through TURN \(relay only\)/.test(l.msg)));
    // The app saw only the usual states: requesting, then publishing.
    assert.deepEqual(
      states.of('publisherStateUpdate').map(([r]) => r.state),
      ['PUBLISH_REQUESTING', 'PUBLISHING'],
    );

    // The viewer plays it (its own path is direct).
    const sink = await viewer.startPlayingStream('ladder-cam');
    await until(
      () => sink.counts.videoFrames >= 10,
      () => `10 frames at the viewer (have ${sink.counts.videoFrames})`,
    );

    // The choice is kept for the session: a second stream starts on relay at once.
    const second = performance.now();
    await publish(publisher, 'ladder-cam-2', 15_000);
    const secondMs = Math.round(performance.now() - second);
    assert.deepEqual(
      made.map((m) => m.info.iceTransportPolicy),
      ['all', 'relay', 'relay'],
    );
    assert.equal(await localCandidateType(made[2]!.conn), 'relay');
    t.diagnostic(
      `on relay after ${upMs} ms (one failed direct attempt); the second stream in ${secondMs} ms`,
    );
  });
});

describe('a wrong TURN secret', { skip }, () => {
  test('the engine warns clearly, stops offering the refused credentials, and media goes direct', async (t) => {
    const coturn = await LoopbackCoturn.start({ secret: SECRET, transports: ['udp'] });
    closers.push(() => coturn.close());
    const server = await startServerWithTurn('not-coturns-secret', coturn);
    const log = new MemoryLogger();
    const { backend, made } = recording(new WeriftMediaBackend());
    const publisher = engine(server, { logger: log, media: backend });
    const viewer = engine(server, { logger: new MemoryLogger() });
    const room = uniqueRoom('wrong-secret');
    await publisher.loginRoom(room, token('ws-pub'), { userID: 'ws-pub' });
    await viewer.loginRoom(room, token('ws-view'), { userID: 'ws-view' });

    const started = performance.now();
    await publish(publisher, 'ws-cam', 30_000);
    const upMs = Math.round(performance.now() - started);
    assert.equal(await localCandidateType(made[0]!.conn), 'host');
    const warning = () => log.lines.find((l) => l.level === 'warn' && /refused the credentials/.test(l.msg));
    await until(
      () => warning() !== undefined,
      () => `the warning (log: ${JSON.stringify(log.lines)})`,
    );
    assert.match(warning()!.msg, /401/);
    assert.match(warning()!.msg, /turn\.secret/);

    const sink = await viewer.startPlayingStream('ws-cam');
    await until(
      () => sink.counts.videoFrames >= 10,
      () => `10 frames at the viewer (have ${sink.counts.videoFrames})`,
    );

    // The refused credentials are no longer offered: the next stream gathers without waiting for coturn.
    const second = performance.now();
    await publish(publisher, 'ws-cam-2', 15_000);
    const secondMs = Math.round(performance.now() - second);
    assert.equal(made.length, 2);
    assert.deepEqual(
      made[1]!.info.iceServers.filter((s) => s.username !== undefined),
      [],
    );
    assert.equal(made[1]!.info.iceTransportPolicy, 'all');
    assert.equal(log.lines.filter((l) => /refused the credentials/.test(l.msg)).length, 1, 'warned once');
    t.diagnostic(`first stream up in ${upMs} ms, the second in ${secondMs} ms`);
  });
});
