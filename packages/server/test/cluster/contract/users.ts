/** Contract: which session holds each userID. */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { APP, type MakeCluster } from './support.js';

export function userTests(open: MakeCluster): void {
  it('claimUser returns the holder it replaced, from any node; a re-claim by the same session replaces nobody', async () => {
    const [a, b] = (await open()).nodes;
    const first = { nodeID: a.nodeID, sessionID: 's1' };
    const second = { nodeID: b.nodeID, sessionID: 's2' };
    assert.equal(await a.claimUser(APP, 'u:1', first), null);
    assert.equal(await a.claimUser(APP, 'u:1', first), null);
    assert.deepEqual(await b.claimUser(APP, 'u:1', second), first);
    // The same userID in another AppID is another user.
    assert.equal(await a.claimUser(APP + 1, 'u:1', first), null);
    assert.deepEqual(await a.claimUser(APP, 'u:1', first), second);
  });

  it('releaseUser frees the userID only for the session that holds it', async () => {
    const [a, b] = (await open()).nodes;
    const old = { nodeID: a.nodeID, sessionID: 'old' };
    const current = { nodeID: b.nodeID, sessionID: 'current' };
    await a.claimUser(APP, 'u', old);
    await b.claimUser(APP, 'u', current);
    // The replaced session's late release leaves its successor in place.
    await a.releaseUser(APP, 'u', 'old');
    assert.deepEqual(await a.claimUser(APP, 'u', { nodeID: a.nodeID, sessionID: 'probe' }), current);
    await a.releaseUser(APP, 'u', 'probe');
    assert.equal(await b.claimUser(APP, 'u', current), null);
    await b.releaseUser(APP, 'u', 'current');
    assert.equal(await a.claimUser(APP, 'u', old), null);
  });
}
