/**
 * What the end-to-end media tests share: a real server with Node engines that are cleaned up after the test,
 * logins and publishes that wait for their outcome, a log of the frames a sink received with the sender's
 * numbers read back from them, and waits that resolve on events (frames, engine events), never on sleeps.
 */
import assert from 'node:assert/strict';
import type { RunningServer, ServerOptions } from '@parley/server';
import {
  type FrameSink,
  type NodeLocalStream,
  type ReceivedFrame,
  readSyntheticFrameNumber,
  readSyntheticPacketNumber,
  silentLogger,
  ZegoExpressEngine,
} from '../../../src/index.js';
import type { NodeEngineOptions } from '../../../src/ZegoExpressEngine.js';
import { APP, health, startTestServer, token } from '../../support/fixtures.js';
import { waitFor } from '../../support/waitFor.js';

/** A test's server and the engines it made; `close()` destroys them and stops the server. */
export interface Harness {
  server: RunningServer;
  /** A web-face engine on this server (silent logger), destroyed by `close()`. */
  engine(options?: NodeEngineOptions): ZegoExpressEngine;
  close(): Promise<void>;
}

/**
 * Starts a server on 127.0.0.1 port 0.
 * @example
 * const h = await startHarness();
 * t.after(() => h.close());
 */
export async function startHarness(options: Partial<ServerOptions> = {}): Promise<Harness> {
  const server = await startTestServer(options);
  const engines: ZegoExpressEngine[] = [];
  return {
    server,
    engine(engineOptions: NodeEngineOptions = {}) {
      const e = new ZegoExpressEngine(APP.appID, server.url, { logger: silentLogger, ...engineOptions });
      engines.push(e);
      return e;
    },
    async close() {
      for (const e of engines) e.destroyEngine();
      await server.close();
    },
  };
}

/** Logs `userID` in to `roomID` with a token. */
export async function login(e: ZegoExpressEngine, roomID: string, userID: string): Promise<void> {
  await e.loginRoom(roomID, token(userID), { userID, userName: userID });
}

/** Publishes `stream` as `streamID` and waits for PUBLISHING (the server then has its media). */
export async function publish(
  e: ZegoExpressEngine,
  streamID: string,
  stream: NodeLocalStream,
): Promise<void> {
  const publishing = waitFor(
    e,
    'publisherStateUpdate',
    (r) => r.streamID === streamID && (r.state === 'PUBLISHING' || r.state === 'NO_PUBLISH'),
    10_000,
  );
  assert.equal(e.startPublishingStream(streamID, stream), true);
  const [result] = await publishing;
  assert.equal(result.state, 'PUBLISHING', `publishing ${streamID}: ${JSON.stringify(result)}`);
}

/** One received frame with the sender's number read back from it (null: not a numbered frame, e.g. silence). */
export interface LoggedFrame {
  number: number | null;
  keyframe: boolean;
  rtpTimestamp: number;
  receivedAt: number;
  data: Buffer;
}

/**
 * The frames a sink delivers, by kind, from the moment the log is made; `until` waits on them.
 * @example
 * const log = new FrameLog(await zg.startPlayingStream('s1'));
 * await log.until((l) => l.video.length >= 30, '30 video frames');
 */
export class FrameLog {
  readonly video: LoggedFrame[] = [];
  readonly audio: LoggedFrame[] = [];
  private readonly waiters = new Set<() => void>();

  constructor(readonly sink: FrameSink) {
    sink.on('frame', (frame: ReceivedFrame) => {
      const number =
        frame.kind === 'video' ? readSyntheticFrameNumber(frame.data) : readSyntheticPacketNumber(frame.data);
      (frame.kind === 'video' ? this.video : this.audio).push({
        number,
        keyframe: frame.keyframe,
        rtpTimestamp: frame.rtpTimestamp,
        receivedAt: frame.receivedAt,
        data: frame.data,
      });
      for (const check of [...this.waiters]) check();
    });
  }

  /** Seconds of media of `kind` received, from the RTP timestamps of its first and last frames. */
  seconds(kind: 'audio' | 'video'): number {
    const frames = this[kind];
    if (frames.length < 2) return 0;
    const span = (frames.at(-1)!.rtpTimestamp - frames[0]!.rtpTimestamp) >>> 0;
    return span / (kind === 'video' ? 90_000 : 48_000);
  }

  /** Resolves once `predicate` holds (checked now and after every frame); rejects after `timeoutMs`. */
  until(predicate: (log: FrameLog) => boolean, what: string, timeoutMs = 10_000): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = (): void => {
        let ok = false;
        try {
          ok = predicate(this);
        } catch (err) {
          done();
          reject(err);
          return;
        }
        if (ok) {
          done();
          resolve();
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(
          new Error(
            `timed out after ${timeoutMs} ms waiting for ${what} (have ${this.video.length} video, ${this.audio.length} audio frames)`,
          ),
        );
      }, timeoutMs);
      const done = (): void => {
        clearTimeout(timer);
        this.waiters.delete(check);
      };
      this.waiters.add(check);
      check();
    });
  }
}

/** What a local stream's sources sent, by the number each frame carries. */
export interface SentFrames {
  video: Map<number, Buffer>;
  audio: Map<number, Buffer>;
}

/** Records every numbered frame `stream` sends from now on. */
export function recordSent(stream: NodeLocalStream): SentFrames {
  const sent: SentFrames = { video: new Map(), audio: new Map() };
  stream.video?.on('frame', (f) => {
    const n = readSyntheticFrameNumber(f.data);
    if (n !== null) sent.video.set(n, f.data);
  });
  stream.audio?.on('frame', (f) => {
    const n = readSyntheticPacketNumber(f.data);
    if (n !== null) sent.audio.set(n, f.data);
  });
  return sent;
}

/** Asserts that `numbers` are consecutive integers (each one more than the previous), naming the first break. */
export function assertConsecutive(numbers: readonly (number | null)[], what: string): void {
  for (let i = 0; i < numbers.length; i++) {
    const n = numbers[i];
    assert.equal(typeof n, 'number', `${what}: frame ${i} carries no number`);
    if (i > 0) {
      assert.equal(
        n,
        numbers[i - 1]! + 1,
        `${what}: frame ${i} is number ${n} after ${numbers[i - 1]} (${numbers.length} frames)`,
      );
    }
  }
}

/**
 * Resolves once the server reports `count` media transports. The count is only visible over HTTP, so this
 * asks again every 20 ms until it matches or `timeoutMs` passes.
 */
export async function untilMediaTransports(
  server: RunningServer,
  count: number,
  timeoutMs = 5000,
): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    last = (await health(server)).mediaTransports;
    if (last === count) return;
    if (performance.now() > deadline) {
      throw new Error(`mediaTransports is ${String(last)}, not ${count}, after ${timeoutMs} ms`);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** min / median / max of `xs`, rounded, for diagnostics. */
export function spread(xs: readonly number[]): string {
  const s = [...xs].sort((a, b) => a - b);
  const r = (x: number | undefined) => (x === undefined ? 'n/a' : String(Math.round(x * 1000) / 1000));
  return `min ${r(s[0])}, median ${r(s[Math.floor(s.length / 2)])}, max ${r(s.at(-1))}`;
}
