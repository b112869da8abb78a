/**
 * A media pipe against an independent WebRTC stack: real VP8 and Opus encoded by a libwebrtc publisher on
 * node A, piped to node B, decoded by two libwebrtc players there.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { SfuRouter } from '../../src/sfu/index.js';
import { closeAll } from './support/clients.js';
import { openPipe } from './support/pipes.js';
import { waitFor } from './support/waitFor.js';
import {
  assertDecodedMedia,
  assertLoopbackPair,
  exitBeforeWrtcTeardown,
  wrtcSkip as skip,
  WrtcPlayer,
  WrtcPublisher,
} from './support/wrtc.js';

// Skipped unless loopback is the only interface (see wrtcSkip).

after(() => {
  exitBeforeWrtcTeardown();
});

test('libwebrtc publisher on A → pipe → two libwebrtc players on B: decoded video and audio', {
  skip,
}, async (t) => {
  const a = new SfuRouter();
  const b = new SfuRouter();
  const pub = new WrtcPublisher();
  const players = [new WrtcPlayer(), new WrtcPlayer()];
  t.after(() => closeAll(a, b, pub, ...players));
  pub.start(30);
  await pub.publish(a, 's');
  const { pipeOut } = await openPipe(a, b, 's', 'b/1');
  const started = performance.now();
  await Promise.all(players.map((p, i) => p.play(b, `p${i}`, 's')));
  await waitFor(
    () => players.every((p) => p.frames.length >= 60 && p.audio.length >= 100),
    () => `60 decoded frames and 1 s of audio at each player (${players.map((p) => p.frames.length)} frames)`,
    20_000,
  );
  for (const [i, player] of players.entries()) {
    await assertLoopbackPair(player.pc, `player ${i}`);
    assertDecodedMedia(player);
  }
  const origin = a.publisher('s')!;
  for (const producer of origin.producerList) {
    assert.equal(producer.sinkCount, 1, `${producer.kind}: A forwards to the pipe only`);
  }
  const stats = pipeOut.stats();
  console.log(
    `libwebrtc → A → pipe → B → 2 libwebrtc players: first frames ${players
      .map((p) => (p.frames[0]!.at - started).toFixed(0))
      .join(', ')} ms after play; ${players.map((p) => p.frames.length).join(', ')} frames decoded; ` +
      `pipe: ${stats.packetsSent} packets, ${stats.keyframeRequests} keyframe requests, ${stats.retransmitted} resent`,
  );
});
