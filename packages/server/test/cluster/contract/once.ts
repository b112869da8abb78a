/** Contract: keys claimed once for a while (what refuses a reused API nonce on every node). */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { EVENT_TIMEOUT_MS, type MakeCluster } from './support.js';

export function onceTests(open: MakeCluster): void {
  it('claimOnce grants a key once across nodes, also to nodes claiming at the same time', async () => {
    const [a, b, c] = (await open({ nodes: 3 })).nodes;
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, i) => [a, b, c][i % 3]!.claimOnce('nonce:1', 60_000)),
    );
    assert.equal(results.filter((r) => r).length, 1);
    assert.equal(await b.claimOnce('nonce:1', 60_000), false);
    // Another key (also one with the characters of key names) is another claim.
    assert.equal(await b.claimOnce('nonce:2', 60_000), true);
    assert.equal(await c.claimOnce('nonce:1 :*?\u00e9', 60_000), true);
    assert.equal(await a.claimOnce('nonce:1 :*?\u00e9', 60_000), false);
  });

  it('claimOnce grants a key again once its claim has expired', async () => {
    const [a, b] = (await open()).nodes;
    assert.equal(await a.claimOnce('short', 30), true);
    assert.equal(await b.claimOnce('long', 60_000), true);
    // The short claim ends on its own; the test waits for that condition, with a deadline, not for a fixed time.
    const deadline = Date.now() + EVENT_TIMEOUT_MS;
    let again = false;
    while (!again && Date.now() < deadline) {
      again = await b.claimOnce('short', 60_000);
      if (!again) await new Promise((resolve) => setTimeout(resolve, 5));
    }
    assert.equal(again, true, 'the expired key is granted again');
    assert.equal(await a.claimOnce('short', 60_000), false);
    assert.equal(await a.claimOnce('long', 60_000), false);
  });
}
