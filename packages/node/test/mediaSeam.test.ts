/**
 * The media seam: a MediaBackend given to the engine is handed each stream the server accepted, with the app's
 * source, and told when it stops. (Media itself comes in a later issue; this pins down the contract.)
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { RunningServer } from '@parley/server';
import { type MediaBackend, ParleyError, silentLogger, ZegoExpressEngine } from '../src/index.js';
import { APP, startTestServer, token, uniqueRoom } from './support/fixtures.js';
import { waitFor } from './support/waitFor.js';

let server: RunningServer;
before(async () => {
  server = await startTestServer();
});
after(() => server.close());

class RecordingMedia implements MediaBackend<{ label: string }> {
  readonly calls: unknown[][] = [];
  failWith: number | null = null;
  async startPublishing(info: { streamID: string; roomID: string; source: { label: string } | undefined }) {
    this.calls.push(['start', info.streamID, info.roomID, info.source?.label]);
    if (this.failWith !== null) throw new ParleyError(this.failWith);
  }
  stopPublishing(streamID: string): void {
    this.calls.push(['stop', streamID]);
  }
  close(): void {
    this.calls.push(['close']);
  }
}

test('the backend starts after the server accepted the stream, and stops with it', async (t) => {
  const media = new RecordingMedia();
  const zg = new ZegoExpressEngine(APP.appID, server.url, { logger: silentLogger, media });
  t.after(() => zg.destroyEngine());
  const room = uniqueRoom();
  await zg.loginRoom(room, token('m1'), { userID: 'm1' });
  const publishing = waitFor(zg, 'publisherStateUpdate', (r) => r.state === 'PUBLISHING');
  zg.startPublishingStream('m1-cam', { label: 'camera' });
  await publishing;
  zg.stopPublishingStream('m1-cam');
  zg.destroyEngine();
  assert.deepEqual(media.calls, [['start', 'm1-cam', room, 'camera'], ['stop', 'm1-cam'], ['close']]);
});

test('a backend failure makes the stream NO_PUBLISH with its code and takes it back from the server', async (t) => {
  const media = new RecordingMedia();
  media.failWith = 1103061;
  const zg = new ZegoExpressEngine(APP.appID, server.url, { logger: silentLogger, media });
  const peer = new ZegoExpressEngine(APP.appID, server.url, { logger: silentLogger });
  t.after(() => {
    zg.destroyEngine();
    peer.destroyEngine();
  });
  const room = uniqueRoom();
  await zg.loginRoom(room, token('m2'), { userID: 'm2' });
  await peer.loginRoom(room, token('m3'), { userID: 'm3' });
  const failed = waitFor(zg, 'publisherStateUpdate', (r) => r.state === 'NO_PUBLISH');
  const gone = waitFor(peer, 'roomStreamUpdate', (_r, type) => type === 'DELETE');
  zg.startPublishingStream('m2-cam');
  assert.equal((await failed)[0].errorCode, 1103061);
  await gone;
});
