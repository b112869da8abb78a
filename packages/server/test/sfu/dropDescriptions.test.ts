/**
 * A connected transport whose negotiation is settled no longer keeps werift's parsed descriptions
 * (dropDescriptions.ts): a player's and a publisher's alike, with the signaling state stable, and media,
 * feedback and statistics working as before. A negotiation under way keeps them.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { RTCPeerConnection } from 'werift';
import { LOOPBACK_ICE, sfuPeerConfig } from '../../src/sfu/index.js';
import { weriftShapeProblems, weriftShapeSubjects } from '../../src/sfu/werift/checkWeriftShapes.js';
import { dropNegotiatedDescriptions } from '../../src/sfu/werift/dropDescriptions.js';
import { sdpManagerOf } from '../../src/sfu/werift/shapes.js';
import { connectedPlayer } from './support/clients.js';
import { type LoopbackStun, startLoopbackStun } from './support/loopbackStun.js';
import { waitFor } from './support/waitFor.js';

let stun: LoopbackStun;
before(async () => {
  stun = await startLoopbackStun();
});
after(async () => {
  await stun.close();
});

/** The werift peer connection under a Parley transport. */
function pcOf(transport: unknown): RTCPeerConnection {
  return (transport as { pc: RTCPeerConnection }).pc;
}

test("a connected player's and publisher's transports drop the descriptions; media and stats go on", async (t) => {
  const { pub, player, transport } = await connectedPlayer(t, stun);
  const publisher = pub.transport!;
  await waitFor(() => publisher.connectionState === 'connected', 'the publisher connected');
  for (const [name, tr] of [
    ['player', transport],
    ['publisher', publisher],
  ] as const) {
    const pc = pcOf(tr);
    const sdp = sdpManagerOf(pc);
    assert.equal(sdp.currentLocalDescription, undefined, `${name}: local description dropped`);
    assert.equal(sdp.currentRemoteDescription, undefined, `${name}: remote description dropped`);
    assert.equal(pc.signalingState, 'stable', `${name}: still stable`);
    assert.equal(pc.localDescription, null);
    assert.equal(dropNegotiatedDescriptions(pc), false, `${name}: nothing left to drop`);
  }
  const count = player.received.audio.length;
  await waitFor(() => player.received.audio.length >= count + 20, 'media after the drop');
  const stats = await transport.getStats();
  assert.equal(stats.connectionState, 'connected');
  assert.ok(stats.streams[0]!.packets > 0, 'the consumer counts what it sent');
  const pubStats = await publisher.getStats();
  assert.ok(pubStats.streams[0]!.packets > 0, 'the producer counts what it received');
});

test('a connection with an offer pending keeps its descriptions', async () => {
  // The SFU's own explicit config: a bare werift peer would fall back to a public STUN server if it gathered.
  const pc = new RTCPeerConnection(sfuPeerConfig(LOOPBACK_ICE, null));
  pc.addTransceiver('audio', { direction: 'sendonly' });
  try {
    assert.equal(dropNegotiatedDescriptions(pc), false, 'nothing negotiated yet');
    await pc.setLocalDescription(await pc.createOffer());
    assert.equal(pc.signalingState, 'have-local-offer');
    assert.equal(dropNegotiatedDescriptions(pc), false);
    assert.ok(sdpManagerOf(pc).pendingLocalDescription, 'the offer is kept');
    assert.ok(pc.localDescription?.sdp.startsWith('v=0'));
  } finally {
    await pc.close();
  }
});

test("the start-up check names an SDP manager field the drop relies on when werift's lacks it", async (t) => {
  const built = weriftShapeSubjects();
  t.after(() => built.dispose());
  const peer = built.subjects.peer as { sdpManager: Record<string, unknown> };
  assert.deepEqual(weriftShapeProblems(built.subjects), []);
  delete peer.sdpManager['currentRemoteDescription'];
  assert.deepEqual(weriftShapeProblems(built.subjects), [
    'RTCPeerConnection.sdpManager.currentRemoteDescription: present',
  ]);
});
