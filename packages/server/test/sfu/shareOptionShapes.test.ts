/**
 * shareOptionShapes.ts replaces werift's per-connection option objects with copies holding the same fields in
 * the same order, whose hidden class every transport shares (asked of V8 itself through its natives syntax),
 * and the connection works as before.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import v8 from 'node:v8';
import { RTCPeerConnection } from 'werift';
import { LOOPBACK_ICE, SfuRouter, type SubscriberTransport, sfuPeerConfig } from '../../src/sfu/index.js';
import { optionHoldersOf } from '../../src/sfu/werift/shapes.js';
import { shareOptionShapes } from '../../src/sfu/werift/shareOptionShapes.js';
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

v8.setFlagsFromString('--allow-natives-syntax');
/** Whether V8 gives `a` and `b` one hidden class (compiled after the flag is set). */
const haveSameMap = new Function('a', 'b', 'return %HaveSameMap(a, b)') as (a: object, b: object) => boolean;

function sfuPeer(): RTCPeerConnection {
  const pc = new RTCPeerConnection(sfuPeerConfig(LOOPBACK_ICE, null));
  pc.addTransceiver('audio', { direction: 'sendonly' });
  return pc;
}

test('the copies hold the same fields, in the same order, as the objects they replace', async () => {
  const pc = sfuPeer();
  const holders = optionHoldersOf(pc);
  assert.equal(holders.length, 3, 'the transceiver, the ICE gatherer and the ICE connection');
  const before = holders.map((h) => h.options);
  shareOptionShapes(pc);
  for (const [i, holder] of holders.entries()) {
    assert.notEqual(holder.options, before[i], 'replaced');
    assert.deepEqual(Object.entries(holder.options), Object.entries(before[i]!));
  }
  await pc.close();
});

test('the copies of every transport share their hidden classes, and the transports carry media', async (t) => {
  const router = new SfuRouter();
  const pub = new TestPublisher(stun, { kinds: ['audio'] });
  const players = Array.from({ length: 8 }, () => new TestPlayer(stun));
  t.after(() => closeAll(router, pub, ...players));
  await pub.publish(router, 's');
  const stop = pub.pump(5);
  t.after(stop);
  const transports: SubscriberTransport[] = [];
  for (const [i, player] of players.entries()) transports.push(await player.play(router, `p${i}`, 's'));
  await waitFor(() => transports.every((tr) => tr.connectionState === 'connected'), 'connected');
  const holders = transports.map((tr) => optionHoldersOf((tr as unknown as { pc: RTCPeerConnection }).pc));
  const [first, ...rest] = holders;
  for (const other of rest) {
    for (const [i, holder] of other.entries()) {
      assert.ok(
        haveSameMap(holder.options, first![i]!.options),
        `option object ${i} shares its hidden class`,
      );
    }
  }
  await waitFor(() => players.every((p) => p.received.audio.length >= 10), 'media to every player');
});
