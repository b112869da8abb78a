/**
 * ForbidRTCStream and ResumeRTCStream, seen by RawClient users publishing and playing real media. Run on one
 * node by apiForbid.test.ts and spread over three nodes (the publisher and each player on another node, each
 * call answered by another node in turn) by apiForbidMemory.test.ts and apiForbidRedis.test.ts.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ErrorCode, StreamDeleteReason } from '@parley/protocol';
import { ApiClient, ApiCode } from '../../src/index.js';
import { APP, type Harness, startHarness } from '../support/harness.js';
import { playMedia, publishMedia } from '../support/mediaSignaling.js';
import type { RawClient } from '../support/RawClient.js';

describe('server API: ForbidRTCStream and ResumeRTCStream', () => {
  let h: Harness;
  let calls = 0;
  const peers: { close(): Promise<void> }[] = [];
  before(async () => {
    h = await startHarness({ api: { ratePerSecond: () => 100_000 } });
  });
  after(async () => {
    await Promise.all(peers.map((p) => p.close()));
    await h.close();
  });

  /** A client of the next node in turn, so that in a cluster the calls are answered by every node. */
  const api = (): ApiClient => {
    const server = h.servers[calls++ % h.servers.length]!;
    return new ApiClient({ baseUrl: server.httpUrl, appID: APP.appID, serverSecret: APP.serverSecret });
  };
  /** Logs `n` users in to `roomID` (on the nodes in turn). */
  const users = (roomID: string, n: number): Promise<RawClient[]> =>
    Promise.all(Array.from({ length: n }, (_, i) => h.login(roomID, `${roomID}-u${i}`)));
  /** The code of a signaling-only publish of `streamID` by `c`. */
  const publishCode = async (c: RawClient, roomID: string, streamID: string): Promise<number> =>
    (await c.request('publish', { roomID, streamID })).code;

  it('stops a published stream: publisher 1003025, players 1004025, the room DELETE; no node lets it back until resumed', async () => {
    const [pub, v1, v2] = await users('fb', 3);
    const publisher = await publishMedia(pub!, 'fb', 'fb-cam');
    peers.push(publisher);
    const stopPump = publisher.pump(5);
    try {
      for (const v of [v1!, v2!]) await v.waitEvent('streamUpdate', (e) => e.updateType === 'ADD');
      for (const v of [v1!, v2!]) peers.push((await playMedia(v, 'fb-cam')).player);

      assert.deepEqual(await api().data('ForbidRTCStream', { StreamId: 'fb-cam', Sequence: 1 }), {});
      const stopped = await pub!.waitEvent('publishStopped');
      assert.deepEqual(stopped, {
        type: 'publishStopped',
        streamID: 'fb-cam',
        code: ErrorCode.PUBLISH_FORBIDDEN,
      });
      for (const v of [v1!, v2!]) {
        const play = await v.waitEvent('playStopped');
        assert.deepEqual(play, { type: 'playStopped', streamID: 'fb-cam', code: ErrorCode.PLAY_FORBIDDEN });
        const del = await v.waitEvent('streamUpdate', (e) => e.updateType === 'DELETE');
        assert.deepEqual(del.reasons, [{ stream_id: 'fb-cam', code: StreamDeleteReason.RemovedByServer }]);
      }
    } finally {
      stopPump();
    }
    const state = await api().call('DescribeRTCStreamState', { StreamId: 'fb-cam' });
    assert.equal(state.Code, ApiCode.INPUT_PARAMETER, 'the stream is gone');
    // Refused to everyone, on every node, with or without media.
    for (const c of [pub!, v1!, v2!])
      assert.equal(await publishCode(c, 'fb', 'fb-cam'), ErrorCode.PUBLISH_FORBIDDEN);
    const withMedia = await pub!.request('publish', { roomID: 'fb', streamID: 'fb-cam', sdp: 'v=0' });
    assert.equal(withMedia.code, ErrorCode.PUBLISH_FORBIDDEN);
    // Other streams are not concerned.
    assert.equal(await publishCode(v1!, 'fb', 'fb-other'), 0);

    assert.deepEqual(await api().data('ResumeRTCStream', { StreamId: 'fb-cam', Sequence: 2 }), {});
    assert.equal(await publishCode(v2!, 'fb', 'fb-cam'), 0);
    const add = await pub!.waitEvent(
      'streamUpdate',
      (e) => e.updateType === 'ADD' && e.streams.some((s) => s.streamID === 'fb-cam'),
    );
    assert.equal(add.streams.find((s) => s.streamID === 'fb-cam')?.user.userID, 'fb-u2');
  });

  it('forbids a streamID nobody publishes yet, on every node; resuming one never forbidden is no error', async () => {
    const members = await users('fb-idle', 3);
    await api().data('ForbidRTCStream', { StreamId: 'fb-later', Sequence: 1 });
    for (const c of members)
      assert.equal(await publishCode(c, 'fb-idle', 'fb-later'), ErrorCode.PUBLISH_FORBIDDEN);
    // Nothing was announced for the refused publishes.
    const list = await api().data('DescribeSimpleStreamList', { RoomId: 'fb-idle' });
    assert.deepEqual(list.StreamList, []);
    await api().data('ResumeRTCStream', { StreamId: 'fb-later' });
    await api().data('ResumeRTCStream', { StreamId: 'fb-never' });
    assert.equal(await publishCode(members[1]!, 'fb-idle', 'fb-later'), 0);
  });

  it('refuses a missing or invalid StreamId with Code 2', async () => {
    for (const action of ['ForbidRTCStream', 'ResumeRTCStream'] as const) {
      assert.equal((await api().call(action, { StreamId: '' })).Code, ApiCode.INPUT_PARAMETER);
      assert.equal((await api().call(action, { StreamId: 'bad stream/id' })).Code, ApiCode.INPUT_PARAMETER);
    }
  });
});
