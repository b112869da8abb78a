/**
 * The server API's rate limits, counted in the shared state. Run on one node by apiRateLimits.test.ts and spread
 * over three nodes (each call answered by the next node in turn) by apiRateLimitsMemory.test.ts and
 * apiRateLimitsRedis.test.ts, where a burst must be limited as on one node: the nodes count the same windows.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type ApiRateLimit, zegoApiRateLimits } from '../../src/api/ApiRateLimits.js';
import { ApiClient, ApiCode } from '../../src/index.js';
import { APP, type Harness, OTHER_APP, startHarness } from '../support/harness.js';

/** A window no test outlasts, so what a test counts never leaves its window by chance. */
const HOUR_MS = 3_600_000;

/** Clients of the nodes in turn, so that in a cluster the calls are answered by every node. */
function clients(h: Harness, app = APP): () => ApiClient {
  let calls = 0;
  return () => {
    const server = h.servers[calls++ % h.servers.length]!;
    return new ApiClient({ baseUrl: server.httpUrl, appID: app.appID, serverSecret: app.serverSecret });
  };
}

describe('server API rate limits (fixed in the test)', () => {
  let h: Harness;
  before(async () => {
    const limits: Record<string, readonly ApiRateLimit[]> = {
      DescribeUserNum: [{ limit: 5, windowMs: HOUR_MS }],
      DescribeUserList: [
        { limit: 1000, windowMs: HOUR_MS },
        { limit: 6, windowMs: HOUR_MS, perRoom: true },
      ],
    };
    h = await startHarness({
      api: { rateLimits: (action) => limits[action] ?? [{ limit: 100_000, windowMs: HOUR_MS }] },
    });
  });
  after(() => h.close());

  it('a burst over every node is refused exactly past the limit, with code 7', async () => {
    const api = clients(h);
    const replies = await Promise.all(
      Array.from({ length: 8 }, () => api().call('DescribeUserNum', { RoomId: ['burst'] })),
    );
    const codes = replies.map((r) => r.Code).sort((a, b) => a - b);
    assert.deepEqual(codes, [
      0,
      0,
      0,
      0,
      0,
      ApiCode.RATE_LIMITED,
      ApiCode.RATE_LIMITED,
      ApiCode.RATE_LIMITED,
    ]);
    const refused = replies.find((r) => r.Code === ApiCode.RATE_LIMITED)!;
    assert.match(refused.Message, /more than 5 DescribeUserNum requests .* for this AppId/);
    // The window stays spent on every node; other actions and other apps have windows of their own.
    for (let i = 0; i < h.servers.length; i++) {
      assert.equal((await api().call('DescribeUserNum', { RoomId: ['burst'] })).Code, ApiCode.RATE_LIMITED);
    }
    assert.equal((await api().call('DescribeUsers', { RoomId: 'burst', UserId: ['u'] })).Code, 0);
    const other = clients(h, OTHER_APP);
    assert.equal((await other().call('DescribeUserNum', { RoomId: ['burst'] })).Code, 0);
  });

  it('DescribeUserList is limited per room too: one busy room does not spend another room’s calls', async () => {
    const api = clients(h);
    const list = (roomID: string) => api().call('DescribeUserList', { RoomId: roomID });
    const busy = await Promise.all(Array.from({ length: 9 }, () => list('busy')));
    assert.equal(busy.filter((r) => r.Code === 0).length, 6);
    const refused = busy.filter((r) => r.Code === ApiCode.RATE_LIMITED);
    assert.equal(refused.length, 3);
    assert.match(refused[0]!.Message, /more than 6 DescribeUserList requests .* for this room/);
    const quiet = await Promise.all(Array.from({ length: 6 }, () => list('quiet')));
    assert.deepEqual(
      quiet.map((r) => r.Code),
      [0, 0, 0, 0, 0, 0],
    );
    assert.equal((await list('quiet')).Code, ApiCode.RATE_LIMITED);
    // The per-room limit is the AppID's: another app's calls for the same room are counted apart.
    assert.equal((await clients(h, OTHER_APP)().call('DescribeUserList', { RoomId: 'busy' })).Code, 0);
    // A request without a valid RoomId is refused as the action refuses it, and spends no room's calls.
    assert.equal((await api().call('DescribeUserList', {})).Code, ApiCode.INPUT_PARAMETER);
  });
});

describe('server API rate limits (ZEGO’s)', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(() => h.close());

  it('are the ones ZEGO documents for each action', () => {
    assert.deepEqual(zegoApiRateLimits('CloseRoom'), [{ limit: 1, windowMs: 1000 }]);
    assert.deepEqual(zegoApiRateLimits('ForbidRTCStream'), [{ limit: 20, windowMs: 1000 }]);
    assert.deepEqual(zegoApiRateLimits('ResumeRTCStream'), [{ limit: 20, windowMs: 1000 }]);
    assert.deepEqual(zegoApiRateLimits('DescribeUserList'), [
      { limit: 10, windowMs: 1000 },
      { limit: 6, windowMs: 20_000, perRoom: true },
    ]);
    assert.deepEqual(zegoApiRateLimits('KickoutUser'), [{ limit: 10, windowMs: 1000 }]);
  });

  it('let 20 ForbidRTCStream calls at once through, over every node', async () => {
    // A fixed window counts at most these 20 calls, so none of them can be refused, however the calls fall in
    // the windows; the former limit of 10 per second refused half of them.
    const api = clients(h);
    const replies = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        api().call('ForbidRTCStream', { StreamId: `zego-${i}`, Sequence: 1 }),
      ),
    );
    assert.deepEqual(
      replies.map((r) => r.Code),
      Array.from({ length: 20 }, () => 0),
    );
  });
});
