/**
 * The web SDK's preview methods on a Node local stream: `playVideo`/`playAudio` into a frame sink (or nowhere:
 * Node has no screen or speaker), `stopVideo`/`stopAudio`, `setVolume`, with their argument checks.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  createNodeLocalStream,
  FrameSink,
  type NodeLocalStream,
  OPUS_SILENCE,
  silentLogger,
} from '../src/index.js';
import { waitFor } from './support/waitFor.js';

function stream(t: { after(fn: () => void): void }): NodeLocalStream {
  const s = createNodeLocalStream({
    camera: { video: { width: 64, height: 48, fps: 30 } },
    logger: silentLogger,
  });
  t.after(() => s.close());
  return s;
}

function sink(t: { after(fn: () => unknown): void }, name: string): FrameSink {
  const k = new FrameSink(name, silentLogger);
  t.after(() => k.close());
  return k;
}

test('playAudio() without a sink records the playback and runs nothing: Node has no speaker', (t) => {
  const s = stream(t);
  s.playAudio();
  assert.equal(s.isPlaying('audio'), true);
  assert.equal(s.isPlaying('video'), false);
  assert.equal(s.audio?.running, false, 'no frames are made for nobody');
  s.stopAudio();
  assert.equal(s.isPlaying('audio'), false);
  s.stopAudio(); // a second stop is a no-op, as in the web SDK
  s.playVideo();
  assert.equal(s.isPlaying('video'), true);
  assert.equal(s.video?.running, false);
});

test('playVideo(sink) delivers the camera from a key frame as it is made; stopVideo releases the source', async (t) => {
  const s = stream(t);
  const preview = sink(t, 'preview');
  const first = waitFor(preview, 'frame');
  s.playVideo(preview, { mirror: true, objectFit: 'contain' });
  assert.equal(s.video?.running, true);
  const [frame] = await first;
  assert.equal(frame.kind, 'video');
  assert.equal(frame.keyframe, true);
  await waitFor(preview, 'frame', () => preview.counts.videoFrames >= 3);
  assert.equal(preview.counts.audioFrames, 0, 'the video preview carries no audio');
  s.stopVideo();
  assert.equal(s.isPlaying('video'), false);
  assert.equal(s.video?.running, false);
});

test('a preview shares its source with a publish: stopping the preview leaves the source running', async (t) => {
  const s = stream(t);
  const video = s.video!;
  video.start(); // what a publish connection does with the source
  t.after(() => video.stop());
  // The synthetic camera makes a key frame first and then only when asked: the third frame is a delta frame.
  const [third] = await waitFor(video, 'frame', (f) => f.sequence === 3);
  assert.equal(third.keyframe, false);
  const preview = sink(t, 'shared');
  const first = waitFor(preview, 'frame');
  s.playVideo(preview);
  // Mid-way between key frames, the preview asked for one: its first frame is decodable.
  assert.equal((await first)[0].keyframe, true);
  s.stopVideo();
  assert.equal(video.running, true);
});

test('playAudio(sink) receives the microphone, silence packets while muted', async (t) => {
  const s = stream(t);
  const mic = sink(t, 'mic');
  s.playAudio(mic);
  const [frame] = await waitFor(mic, 'frame');
  assert.equal(frame.kind, 'audio');
  assert.notDeepEqual(frame.data, OPUS_SILENCE);
  s.setMuted('audio', true);
  await waitFor(mic, 'frame', (f) => Buffer.compare(f.data, OPUS_SILENCE) === 0);
  assert.equal(mic.counts.videoFrames, 0);
});

test('a second play replaces the first; closing the sink or the stream ends the preview', async (t) => {
  const s = stream(t);
  const a = sink(t, 'a');
  const b = sink(t, 'b');
  s.playVideo(a);
  s.playVideo(b);
  await waitFor(b, 'frame');
  const before = a.counts.videoFrames;
  await waitFor(b, 'frame', () => b.counts.videoFrames >= 3);
  assert.equal(a.counts.videoFrames, before, 'the replaced sink gets nothing more');
  // The app closes the sink: the preview has nowhere to go and stops.
  await b.close();
  assert.equal(s.isPlaying('video'), false);
  assert.equal(s.video?.running, false);
  // Closing the stream (destroyStream) stops what is still playing.
  const c = sink(t, 'c');
  s.playAudio(c);
  assert.equal(s.audio?.running, true);
  s.close();
  assert.equal(s.isPlaying('audio'), false);
  assert.throws(() => s.playAudio(), /the local stream is closed/);
  assert.throws(() => s.playVideo(), /the local stream is closed/);
});

test('setVolume takes 0..100 and keeps it; bad preview arguments are TypeErrors', (t) => {
  const s = stream(t);
  assert.equal(s.volume, 100);
  assert.equal(s.setVolume(40), true);
  assert.equal(s.setVolume(0), true);
  assert.equal(s.setVolume(100), true);
  for (const bad of [101, -1, Number.NaN, Number.POSITIVE_INFINITY, '50', null]) {
    assert.equal(s.setVolume(bad as number), false, String(bad));
  }
  assert.equal(s.volume, 100);

  const element = { srcObject: null }; // what a browser app would pass
  assert.throws(() => s.playVideo(element as unknown as FrameSink), {
    name: 'TypeError',
    message: /takes a FrameSink in Node/,
  });
  assert.throws(() => s.playAudio(element as unknown as FrameSink), TypeError);
  const ok = sink(t, 'ok');
  assert.throws(() => s.playVideo(ok, { mirror: 'yes' as unknown as boolean }), /mirror must be a boolean/);
  assert.throws(
    () => s.playVideo(ok, { objectFit: 'stretch' as unknown as 'fill' }),
    /objectFit must be 'cover', 'contain' or 'fill'/,
  );
  assert.throws(() => s.playVideo(ok, null as unknown as object), /options must be an object/);
  assert.equal(s.isPlaying('video'), false, 'a refused call starts nothing');
  const closed = new FrameSink('closed', silentLogger);
  void closed.close();
  assert.throws(() => s.playAudio(closed), /the frame sink is closed/);
});
