/**
 * When the shared state cannot count a call against its rate limits, the server API answers code 1 (try again)
 * and does not run the action: an outage neither lets calls past the limits nor takes the node down.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { MemoryState } from '../src/cluster/memory/MemoryState.js';
import { SharedStateUnavailable } from '../src/cluster/SharedState.js';
import { ApiClient, ApiCode, createLogger, type RunningServer, startServer } from '../src/index.js';
import { APP } from './support/harness.js';

/** A shared state whose rate-limit windows are out of reach, as Redis is in an outage; the rest works. */
class WindowsUnreachable extends MemoryState {
  windowCalls = 0;
  override async takeFromWindow(): Promise<boolean> {
    this.windowCalls++;
    throw new SharedStateUnavailable();
  }
}

describe('server API rate limits while the shared state is unreachable', () => {
  let server: RunningServer;
  let state: WindowsUnreachable;
  before(async () => {
    state = new WindowsUnreachable({ nodeID: 'outage-node' });
    server = await startServer({
      apps: [APP],
      logger: createLogger({ level: 'silent' }),
      sharedState: state,
    });
  });
  after(() => server.close());

  it('answers code 1 to each call without running its action', async () => {
    const api = new ApiClient({ baseUrl: server.httpUrl, appID: APP.appID, serverSecret: APP.serverSecret });
    const reply = await api.call('ForbidRTCStream', { StreamId: 'outage-cam', Sequence: 1 });
    assert.equal(reply.Code, ApiCode.SERVER_BUSY);
    assert.match(reply.Message, /unreachable/);
    assert.equal(state.windowCalls, 1);
    // The action did not run: the streamID was not forbidden.
    assert.equal(await state.isStreamForbidden(APP.appID, 'outage-cam'), false);
    assert.equal((await api.call('DescribeUserNum', { RoomId: ['r'] })).Code, ApiCode.SERVER_BUSY);
    assert.equal(state.windowCalls, 2);
  });
});
