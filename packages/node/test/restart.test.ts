/**
 * `parley serve` restarted for real, in a child process: killed with SIGKILL and started again on the same port,
 * or stopped gracefully with SIGTERM (it drains) and replaced. The engines — both faces, with media — come back
 * by themselves with the default reconnect policy: they log in again, publish and play again, and their apps
 * end up with the same view of the room as the new server has. The time from the restart to media flowing
 * again is printed as a diagnostic.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { spread } from './e2e/support/media.js';
import { token, uniqueRoom } from './support/fixtures.js';
import { TcpProxy } from './support/TcpProxy.js';
import {
  allBack,
  BOUND_MS,
  closers,
  type Engine,
  mediaSince,
  prepare,
  serve,
  startCall,
  stateLogs,
  webEngine,
} from './support/threeCall.js';
import { until, waitFor } from './support/waitFor.js';

function assertRestartStates(room: string, logs: ReturnType<typeof stateLogs>): void {
  for (const [who, stream, played] of [
    ['ann', 'ann-cam', 'bob-cam'],
    ['bob', 'bob-cam', 'cat-mic'],
  ] as const) {
    const log = logs[who];
    assert.deepEqual(
      log.of('roomStateChanged'),
      [
        [room, 'RECONNECTING', 0, ''],
        [room, 'RECONNECTED', 0, ''],
      ],
      who,
    );
    assert.deepEqual(
      log.of('publisherStateUpdate'),
      [
        [{ streamID: stream, state: 'PUBLISH_REQUESTING', errorCode: 1103030, extendedData: '' }],
        [{ streamID: stream, state: 'PUBLISHING', errorCode: 0, extendedData: '' }],
      ],
      who,
    );
    assert.deepEqual(
      log.of('playerStateUpdate'),
      [
        [{ streamID: played, state: 'PLAY_REQUESTING', errorCode: 1104030, extendedData: '' }],
        [{ streamID: played, state: 'PLAYING', errorCode: 0, extendedData: '' }],
      ],
      who,
    );
  }
  assert.deepEqual(logs.cat.of('roomStateChanged'), [
    [room, 3, 0, ''],
    [room, 4, 0, ''],
  ]);
  assert.deepEqual(logs.cat.of('publisherStateUpdate'), [
    ['cat-mic', 1, 1103030, ''],
    ['cat-mic', 2, 0, ''],
  ]);
  assert.deepEqual(logs.cat.of('playerStateUpdate'), [
    ['ann-cam', 1, 1104030, ''],
    ['ann-cam', 2, 0, ''],
  ]);
}

const restartTimes: number[] = [];

/** Resolves with the time (performance.now()) at which the last engine announced RECONNECTED. */
function reconnectedAt(engines: Record<'ann' | 'bob' | 'cat', Engine>): Promise<number> {
  return Promise.all(
    Object.values(engines).map((e) =>
      waitFor(e, 'roomStateChanged', (_r, reason) => reason === 'RECONNECTED' || reason === 4, BOUND_MS).then(
        () => performance.now(),
      ),
    ),
  ).then((times) => Math.max(...times));
}

/**
 * The target: media flows again within 5 s of a restart that took at most 1 s. A restart that took longer (a
 * machine too busy even to start a loaded process quickly) leaves the measurement, not the target.
 */
function checkTarget(t: { diagnostic(msg: string): void }, restartMs: number, toMediaMs: number): void {
  if (restartMs <= 1000)
    assert.ok(toMediaMs < 5000, `media back ${Math.round(toMediaMs)} ms after the restart`);
  else t.diagnostic(`the restart took ${Math.round(restartMs)} ms (over 1 s): the 5 s target does not apply`);
}

/**
 * Starts the successor and waits until every client is back: RECONNECTED, media flowing to every player, every
 * room view complete, and the states a restart must show. Returns when the successor listened and how long media
 * took from then.
 */
async function comeBack(
  second: Awaited<ReturnType<typeof prepare>>,
  call: Awaited<ReturnType<typeof startCall>>,
  logs: ReturnType<typeof stateLogs>,
): Promise<{ listeningAt: number; toMedia: number }> {
  await second.listen();
  const listeningAt = performance.now();
  await allBack(call.engines);
  const mediaAt = await mediaSince(call.players, listeningAt);
  await call.viewsComplete();
  assertRestartStates(call.room, logs);
  const toMedia = mediaAt - listeningAt;
  restartTimes.push(toMedia);
  return { listeningAt, toMedia };
}

