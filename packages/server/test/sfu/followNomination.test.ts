/**
 * The SFU's ICE-lite agent follows the controlling agent's newest nomination (werift/followNomination.ts). The
 * end-to-end case (a browser that moves from a relay pair to the host pair) is networks.test.ts in the web
 * package; this pins the werift shapes the rule relies on and the rule itself, on werift's own ICE connection.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CandidatePairState } from 'werift';
import { followLatestNomination } from '../../src/sfu/werift/followNomination.js';
import { liteIceConnection } from './support/liteIce.js';

/** A candidate pair as werift's checks hand it to `checkComplete` once they succeeded. */
function succeededPair(name: string, remoteNominated: boolean) {
  return {
    name,
    nominated: true,
    remoteNominated,
    state: CandidatePairState.SUCCEEDED,
    component: 1,
    remoteCandidate: { generation: undefined },
    localCandidate: {},
    toJSON: () => ({ name }),
    updateState() {},
  };
}

test('werift 0.25.2 still has the ICE-lite connection shape the rule wraps', async (t) => {
  const { pc, ice } = await liteIceConnection();
  t.after(() => pc.close());
  assert.equal(ice['iceLite'], true);
  assert.equal(typeof ice['checkComplete'], 'function');
  assert.ok('nominated' in ice || ice['nominated'] === undefined);
});

test('the SFU follows a USE-CANDIDATE on another succeeded pair; werift alone keeps the first', async (t) => {
  const plain = await liteIceConnection();
  const following = await liteIceConnection();
  t.after(() => Promise.all([plain.pc.close(), following.pc.close()]));
  followLatestNomination(following.ice as any);
  followLatestNomination(following.ice as any); // idempotent: wrapping twice changes nothing
  for (const { ice } of [plain, following]) {
    const complete = ice['checkComplete'] as (pair: unknown) => void;
    complete.call(ice, succeededPair('relay', true));
    assert.equal((ice['nominated'] as { name: string }).name, 'relay', 'the first nomination is taken');
  }
  const renominate = (ice: Record<string, unknown>, pair: unknown) =>
    (ice['checkComplete'] as (pair: unknown) => void).call(ice, pair);
  renominate(plain.ice, succeededPair('host', true));
  assert.equal((plain.ice['nominated'] as { name: string }).name, 'relay', 'werift keeps the first pair');
  renominate(following.ice, succeededPair('host', true));
  assert.equal((following.ice['nominated'] as { name: string }).name, 'host', 'the SFU moves to the new one');
  // A pair this agent nominated without the peer asking (not a USE-CANDIDATE) does not move it.
  renominate(following.ice, succeededPair('other', false));
  assert.equal((following.ice['nominated'] as { name: string }).name, 'host');
});
