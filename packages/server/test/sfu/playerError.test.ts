// A player whose path throws on every packet (a bug, played here by its drop filter) costs the players after it
// nothing, and the router reports it, at most once a second per track.
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

test('a player that throws on every packet: the player after it gets every packet, and the router says so', async (t) => {
  const router = new SfuRouter({
    consumerOptions: (playerKey) =>
      !playerKey.startsWith('broken')
        ? {}
        : {
            dropFilter: () => {
              throw new Error('broken player');
            },
          },
  });
  const reports: { error: unknown; count: number; producer: string; at: number }[] = [];
  router.on('playerError', (error, count, producer) =>
    reports.push({ error, count, producer, at: performance.now() }),
  );
  const pub = new TestPublisher(stun);
  const broken = new TestPlayer(stun);
  const good = new TestPlayer(stun);
  t.after(() => closeAll(router, pub, broken, good));
  await pub.publish(router, 's');
  // The broken player attaches first: before, its throw ended each packet's fan-out before the good one.
  await broken.play(router, 'broken', 's');
  await good.play(router, 'good', 's');
  const stop = pub.pump(2);
  t.after(stop);
  await waitFor(
    () => good.received.audio.length >= 200 && good.received.video.length >= 200,
    'the good player to get 200 packets of each kind',
  );
  // A broken player joining a running stream throws on the cached group of pictures it starts with.
  const late = new TestPlayer(stun);
  t.after(() => late.close());
  await late.play(router, 'broken-late', 's');
  const seen = good.received.video.length;
  await waitFor(
    () => good.received.video.length >= seen + 100,
    'the good player to get 100 more video packets',
  );
  stop();
  assert.equal(late.received.video.length, 0, 'the late broken player got nothing');
  for (const kind of ['audio', 'video'] as const) {
    const counters = good.received[kind].map((p) => p.counter);
    for (let i = 1; i < counters.length; i++)
      assert.equal(counters[i], counters[i - 1]! + 1, `${kind}: the good player's packet ${i} follows on`);
  }
  assert.equal(
    broken.received.audio.length + broken.received.video.length,
    0,
    'the broken player sent nothing',
  );
  const producers = new Set(reports.map((r) => r.producer));
  assert.equal(producers.size, 2, 'both tracks reported');
  for (const r of reports) assert.equal((r.error as Error).message, 'broken player');
  for (const id of producers) {
    const mine = reports.filter((r) => r.producer === id);
    for (let i = 1; i < mine.length; i++) {
      assert.ok(mine[i]!.at - mine[i - 1]!.at >= 999, `${id}: reports at least a second apart`);
    }
  }
  const counted = reports.reduce((sum, r) => sum + r.count, 0);
  console.log(`${reports.length} reports for ${counted} errors on ${producers.size} tracks`);
});
