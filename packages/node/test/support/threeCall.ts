/**
 * A call of three for the tests that restart or spread servers: Ann and Bob on the web face, Cat on the native
 * face, each publishing and playing another's stream, on one server or each on its own node; the apps' views of
 * the room, the media their players receive, and the states they go through on the way back after a failure.
 */
import assert from 'node:assert/strict';
import { afterEach } from 'node:test';
import { silentLogger, ZegoExpressEngine } from '../../src/index.js';
import { FrameLog, type LoggedFrame } from '../e2e/support/media.js';
import { APP, token, uniqueRoom } from './fixtures.js';
import { ParleyProcess, type ServeSettings } from './ParleyProcess.js';
import { EventLog, type Subscribable, until, waitFor } from './waitFor.js';

/** Closed after each test, last first. */
export const closers: Array<() => unknown> = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

/** A failure bound, far above what a restart takes; the time it does take is measured and printed. */
export const BOUND_MS = 20_000;

/** `parley serve` loaded in a child process, not yet listening. */
export async function prepare(
  port: number,
  settings: ServeSettings = {},
  args: string[] = [],
): Promise<ParleyProcess> {
  const server = await ParleyProcess.prepare(port, settings, args);
  closers.push(() => server.stop());
  return server;
}

export async function serve(
  port: number,
  settings: ServeSettings = {},
  args: string[] = [],
): Promise<ParleyProcess> {
  const server = await prepare(port, settings, args);
  await server.listen();
  return server;
}

/** A web-face engine with the default reconnect policy. */
export function webEngine(url: string): ZegoExpressEngine {
  const e = new ZegoExpressEngine(APP.appID, url, { logger: silentLogger });
  closers.push(() => e.destroyEngine());
  return e;
}

/** The native-face engine (one per process), logging in with the AppSign. */
export function nativeEngine(url: string) {
  const engine = ZegoExpressEngine.createEngine({
    appID: APP.appID,
    appSign: APP.appSign,
    scenario: 0,
    server: url,
    parley: { logger: silentLogger },
  });
  closers.push(() => ZegoExpressEngine.destroyEngine());
  return engine;
}

export type Engine = Subscribable;

/** Who is in a room and what they publish, as an app learns it from its room events (either face). */
export class AppView {
  readonly users = new Set<string>();
  readonly streams = new Set<string>();

  constructor(engine: Engine, roomID: string) {
    const add = (type: unknown) => type === 'ADD' || type === 0;
    engine.on('roomUserUpdate', (r: string, type: unknown, users: { userID: string }[]) => {
      if (r !== roomID) return;
      for (const u of users) add(type) ? this.users.add(u.userID) : this.users.delete(u.userID);
    });
    engine.on('roomStreamUpdate', (r: string, type: unknown, streams: { streamID: string }[]) => {
      if (r !== roomID) return;
      for (const s of streams) add(type) ? this.streams.add(s.streamID) : this.streams.delete(s.streamID);
    });
  }

  is(users: string[], streams: string[]): boolean {
    const same = (a: Set<string>, b: string[]) => a.size === b.length && b.every((x) => a.has(x));
    return same(this.users, users) && same(this.streams, streams);
  }
}