test('kill -9 and a restart on the same port: every client is back, publishing and playing, by itself', async (t) => {
  const first = await serve(0);
  const call = await startCall(first.url);
  const logs = stateLogs(call.engines);

  // The successor is loaded beforehand, as a supervisor's restart is quick once Node and the modules are loaded.
  const second = await prepare(first.port);
  const back = reconnectedAt(call.engines);
  const killedAt = performance.now();
  first.kill('SIGKILL');
  assert.deepEqual(await first.exited, { code: null, signal: 'SIGKILL' });
  const { listeningAt, toMedia } = await comeBack(second, call, logs);
  t.diagnostic(
    `kill -9 → new server listening: ${Math.round(listeningAt - killedAt)} ms; listening → ` +
      `every engine RECONNECTED: ${Math.round((await back) - listeningAt)} ms, ` +
      `media flowing to every player again: ${Math.round(toMedia)} ms`,
  );
  checkTarget(t, listeningAt - killedAt, toMedia);
});

test('SIGTERM drains: the clients are told to reconnect, the server exits, and they come back to its successor', async (t) => {
  const first = await serve(0);
  const call = await startCall(first.url);
  const logs = stateLogs(call.engines);

  const second = await prepare(first.port);
  const back = reconnectedAt(call.engines);
  const stoppedAt = performance.now();
  first.kill('SIGTERM');
  assert.deepEqual(await first.exited, { code: 0, signal: null });
  const exitedAt = performance.now();
  assert.match(
    first.stderr,
    /Stopping Parley: telling the clients to reconnect \(SIGTERM again to stop at once\)/,
  );
  const { listeningAt, toMedia } = await comeBack(second, call, logs);
  t.diagnostic(
    `SIGTERM → old server exited: ${Math.round(exitedAt - stoppedAt)} ms, new one listening: ` +
      `${Math.round(listeningAt - stoppedAt)} ms; listening → every engine RECONNECTED: ` +
      `${Math.round((await back) - listeningAt)} ms, media flowing to every player again: ${Math.round(toMedia)} ms`,
  );
  checkTarget(t, listeningAt - stoppedAt, toMedia);
  t.diagnostic(`restart → media, all runs of this file: ${spread(restartTimes)} ms`);
});

test('while draining, a login is refused with 1002098; a second SIGTERM ends the server at once', async () => {
  // A client whose network froze keeps its socket open: the drain waits for it (up to a minute here).
  const server = await serve(0, { drainTimeoutMs: 60_000 });
  const proxy = await TcpProxy.start(server.port);
  closers.push(() => proxy.close());
  const room = uniqueRoom('drain');
  const frozen = webEngine(proxy.url);
  await frozen.loginRoom(room, token('frozen'), { userID: 'frozen' });
  proxy.freeze();

  server.kill('SIGTERM');
  await until(
    () => server.stderr.includes('Stopping Parley'),
    () => `the drain to start: ${server.stderr}`,
    BOUND_MS,
  );
  const newcomer = webEngine(server.url);
  await assert.rejects(newcomer.loginRoom(room, token('newcomer'), { userID: 'newcomer' }), {
    code: 1002098,
  });

  server.kill('SIGTERM');
  assert.deepEqual(await server.exited, { code: null, signal: 'SIGTERM' });
});

test('Ctrl+C drains too; a client that never answers does not hold the server past drainTimeoutMs', async () => {
  const server = await serve(0, { drainTimeoutMs: 300 });
  const proxy = await TcpProxy.start(server.port);
  closers.push(() => proxy.close());
  const frozen = webEngine(proxy.url);
  await frozen.loginRoom(uniqueRoom('drain'), token('frozen'), { userID: 'frozen' });
  proxy.freeze();
  server.kill('SIGINT');
  assert.deepEqual(await server.exited, { code: 0, signal: null });
  assert.match(
    server.stderr,
    /Stopping Parley: telling the clients to reconnect \(SIGINT again to stop at once\)/,
  );
  assert.match(server.stderr, /drain timed out/);
});
