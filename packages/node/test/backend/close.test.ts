/**
 * Closing the backend releases everything: its own file, so that the handle count before it is this test's only.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { handleSnapshot, untilHandlesSettle } from '@parley/server/test/handles';
import { createNodeLocalStream, WeriftMediaBackend } from '../../src/media/backend/index.js';
import { type LoopbackStun, startLoopbackStun } from './support/loopbackStun.js';
import { once, play, publish, until } from './support/media.js';
import { SfuRouterClass } from './support/sfu.js';

let stun: LoopbackStun;
before(async () => {
  stun = await startLoopbackStun();
});
after(() => stun.close());

test('close() frees everything: the SFU sees every transport go, no socket or timer is left', async (t) => {
  const baseline = handleSnapshot(['UDPWrap', 'Timeout']);
  // werift sends no DTLS close alert: the SFU learns of a closed client from its silence (no STUN, RTP, RTCP).
  // A client that kept anything running would keep its transport alive.
  const router = new SfuRouterClass({ inactivityTimeoutMs: 1500 });
  const backend = new WeriftMediaBackend();
  const stream = createNodeLocalStream();
  t.after(() => router.close());
  const { conn: pub } = await publish(backend, router, stun, 'cam', stream);
  const sinks = [backend.createOutput('cam'), backend.createOutput('cam')];
  const players = [];
  for (const [i, sink] of sinks.entries())
    players.push((await play(backend, router, stun, `p${i}`, 'cam', sink)).conn);
  await until(
    () => sinks.every((s) => s.counts.videoFrames > 3),
    () => 'media at both players',
  );
  assert.equal(router.transportCount, 3);
  assert.equal(backend.connectionCount, 3);
  const ended = sinks.map((s) => once(s, 'end'));
  backend.close();
  await Promise.all(ended);
  assert.equal(backend.connectionCount, 0);
  assert.ok(pub.closed && players.every((p) => p.closed));
  pub.close(); // idempotent
  assert.equal(stream.video!.running, false, 'the source stopped with its last user');
  stream.close();
  await Promise.all([pub.released, ...players.map((p) => p.released)]);
  const closedAt = performance.now();
  await until(
    () => router.transportCount === 0,
    () => `the SFU to drop its transports (${router.transportCount} left)`,
  );
  t.diagnostic(
    `the SFU dropped the silent transports ${(performance.now() - closedAt).toFixed(0)} ms after close`,
  );
  await router.close();
  // What werift left behind would show here (unref'd timers do not: they cannot keep the process alive). The
  // connections' `released` and the router's close() resolve once the handles are gone; the wait covers what
  // nobody awaits, and fails with what is left over.
  await untilHandlesSettle(baseline);
});