/** A call of three (on one server, or each user on its own node): Ann and Bob on the web face, Cat on the native face; each publishes and plays another. */
export async function startCall(url: string | { ann: string; bob: string; cat: string }) {
  const urls = typeof url === 'string' ? { ann: url, bob: url, cat: url } : url;
  const room = uniqueRoom('call');
  const ann = webEngine(urls.ann);
  const bob = webEngine(urls.bob);
  const cat = nativeEngine(urls.cat);
  cat.enableCamera(false);
  const views = { ann: new AppView(ann, room), bob: new AppView(bob, room), cat: new AppView(cat, room) };
  await ann.loginRoom(room, token('ann'), { userID: 'ann' }, { userUpdate: true });
  await bob.loginRoom(room, token('bob'), { userID: 'bob' }, { userUpdate: true });
  assert.equal((await cat.loginRoom(room, { userID: 'cat' }, { isUserStatusNotify: true })).errorCode, 0);
  const published = Promise.all([
    waitFor(ann, 'publisherStateUpdate', (r) => r.state === 'PUBLISHING', BOUND_MS),
    waitFor(bob, 'publisherStateUpdate', (r) => r.state === 'PUBLISHING', BOUND_MS),
    waitFor(cat, 'publisherStateUpdate', (_s, state) => state === 2, BOUND_MS),
  ]);
  ann.startPublishingStream('ann-cam', await ann.createZegoStream());
  bob.startPublishingStream('bob-cam', await bob.createZegoStream());
  cat.startPublishingStream('cat-mic');
  await published;
  // Ann watches Bob, Bob listens to Cat, Cat watches Ann.
  const players = {
    ann: new FrameLog(await ann.startPlayingStream('bob-cam')),
    bob: new FrameLog(await bob.startPlayingStream('cat-mic')),
    cat: new FrameLog(cat.startPlayingStream('ann-cam')!),
  };
  const everyone = ['ann', 'bob', 'cat'];
  const othersOf = (who: string) => everyone.filter((u) => u !== who);
  const streamOf: Record<string, string> = { ann: 'ann-cam', bob: 'bob-cam', cat: 'cat-mic' };
  /** Resolves once every app sees the two others and their streams. */
  const viewsComplete = () =>
    until(
      () =>
        everyone.every((u) =>
          views[u as keyof typeof views].is(
            othersOf(u),
            othersOf(u).map((o) => streamOf[o]!),
          ),
        ),
      () =>
        `complete views: ${JSON.stringify(Object.entries(views).map(([u, v]) => [u, [...v.users], [...v.streams]]))}`,
      BOUND_MS,
    );
  await viewsComplete();
  await mediaSince(players, 0);
  return { room, engines: { ann, bob, cat }, players, views, viewsComplete };
}

export type Players = Record<'ann' | 'bob' | 'cat', FrameLog>;

/** The first frame of `kind` received after `since` (performance.now()), or undefined. */
export function firstAfter(frames: LoggedFrame[], since: number): LoggedFrame | undefined {
  return frames.find((f) => f.receivedAt > since);
}

/**
 * Resolves once every player received media after `since`: video and audio of the camera streams, audio of the
 * microphone stream. Returns when the last of those first frames arrived.
 */
export async function mediaSince(players: Players, since: number): Promise<number> {
  const wanted: [FrameLog, 'audio' | 'video'][] = [
    [players.ann, 'video'],
    [players.ann, 'audio'],
    [players.bob, 'audio'],
    [players.cat, 'video'],
    [players.cat, 'audio'],
  ];
  await Promise.all(
    wanted.map(([log, kind]) =>
      log.until((l) => firstAfter(l[kind], since) !== undefined, `${kind} after the restart`, BOUND_MS),
    ),
  );
  return Math.max(...wanted.map(([log, kind]) => firstAfter(log[kind], since)!.receivedAt));
}

/** Records each engine's own room, publisher and player states from now on. */
export function stateLogs(engines: Record<'ann' | 'bob' | 'cat', Engine>) {
  const events = ['roomStateChanged', 'publisherStateUpdate', 'playerStateUpdate'];
  return {
    ann: new EventLog(engines.ann, events),
    bob: new EventLog(engines.bob, events),
    cat: new EventLog(engines.cat, events),
  };
}

/** Every engine was back in its room, publishing and playing: the states it went through on the way. */
export async function allBack(engines: Record<'ann' | 'bob' | 'cat', Engine>): Promise<void> {
  await Promise.all([
    ...(['ann', 'bob'] as const).flatMap((who) => [
      waitFor(engines[who], 'publisherStateUpdate', (r) => r.state === 'PUBLISHING', BOUND_MS),
      waitFor(engines[who], 'playerStateUpdate', (r) => r.state === 'PLAYING', BOUND_MS),
    ]),
    waitFor(engines.cat, 'publisherStateUpdate', (_s, state) => state === 2, BOUND_MS),
    waitFor(engines.cat, 'playerStateUpdate', (_s, state) => state === 2, BOUND_MS),
  ]);
}

/** The documented sequence of a restart, per face: room, then publisher and player states in any order. */
