/**
 * flatUuids.ts gives werift's UUID ids flat copies: the values stay the same strings, only own writable data
 * properties of UUID shape are replaced, and a connection's werift objects keep their ids through the swap.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import fc from 'fast-check';
import { RTCPeerConnection } from 'werift';
import { LOOPBACK_ICE, sfuPeerConfig } from '../../src/sfu/index.js';
import { flattenUuids } from '../../src/sfu/werift/flatUuids.js';
import { leanEventsUnder } from '../../src/sfu/werift/leanEvents.js';

test('UUID-shaped own data properties are replaced by equal strings; others are left alone', () => {
  fc.assert(
    fc.property(fc.uuid(), fc.string(), (uuid, other) => {
      const holder: Record<string, unknown> = { id: uuid, name: other, n: 1 };
      const replaced = flattenUuids(holder);
      assert.equal(replaced, 1);
      assert.deepEqual(holder, { id: uuid, name: other, n: 1 });
    }),
  );
});

test('accessors and read-only properties are not written', () => {
  const id = randomUUID();
  let setterRuns = 0;
  const holder = {
    get viaGetter() {
      return id;
    },
    set viaGetter(_value: string) {
      setterRuns += 1;
    },
  };
  Object.defineProperty(holder, 'frozen', { value: id, writable: false, enumerable: true });
  assert.equal(flattenUuids(holder), 0);
  assert.equal(setterRuns, 0);
  assert.equal((holder as unknown as { frozen: string }).frozen, id);
});

test("a peer connection's werift ids are the same after the walk", async () => {
  // The SFU's own explicit config: a bare werift peer would fall back to a public STUN server if it gathered.
  const pc = new RTCPeerConnection(sfuPeerConfig(LOOPBACK_ICE, null));
  pc.addTransceiver('audio', { direction: 'sendonly' });
  const transceiver = pc.getTransceivers()[0];
  assert.ok(transceiver);
  const before = [transceiver.id, transceiver.sender.trackId, transceiver.receiver.uuid];
  leanEventsUnder(pc);
  assert.deepEqual([transceiver.id, transceiver.sender.trackId, transceiver.receiver.uuid], before);
  await pc.close();
});
