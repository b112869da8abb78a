/**
 * A Node process holds thousands of synthetic devices at once (load tests, agents), each one running on its own
 * timer. Before the microphones shared their tone, each one had its own opusscript encoder, and the process died
 * from a timer at the 55th: opusscript's views of its WebAssembly heap broke as the heap filled.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { EncodedFrame, PacedTrackSource } from '../../src/media/backend/index.js';
import { SyntheticCameraSource, SyntheticMicrophoneSource } from '../../src/media/backend/index.js';
import { readSyntheticFrameNumber } from '../../src/media/synth/SyntheticCamera.js';
import { readSyntheticPacketNumber } from '../../src/media/synth/SyntheticMicrophone.js';

const SOURCES = 2000;
const FRAMES_EACH = 3;

/**
 * Starts every source, lets each emit {@link FRAMES_EACH} frames, stops it, and returns what went wrong: frames
 * whose number is not the source's own count, or a first video frame that is no key frame.
 */
async function runAll(
  sources: PacedTrackSource[],
  numberOf: (data: Buffer) => number | null,
): Promise<string[]> {
  const problems: string[] = [];
  let running = sources.length;
  let deadline: NodeJS.Timeout | undefined;
  const allDone = new Promise<void>((resolve, reject) => {
    // The sources' timers are unref'd (a source never keeps a process alive): this one does, and bounds the wait.
    deadline = setTimeout(
      () => reject(new Error(`${running} of ${sources.length} sources still short of ${FRAMES_EACH} frames`)),
      60_000,
    );
    for (const [i, source] of sources.entries()) {
      const onFrame = (frame: EncodedFrame): void => {
        const number = numberOf(frame.data);
        if (number !== frame.sequence - 1)
          problems.push(`source ${i}: frame ${frame.sequence} says ${number}`);
        if (frame.kind === 'video' && frame.sequence === 1 && !frame.keyframe) {
          problems.push(`source ${i}: the first frame is no key frame`);
        }
        if (frame.sequence < FRAMES_EACH) return;
        source.off('frame', onFrame);
        source.stop();
        running -= 1;
        if (running === 0) resolve();
      };
      source.on('frame', onFrame);
    }
  });
  for (const source of sources) source.start();
  try {
    await allDone;
  } finally {
    clearTimeout(deadline);
  }
  return problems;
}

function megabytes(bytes: number): string {
  return (bytes / 2 ** 20).toFixed(0);
}

test(`${SOURCES} synthetic microphones run at once, every packet numbered`, async (t) => {
  const rssBefore = process.memoryUsage().rss;
  // Eight tones, so microphones share some loops and not others.
  const sources = Array.from(
    { length: SOURCES },
    (_, i) => new SyntheticMicrophoneSource({ frequency: 300 + 100 * (i % 8), channels: i % 2 ? 1 : 2 }),
  );
  const rssMade = process.memoryUsage().rss;
  try {
    const problems = await runAll(sources, readSyntheticPacketNumber);
    assert.deepEqual(problems.slice(0, 5), []);
    assert.ok(
      sources.every((s) => !s.running && !s.closed),
      'each source stopped with its last user, still open',
    );
  } finally {
    for (const source of sources) source.close();
  }
  t.diagnostic(
    `${SOURCES} microphones: RSS ${megabytes(rssBefore)} MB before, ${megabytes(rssMade)} MB once made, ` +
      `${megabytes(process.memoryUsage().rss)} MB after ${FRAMES_EACH} packets each`,
  );
});

test(`${SOURCES} synthetic cameras run at once, every frame numbered, each starting with a key frame`, async (t) => {
  const rssBefore = process.memoryUsage().rss;
  const sources = Array.from({ length: SOURCES }, () => new SyntheticCameraSource({ fps: 30 }));
  try {
    const problems = await runAll(sources, readSyntheticFrameNumber);
    assert.deepEqual(problems.slice(0, 5), []);
  } finally {
    for (const source of sources) source.close();
  }
  t.diagnostic(
    `${SOURCES} cameras: RSS ${megabytes(rssBefore)} MB before, ${megabytes(process.memoryUsage().rss)} MB after`,
  );
});
