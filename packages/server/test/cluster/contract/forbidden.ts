/** Contract: forbidden streamIDs (server API ForbidRTCStream), seen alike by every node and kept past reaps. */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { APP, type MakeCluster } from './support.js';

export function forbiddenTests(open: MakeCluster): void {
  it('a streamID forbidden on one node is forbidden on every node until it is resumed', async () => {
    const [a, b, c] = (await open({ nodes: 3 })).nodes;
    const odd = 'cam:1 *?\u00e9';
    assert.equal(await b.isStreamForbidden(APP, 'cam'), false);
    await a.forbidStream(APP, 'cam');
    await a.forbidStream(APP, odd);
    assert.equal(await b.isStreamForbidden(APP, 'cam'), true);
    assert.equal(await c.isStreamForbidden(APP, odd), true);
    // The mark is per AppID and per exact streamID.
    assert.equal(await c.isStreamForbidden(APP + 1, 'cam'), false);
    assert.equal(await c.isStreamForbidden(APP, 'cam:1'), false);
    // Forbidding twice is one mark.
    await b.forbidStream(APP, 'cam');
    assert.equal(await c.resumeStream(APP, 'cam'), true);
    assert.equal(await a.isStreamForbidden(APP, 'cam'), false);
    assert.equal(await a.resumeStream(APP, 'cam'), false);
    assert.equal(await b.isStreamForbidden(APP, odd), true);
  });

  it('the node that forbade a streamID may die: the mark stays', async () => {
    const cluster = await open();
    const [a, b] = cluster.nodes;
    await a.forbidStream(APP, 'cam');
    await cluster.crash(a);
    await cluster.expire(a);
    assert.deepEqual(await b.reapDeadNodes(), [a.nodeID]);
    assert.equal(await b.isStreamForbidden(APP, 'cam'), true);
  });
}
