/**
 * The last line of defence of publish and play attempts: an attempt handles its own failures (retry, or the
 * final state with the failure's code), but should handling a failure throw in turn, the attempt's promise must
 * not end as an unhandled rejection. Nothing on the server side is involved (the attempts never reach it), so a
 * scripted host and backend stand in; the real-server cases are in packages/node/test/hostileEngine.test.ts.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ErrorCode, ParleyError, TypedEmitter } from '@parley/protocol';
import type { PlayerHost, PublisherHost } from '../src/coreTypes.js';
import {
  type EngineLogger,
  type MediaBackend,
  type MediaConnectionEvents,
  type PlayConnectionEvents,
  silentLogger,
} from '../src/index.js';
import type { MediaTiming } from '../src/mediaRetry.js';
import { Player } from '../src/Player.js';
import { Publisher } from '../src/Publisher.js';
import { watchProcessErrors } from './support/processErrors.js';

const timing: MediaTiming = {
  connectTimeoutMs: 1000,
  retryPolicy: { nextRetryDelayInMs: ({ retryCount }) => (retryCount < 3 ? 0 : null) },
};

/** A backend whose connections never come up: every offer fails with a retryable timeout. */
function unreachableBackend(): MediaBackend {
  const timeout = (): Promise<never> =>
    Promise.reject(ParleyError.of(ErrorCode.NETWORK_TIMEOUT, 'no route to the SFU'));
  return {
    checkSource: () => 0,
    trackStates: () => ({ audio: true, video: false }),
    setTrackMuted: () => true,
    createPublishConnection: () =>
      Object.assign(new TypedEmitter<MediaConnectionEvents>(), {
        createOffer: timeout,
        setAnswer: timeout,
        stats: timeout,
        close() {},
      }),
    createOutput: () => ({}),
    createPlayConnection: () =>
      Object.assign(new TypedEmitter<PlayConnectionEvents>(), {
        acceptOffer: timeout,
        stats: timeout,
        close() {},
      }),
    closeOutput() {},
    close() {},
  };
}

type State = [streamID: string, state: string, errorCode: number];

/** A host that works, except that reporting a background failure throws (the fault under test). */
function faultyHost(states: State[], onFinal: () => void): PlayerHost & PublisherHost {
  const record = (streamID: string, state: string, errorCode: number): void => {
    states.push([streamID, state, errorCode]);
    if (state === 'NO_PUBLISH' || state === 'NO_PLAY') onFinal();
  };
  return {
    roomFor: () => ({ roomID: 'r1' }),
    send: (type) =>
      Promise.resolve((type === 'play' ? { sdp: 'v=0', audio: 'OPEN', video: 'OPEN' } : {}) as never),
    mediaContext: async () => ({ iceServers: [], iceTransportPolicy: 'all', serverUrl: 'ws://127.0.0.1/ws' }),
    connectionLive() {},
    connectionMade() {},
    connectFailed() {},
    debugError() {
      throw new Error('the host failed while reporting');
    },
    publisherState: record,
    playerState: record,
    playerFirstVideoFrame() {},
    playerMediaBreak() {},
    remoteTrackState() {},
  };
}

function recorder(): EngineLogger & { errors: string[] } {
  const errors: string[] = [];
  return { ...silentLogger, error: (msg) => errors.push(msg), errors };
}

test('a publish attempt whose failure handling throws ends the stream with NO_PUBLISH 1100001, logged', async (t) => {
  const escaped = watchProcessErrors(t);
  const states: State[] = [];
  const log = recorder();
  let ended!: () => void;
  const final = new Promise<void>((resolve) => {
    ended = resolve;
  });
  const publisher = new Publisher(faultyHost(states, ended), unreachableBackend(), timing, log);
  assert.equal(publisher.publish('s1', { source: {} }), 0);
  await final;
  assert.deepEqual(states, [
    ['s1', 'PUBLISH_REQUESTING', 0],
    ['s1', 'NO_PUBLISH', 1100001],
  ]);
  assert.deepEqual(log.errors, ['a publish attempt of s1 threw']);
  assert.deepEqual(publisher.streamIDs, []);
  await escaped.none();
});

test('a play attempt whose failure handling throws ends the play with NO_PLAY 1100001, logged', async (t) => {
  const escaped = watchProcessErrors(t);
  const states: State[] = [];
  const log = recorder();
  let ended!: () => void;
  const final = new Promise<void>((resolve) => {
    ended = resolve;
  });
  const player = new Player(faultyHost(states, ended), unreachableBackend(), timing, log);
  const start = player.play('s2');
  assert.equal(start.code, 0);
  await assert.rejects(start.playing, { code: 1100001 });
  await final;
  assert.deepEqual(states, [
    ['s2', 'PLAY_REQUESTING', 0],
    ['s2', 'NO_PLAY', 1100001],
  ]);
  assert.deepEqual(log.errors, ['a play attempt of s2 threw']);
  await escaped.none();
});
