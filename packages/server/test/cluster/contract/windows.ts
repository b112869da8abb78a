/** Contract: fixed-window counters shared by the nodes (what the server API's rate limits count). */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { EVENT_TIMEOUT_MS, type MakeCluster } from './support.js';

export function windowTests(open: MakeCluster): void {
  it('takeFromWindow grants exactly `limit` calls of a window across nodes calling at the same time', async () => {
    const [a, b, c] = (await open({ nodes: 3 })).nodes;
    const results = await Promise.all(
      Array.from({ length: 14 }, (_, i) => [a, b, c][i % 3]!.takeFromWindow('rate:1', 5, 60_000)),
    );
    assert.equal(results.filter((r) => r).length, 5);
    // Refused calls count too: the window stays closed to every node.
    assert.equal(await b.takeFromWindow('rate:1', 5, 60_000), false);
    // Another key (also one with the characters of key names) has a window of its own.
    assert.equal(await c.takeFromWindow('rate:2', 1, 60_000), true);
    assert.equal(await a.takeFromWindow('rate:2', 1, 60_000), false);
    assert.equal(await a.takeFromWindow('rate:1 :*?\u00e9', 2, 60_000), true);
    assert.equal(await b.takeFromWindow('rate:1 :*?\u00e9', 2, 60_000), true);
    assert.equal(await c.takeFromWindow('rate:1 :*?\u00e9', 2, 60_000), false);
  });

  it('takeFromWindow opens a new window once the last one has ended', async () => {
    const [a, b] = (await open()).nodes;
    assert.equal(await a.takeFromWindow('short', 1, 30), true);
    assert.equal(await b.takeFromWindow('long', 1, 60_000), true);
    // The short window ends on its own; the test waits for that condition, with a deadline, not for a fixed time.
    const deadline = Date.now() + EVENT_TIMEOUT_MS;
    let again = false;
    while (!again && Date.now() < deadline) {
      again = await b.takeFromWindow('short', 1, 60_000);
      if (!again) await new Promise((resolve) => setTimeout(resolve, 5));
    }
    assert.equal(again, true, 'the ended window is replaced by a new one');
    // The new window is the 60 s one of the call that opened it.
    assert.equal(await a.takeFromWindow('short', 1, 30), false);
    assert.equal(await a.takeFromWindow('long', 1, 60_000), false);
  });
}
