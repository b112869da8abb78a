/**
 * File sources in, recorded files out; and a lossy downstream that NACKs repair, against a real SfuRouter.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import {
  createNodeLocalStream,
  type EncodedFrame,
  WeriftMediaBackend,
} from '../../src/media/backend/index.js';
import { parseIvf } from '../../src/media/ivf.js';
import { readOggOpus } from '../../src/media/oggOpus.js';
import { readSyntheticFrameNumber } from '../../src/media/synth/SyntheticCamera.js';
import { type LoopbackStun, startLoopbackStun } from './support/loopbackStun.js';
import { play, publish, recordFrames, until } from './support/media.js';
import { SfuRouterClass } from './support/sfu.js';

let stun: LoopbackStun;
before(async () => {
  stun = await startLoopbackStun();
});
after(() => stun.close());

const sample = (name: string) => fileURLToPath(new URL(`../../../samples/${name}`, import.meta.url));

/** The index in `sent` from which `received` follows `sent` frame by frame, or -1. */
function alignment(sent: Buffer[], received: Buffer[]): number {
  for (let start = 0; start + received.length <= sent.length; start++) {
    if (received.every((r, i) => r.equals(sent[start + i]!))) return start;
  }
  return -1;
}

test('IVF and Ogg files published, played and recorded: the recordings hold exactly the frames received', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'parley-backend-'));
  const router = new SfuRouterClass();
  const backend = new WeriftMediaBackend();
  const stream = createNodeLocalStream({ videoFile: sample('testsrc.ivf'), audioFile: sample('tone.ogg') });
  t.after(async () => {
    backend.close();
    stream.close();
    await router.close();
    await rm(dir, { recursive: true, force: true });
  });
  const sent: Record<'audio' | 'video', EncodedFrame[]> = { audio: [], video: [] };
  for (const track of stream.tracks) track.on('frame', (f) => sent[f.kind].push(f));
  await publish(backend, router, stun, 'file', stream);
  const sink = backend.createOutput('file');
  const paths = { ivf: join(dir, 'out.ivf'), ogg: join(dir, 'out.ogg') };
  await sink.writeTo(paths);
  const received = recordFrames(sink);
  const { conn } = await play(backend, router, stun, 'rec', 'file', sink);
  // More than one loop of each file (30 frames at 15 fps, 101 packets of 20 ms).
  await until(
    () => received.video.length >= 40 && received.audio.length >= 120,
    () => `a loop and a half, got ${received.video.length} video / ${received.audio.length} audio frames`,
  );
  conn.close();
  await sink.close();

  const offset = { audio: -1, video: -1 };
  for (const kind of ['audio', 'video'] as const) {
    offset[kind] = alignment(
      sent[kind].map((f) => f.data),
      received[kind].map((f) => f.data),
    );
    assert.ok(offset[kind] >= 0, `received ${kind} frames are not the sent ones in order`);
  }
  const ivf = parseIvf(await readFile(paths.ivf));
  assert.deepEqual(
    {
      fourcc: ivf.header.fourcc,
      width: ivf.header.width,
      height: ivf.header.height,
      n: ivf.header.frameCount,
    },
    { fourcc: 'VP80', width: 320, height: 240, n: received.video.length },
  );
  assert.ok(ivf.frames.every((f, i) => Buffer.from(f.data).equals(received.video[i]!.data)));
  // The recording keeps the sender's timing: 15 fps is 6000 ticks of 1/90000 s, unless the paced source skipped
  // ahead after a stall of the event loop (a loaded machine) — then the pts skip exactly as the source did.
  const sentVideo = sent.video.slice(offset.video);
  assert.ok(
    ivf.frames.every(
      (f, i) =>
        i === 0 || f.pts - ivf.frames[i - 1]!.pts === sentVideo[i]!.timestamp - sentVideo[i - 1]!.timestamp,
    ),
  );
  const steps = ivf.frames.slice(1).map((f, i) => f.pts - ivf.frames[i]!.pts);
  assert.ok(steps.filter((d) => d === 6000).length >= steps.length * 0.8, `pts steps ${steps.join(',')}`);
  const ogg = readOggOpus(await readFile(paths.ogg));
  assert.equal(ogg.packets.length, received.audio.length);
  assert.ok(ogg.packets.every((p, i) => Buffer.from(p).equals(received.audio[i]!.data)));
  t.diagnostic(`recorded ${ivf.frames.length} VP8 frames and ${ogg.packets.length} Opus packets`);
});

test('downstream loss is repaired by NACK: every frame still arrives, none dropped', async (t) => {
  let dropped = 0;
  // Off until the player has its first frame: a first packet lost is never NACKed (the receiver cannot know it
  // existed), and the player would rightly wait for the next key frame.
  let dropping = false;
  const router = new SfuRouterClass({
    // The SFU "loses" every 4th video packet towards this player; its retransmissions get through.
    consumerOptions: (_player, kind) =>
      kind === 'video'
        ? {
            dropFilter: (packet) => {
              if (!dropping || packet.header.sequenceNumber % 4 !== 0) return false;
              dropped += 1;
              return true;
            },
          }
        : {},
  });
  const backend = new WeriftMediaBackend();
  const stream = createNodeLocalStream({ camera: { audio: false } });
  t.after(async () => {
    backend.close();
    stream.close();
    await router.close();
  });
  const sent = new Map<number, Buffer>();
  stream.video!.on('frame', (f) => sent.set(readSyntheticFrameNumber(f.data)!, f.data));
  await publish(backend, router, stun, 'cam', stream);
  const sink = backend.createOutput('cam');
  const received = recordFrames(sink);
  const { conn } = await play(backend, router, stun, 'lossy', 'cam', sink);
  await until(
    () => received.video.length > 0,
    () => 'a first frame',
  );
  dropping = true;
  await until(
    () => received.video.length >= 30,
    () => `30 frames, got ${received.video.length}`,
  );
  const numbers = received.video.map((f) => readSyntheticFrameNumber(f.data)!);
  assert.deepEqual(
    numbers,
    numbers.map((_, i) => numbers[0]! + i),
    'a frame is missing',
  );
  assert.ok(received.video.every((f) => f.data.equals(sent.get(readSyntheticFrameNumber(f.data)!)!)));
  const stats = await conn.stats();
  assert.ok(dropped > 0);
  assert.ok((stats.video!.nackCount ?? 0) > 0, 'werift NACKed');
  assert.equal(stats.video!.framesDropped, 0);
  assert.equal(stats.video!.packetsLost, 0, 'every packet arrived in the end');
  assert.deepEqual(
    { incomplete: sink.counts.incompleteFrames, dropped: sink.counts.droppedFrames },
    { incomplete: 0, dropped: 0 },
  );
  t.diagnostic(`${dropped} packets dropped by the SFU, ${stats.video!.nackCount} NACKs, 0 frames lost`);
});
