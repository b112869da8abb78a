/**
 * End to end through the Node engines and a real server's SFU: one publisher (web face, synthetic camera and
 * microphone) fanned out to three players, with the content of every frame checked against what was sent.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { uniqueRoom } from '../support/fixtures.js';
import { EventLog } from '../support/waitFor.js';
import { assertConsecutive, FrameLog, login, publish, recordSent, startHarness } from './support/media.js';

const PLAYER_EVENTS = [
  'playerStateUpdate',
  'remoteCameraStatusUpdate',
  'remoteMicStatusUpdate',
  'playerRecvVideoFirstFrame',
  'playerMediaEvent',
];

test('fan-out: every player receives every frame and packet the publisher sent, in order, from a key frame', async (t) => {
  const h = await startHarness();
  t.after(() => h.close());
  const room = uniqueRoom('fanout');
  const publisher = h.engine();
  await login(publisher, room, 'fan-pub');
  const stream = await publisher.createZegoStream({ camera: { audio: true, video: true } });
  const sent = recordSent(stream);
  await publish(publisher, 'fan-cam', stream);

  const players = [h.engine(), h.engine(), h.engine()];
  await Promise.all(players.map((p, i) => login(p, room, `fan-viewer-${i}`)));
  const events = players.map((p) => new EventLog(p, PLAYER_EVENTS));
  const logs = await Promise.all(
    players.map(async (p) => new FrameLog(await p.startPlayingStream('fan-cam'))),
  );
  await Promise.all(
    logs.map((log) =>
      log.until((l) => l.seconds('video') >= 2 && l.seconds('audio') >= 2, 'two seconds of audio and video'),
    ),
  );

  for (const [i, log] of logs.entries()) {
    const who = `player ${i}`;
    // Nothing was delivered before the app had the sink: the log holds all the sink delivered.
    const counts = log.sink.counts;
    assert.equal(counts.videoFrames, log.video.length, `${who}: frames before the sink was returned`);
    assert.equal(counts.audioFrames, log.audio.length, `${who}: packets before the sink was returned`);
    assert.deepEqual(
      { incomplete: counts.incompleteFrames, dropped: counts.droppedFrames },
      { incomplete: 0, dropped: 0 },
    );

    assert.equal(log.video[0]!.keyframe, true, `${who}: the first video frame is a key frame`);
    assertConsecutive(
      log.video.map((f) => f.number),
      `${who} video`,
    );
    assertConsecutive(
      log.audio.map((f) => f.number),
      `${who} audio`,
    );
    // The content is the sender's, byte for byte.
    for (const f of log.video)
      assert.ok(f.data.equals(sent.video.get(f.number!)!), `${who}: video ${f.number}`);
    for (const f of log.audio)
      assert.ok(f.data.equals(sent.audio.get(f.number!)!), `${who}: audio ${f.number}`);
    assert.ok(log.seconds('video') >= 2 && log.seconds('audio') >= 2);

    assert.deepEqual(events[i]!.of('playerStateUpdate'), [
      [{ streamID: 'fan-cam', state: 'PLAY_REQUESTING', errorCode: 0, extendedData: '' }],
      [{ streamID: 'fan-cam', state: 'PLAYING', errorCode: 0, extendedData: '' }],
    ]);
    assert.deepEqual(events[i]!.of('remoteCameraStatusUpdate'), [['fan-cam', 'OPEN']]);
    assert.deepEqual(events[i]!.of('remoteMicStatusUpdate'), [['fan-cam', 'OPEN']]);
    assert.deepEqual(events[i]!.of('playerRecvVideoFirstFrame'), [['fan-cam']]);
    assert.deepEqual(events[i]!.of('playerMediaEvent'), [], `${who}: no break`);
    t.diagnostic(
      `${who}: video frames ${log.video[0]!.number}..${log.video.at(-1)!.number} (${log.video.length}), ` +
        `audio packets ${log.audio[0]!.number}..${log.audio.at(-1)!.number} (${log.audio.length}), ` +
        `${log.seconds('video').toFixed(2)} s video, ${log.seconds('audio').toFixed(2)} s audio`,
    );
  }
});

test('audio-only fan-out: players receive only audio, and are told the camera is not open', async (t) => {
  const h = await startHarness();
  t.after(() => h.close());
  const room = uniqueRoom('fanout-audio');
  const publisher = h.engine();
  await login(publisher, room, 'voice-pub');
  const stream = await publisher.createZegoStream({ camera: { video: false } });
  assert.equal(stream.video, null);
  const sent = recordSent(stream);
  await publish(publisher, 'voice', stream);

  const players = [h.engine(), h.engine(), h.engine()];
  await Promise.all(players.map((p, i) => login(p, room, `voice-viewer-${i}`)));
  const events = players.map((p) => new EventLog(p, PLAYER_EVENTS));
  const logs = await Promise.all(players.map(async (p) => new FrameLog(await p.startPlayingStream('voice'))));
  // Two seconds of audio, and more than the video break threshold (1 s) with no video at all.
  await Promise.all(logs.map((log) => log.until((l) => l.seconds('audio') >= 2, 'two seconds of audio')));

  for (const [i, log] of logs.entries()) {
    const who = `player ${i}`;
    assert.equal(log.video.length, 0, `${who}: no video frame`);
    assert.equal(log.sink.counts.videoFrames, 0);
    assertConsecutive(
      log.audio.map((f) => f.number),
      `${who} audio`,
    );
    for (const f of log.audio)
      assert.ok(f.data.equals(sent.audio.get(f.number!)!), `${who}: audio ${f.number}`);
    assert.equal(log.sink.counts.audioFrames, log.audio.length);
    // The stream has no camera: the players hear once, at the start, that it is not open (the web face's
    // status has only OPEN and MUTE); there is no first video frame, and no video break since video never flowed.
    assert.deepEqual(events[i]!.of('remoteCameraStatusUpdate'), [['voice', 'MUTE']]);
    assert.deepEqual(events[i]!.of('remoteMicStatusUpdate'), [['voice', 'OPEN']]);
    assert.deepEqual(events[i]!.of('playerRecvVideoFirstFrame'), []);
    assert.deepEqual(events[i]!.of('playerMediaEvent'), []);
    assert.deepEqual(
      events[i]!.of('playerStateUpdate').map(([r]) => r.state),
      ['PLAY_REQUESTING', 'PLAYING'],
    );
  }
  t.diagnostic(`audio packets per player: ${logs.map((l) => l.audio.length).join(', ')}`);
});
