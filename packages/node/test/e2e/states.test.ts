/**
 * Player and publisher states with real media: start and stop, a play that waits for its stream to be
 * published (the server answers 1104039 and the engine retries), a play whose stream never comes, and a logout
 * that stops everything — after which the server holds no media transport of the engine.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ExponentialBackoffPolicy, silentLogger, ZegoExpressEngine } from '../../src/index.js';
import { APP, health, uniqueRoom } from '../support/fixtures.js';
import { EventLog, waitFor } from '../support/waitFor.js';
import { FrameLog, login, publish, startHarness, untilMediaTransports } from './support/media.js';

const state = (streamID: string, s: string, errorCode = 0) => [
  { streamID, state: s, errorCode, extendedData: '' },
];

test('PLAY_REQUESTING → PLAYING on start, NO_PLAY 0 on stop; the server lets the player transport go', async (t) => {
  const h = await startHarness();
  t.after(() => h.close());
  const room = uniqueRoom('states');
  const publisher = h.engine();
  const player = h.engine();
  await login(publisher, room, 'st-pub');
  await login(player, room, 'st-viewer');
  await publish(publisher, 'st-cam', await publisher.createZegoStream());
  assert.equal((await health(h.server)).mediaTransports, 1);
  const log = new EventLog(player, ['playerStateUpdate']);
  const frames = new FrameLog(await player.startPlayingStream('st-cam'));
  assert.deepEqual(log.of('playerStateUpdate'), [
    state('st-cam', 'PLAY_REQUESTING'),
    state('st-cam', 'PLAYING'),
  ]);
  await frames.until((l) => l.video.length > 0 && l.audio.length > 0, 'media');
  assert.equal((await health(h.server)).mediaTransports, 2);

  let ended = false;
  frames.sink.once('end', () => {
    ended = true;
  });
  player.stopPlayingStream('st-cam');
  assert.deepEqual(log.of('playerStateUpdate').at(-1), state('st-cam', 'NO_PLAY'));
  assert.equal(log.of('playerStateUpdate').length, 3);
  assert.ok(ended, 'the frame sink ended');
  await untilMediaTransports(h.server, 1);
});

test('a play started before the stream is published stays PLAY_REQUESTING through 1104039 retries, then plays', async (t) => {
  const h = await startHarness();
  const retryPolicy = new ExponentialBackoffPolicy({
    initialDelayMs: 50,
    maxDelayMs: 200,
    giveUpAfterMs: 30_000,
  });
  t.after(async () => {
    await ZegoExpressEngine.destroyEngine();
    await h.close();
  });
  const room = uniqueRoom('states-early');
  const publisher = h.engine();
  const webPlayer = h.engine({ mediaTiming: { retryPolicy } });
  // The native face reports each retry as debugError, which makes the retries observable.
  const native = ZegoExpressEngine.createEngine({
    appID: APP.appID,
    appSign: APP.appSign,
    scenario: 0,
    server: h.server.url,
    parley: { logger: silentLogger, mediaTiming: { retryPolicy } },
  });
  await login(publisher, room, 'early-pub');
  await login(webPlayer, room, 'early-viewer');
  assert.equal((await native.loginRoom(room, { userID: 'early-native' })).errorCode, 0);
  const webLog = new EventLog(webPlayer, ['playerStateUpdate']);
  const nativeLog = new EventLog(native, ['playerStateUpdate', 'debugError']);

  const twoRetries = waitFor(native, 'debugError', () => nativeLog.of('debugError').length >= 2);
  const webPlaying = webPlayer.startPlayingStream('early-cam');
  const nativeSink = native.startPlayingStream('early-cam');
  assert.ok(nativeSink);
  const nativeFrames = new FrameLog(nativeSink);
  await twoRetries;
  for (const [code, funcName, info] of nativeLog.of('debugError')) {
    assert.deepEqual([code, funcName], [1104039, 'startPlayingStream']);
    assert.match(info, /retrying in \d+ ms/);
  }
  assert.deepEqual(webLog.of('playerStateUpdate'), [state('early-cam', 'PLAY_REQUESTING')]);
  assert.deepEqual(nativeLog.of('playerStateUpdate'), [['early-cam', 1, 0, '']]);

  const nativePlaying = waitFor(native, 'playerStateUpdate', (id, s) => id === 'early-cam' && s !== 1);
  await publish(publisher, 'early-cam', await publisher.createZegoStream());
  const webFrames = new FrameLog(await webPlaying);
  assert.deepEqual((await nativePlaying).slice(1, 3), [2, 0]);
  assert.deepEqual(webLog.of('playerStateUpdate'), [
    state('early-cam', 'PLAY_REQUESTING'),
    state('early-cam', 'PLAYING'),
  ]);
  assert.deepEqual(nativeLog.of('playerStateUpdate'), [
    ['early-cam', 1, 0, ''],
    ['early-cam', 2, 0, ''],
  ]);
  await webFrames.until((l) => l.video.length > 0, 'video');
  await nativeFrames.until((l) => l.video.length > 0, 'video');
  assert.equal(webFrames.video[0]!.keyframe, true);
  assert.equal(nativeFrames.video[0]!.keyframe, true);
  t.diagnostic(`${nativeLog.of('debugError').length} retries of 1104039 before the stream was published`);
});

test('a play of a stream that never comes ends NO_PLAY 1104039 when the retry budget is spent', async (t) => {
  const h = await startHarness();
  t.after(() => h.close());
  const room = uniqueRoom('states-never');
  const player = h.engine({
    mediaTiming: {
      retryPolicy: new ExponentialBackoffPolicy({ initialDelayMs: 50, maxDelayMs: 100, giveUpAfterMs: 800 }),
    },
  });
  await login(player, room, 'never-viewer');
  const log = new EventLog(player, ['playerStateUpdate']);
  const started = performance.now();
  await assert.rejects(player.startPlayingStream('never-cam'), { code: 1104039 });
  const elapsed = performance.now() - started;
  assert.deepEqual(log.of('playerStateUpdate'), [
    state('never-cam', 'PLAY_REQUESTING'),
    state('never-cam', 'NO_PLAY', 1104039),
  ]);
  // The budget counts from the first failure: 800 ms, plus the last attempt's round trip.
  assert.ok(elapsed >= 800 && elapsed < 2000, `gave up after ${elapsed.toFixed(0)} ms`);
  assert.equal((await health(h.server)).mediaTransports, 0);
  t.diagnostic(`NO_PLAY 1104039 after ${elapsed.toFixed(0)} ms`);
});

test('logoutRoom stops the plays and publishes (NO_PLAY / NO_PUBLISH 0) and the server releases their transports', async (t) => {
  const h = await startHarness();
  t.after(() => h.close());
  const room = uniqueRoom('states-logout');
  const a = h.engine();
  const b = h.engine();
  await login(a, room, 'logout-a');
  await login(b, room, 'logout-b');
  await publish(a, 'logout-a-cam', await a.createZegoStream());
  await publish(b, 'logout-b-cam', await b.createZegoStream());
  const aFrames = new FrameLog(await a.startPlayingStream('logout-b-cam'));
  const bFrames = new FrameLog(await b.startPlayingStream('logout-a-cam'));
  await Promise.all([aFrames, bFrames].map((f) => f.until((l) => l.video.length > 0, 'video')));
  assert.equal((await health(h.server)).mediaTransports, 4);

  const aLog = new EventLog(a, ['publisherStateUpdate', 'playerStateUpdate']);
  a.logoutRoom(room);
  assert.deepEqual(aLog.of('publisherStateUpdate'), [state('logout-a-cam', 'NO_PUBLISH')]);
  assert.deepEqual(aLog.of('playerStateUpdate'), [state('logout-b-cam', 'NO_PLAY')]);
  // A's publisher and player transports go; B's publisher and its (now idle) player of A's stream stay.
  await untilMediaTransports(h.server, 2);

  const bLog = new EventLog(b, ['publisherStateUpdate', 'playerStateUpdate']);
  b.logoutRoom(room);
  assert.deepEqual(bLog.of('publisherStateUpdate'), [state('logout-b-cam', 'NO_PUBLISH')]);
  assert.deepEqual(bLog.of('playerStateUpdate'), [state('logout-a-cam', 'NO_PLAY')]);
  await untilMediaTransports(h.server, 0);
});
