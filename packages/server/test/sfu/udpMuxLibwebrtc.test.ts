/**
 * The UDP mux with libwebrtc (@roamhq/wrtc) peers: a publisher and two players of one process, all on
 * 127.0.0.1 with ports of their own, reach the SFU on its one media port, and both players decode video.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { SfuRouter } from '../../src/sfu/index.js';
import { closeAll } from './support/clients.js';
import { waitFor } from './support/waitFor.js';
import { exitBeforeWrtcTeardown, wrtcSkip as skip, WrtcPlayer, WrtcPublisher } from './support/wrtc.js';

// Skipped unless loopback is the only interface (see wrtcSkip).

after(() => exitBeforeWrtcTeardown());

test('libwebrtc publisher and two players share the SFU’s one media port', { skip }, async (t) => {
  const router = new SfuRouter();
  const pub = new WrtcPublisher();
  const players = [new WrtcPlayer(), new WrtcPlayer()];
  t.after(() => closeAll(router, pub, ...players));
  await router.listening();
  const port = router.udpPort!;
  pub.start(30);
  await pub.publish(router, 's');
  await Promise.all(players.map((p, i) => p.play(router, `p${i}`, 's')));
  await waitFor(
    () => players.every((p) => p.frames.length >= 20),
    () => `20 decoded frames each (have ${players.map((p) => p.frames.length).join(', ')})`,
    20_000,
  );
  for (const pc of [pub.pc, ...players.map((p) => p.pc)]) {
    const sdp = pc.remoteDescription!.sdp;
    const ports = [...sdp.matchAll(/^a=candidate:\S+ \d+ udp \d+ \S+ (\d+) typ host/gim)].map((m) =>
      Number(m[1]),
    );
    assert.ok(ports.length > 0 && ports.every((p) => p === port), `SFU candidates on the mux port ${port}`);
  }
  const stats = router.udpMux!.stats();
  assert.equal(stats.transports, 3);
  assert.ok(stats.tuples >= 3, `a tuple per client peer at least (have ${stats.tuples})`);
});

test('libwebrtc’s consent checks reach its transport through the mux and keep it alive', {
  skip,
}, async (t) => {
  // A connected publisher that sends no media (its sources are never fed): only its consent checks (and
  // RTCP) reach the SFU, within an inactivity timeout shorter than two consent intervals. Once connected, the
  // checks on the selected pair are answered by the mux itself (werift/answerChecks.ts).
  const router = new SfuRouter({ inactivityTimeoutMs: 3000 });
  const pub = new WrtcPublisher();
  t.after(() => closeAll(router, pub));
  await pub.publish(router, 's');
  const publisher = router.publisher('s')!;
  await waitFor(() => publisher.connectionState === 'connected', 'connected');
  const before = router.udpMux!.stats().answered;
  await waitFor(
    () => router.udpMux!.stats().answered >= before + 2,
    'two checks answered by the mux',
    20_000,
  );
  assert.equal(publisher.closed, false, 'the transport is alive');
  assert.equal(publisher.connectionState, 'connected');
});
