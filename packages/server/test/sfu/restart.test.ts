import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { SfuRouter } from '../../src/sfu/index.js';
import { closeAll, TestPlayer, TestPublisher } from './support/clients.js';
import { type LoopbackStun, startLoopbackStun } from './support/loopbackStun.js';
import { waitFor } from './support/waitFor.js';

let stun: LoopbackStun;
before(async () => {
  stun = await startLoopbackStun();
});
after(async () => {
  await stun.close();
});

test('a publisher restart is seamless for the player: same SSRC, continuous numbering, keyframe first', async (t) => {
  const router = new SfuRouter({ keyframeRequestIntervalMs: 100 });
  // Audio SSRCs of 2^31 and more (the consumer keeps the source's SSRC as two 16-bit halves), whatever werift
  // draws. (Video keeps werift's random SSRCs: a video sender given another SSRC this way sends nothing here.)
  const first = new TestPublisher(stun, { ssrc: { audio: 0xfedc0001 } });
  const second = new TestPublisher(stun, {
    videoSeqStart: 123,
    counterStart: 1_000_000,
    ssrc: { audio: 0xfedc0003 },
  });
  const player = new TestPlayer(stun);
  t.after(() => closeAll(router, first, second, player));

  const firstTransport = await first.publish(router, 's');
  await player.play(router, 'p', 's');
  const stopFirst = first.pump(2);
  t.after(stopFirst);
  await waitFor(
    () => player.received.video.length >= 100 && player.received.audio.length >= 100,
    'the first source',
  );

  // The same stream key, published again (a reconnecting publisher): the router swaps the tracks.
  await second.publish(router, 's');
  stopFirst();
  assert.equal(firstTransport.closedBecause, 'replaced');
  assert.equal(router.transportCount, 2);
  const stopSecond = second.pump(2);
  t.after(stopSecond);
  const fromSecond = (kind: 'audio' | 'video') => player.received[kind].filter((p) => p.counter > 1_000_000);
  await waitFor(
    () => fromSecond('video').length >= 100 && fromSecond('audio').length >= 100,
    'the second source',
  );
  stopSecond();

  for (const kind of ['audio', 'video'] as const) {
    const list = player.received[kind];
    const ssrc = player.ssrcOf(kind);
    const switchAt = list.findIndex((p) => p.counter > 1_000_000);
    for (let i = 1; i < list.length; i++) {
      const [prev, cur] = [list[i - 1]!, list[i]!];
      assert.equal(cur.ssrc, ssrc, `${kind} ${i}: SSRC`);
      assert.equal(cur.seq, (prev.seq + 1) & 0xffff, `${kind} ${i}: sequence ${prev.seq} → ${cur.seq}`);
      const tsStep = (cur.ts - prev.ts) >>> 0;
      assert.ok(tsStep > 0 && tsStep < 0x80000000, `${kind} ${i}: timestamp moves forward (${tsStep})`);
      if (i !== switchAt) assert.equal(cur.counter, prev.counter + 1, `${kind} ${i}: counter`);
    }
    if (kind === 'video') assert.ok(list[switchAt]!.keyframe, 'the new source starts on a keyframe');
    console.log(
      `${kind}: ${switchAt} packets from the first publisher, ${list.length - switchAt} from the second, ` +
        `timestamp step at the switch ${(list[switchAt]!.ts - list[switchAt - 1]!.ts) >>> 0}`,
    );
  }
});
