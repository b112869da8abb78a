/**
 * A stream forbidden by the server API (ForbidRTCStream), as the Node SDK reports it: the publisher's state goes
 * to NO_PUBLISH 1003025 and the player's to NO_PLAY 1004025; publishing it again ends in NO_PUBLISH 1003025 until
 * ResumeRTCStream, after which it publishes and plays again.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ApiClient } from '@parley/server';
import { APP, uniqueRoom } from '../support/fixtures.js';
import { waitFor } from '../support/waitFor.js';
import { login, publish, startHarness } from './support/media.js';

test('ForbidRTCStream: publisher NO_PUBLISH 1003025, player NO_PLAY 1004025, refused until ResumeRTCStream', async (t) => {
  const h = await startHarness();
  t.after(() => h.close());
  const api = new ApiClient({ baseUrl: h.server.httpUrl, appID: APP.appID, serverSecret: APP.serverSecret });
  const room = uniqueRoom('forbid');
  const publisher = h.engine();
  const player = h.engine();
  await login(publisher, room, 'fb-pub');
  await login(player, room, 'fb-viewer');
  const camera = await publisher.createZegoStream();
  await publish(publisher, 'fb-cam', camera);
  const playing = waitFor(player, 'playerStateUpdate', (r) => r.state === 'PLAYING', 10_000);
  await player.startPlayingStream('fb-cam');
  await playing;

  const noPublish = waitFor(publisher, 'publisherStateUpdate', (r) => r.state === 'NO_PUBLISH');
  const noPlay = waitFor(player, 'playerStateUpdate', (r) => r.state === 'NO_PLAY');
  await api.data('ForbidRTCStream', { StreamId: 'fb-cam', Sequence: 1 });
  const [published] = await noPublish;
  assert.deepEqual([published.streamID, published.errorCode], ['fb-cam', 1003025]);
  const [played] = await noPlay;
  assert.deepEqual([played.streamID, played.errorCode], ['fb-cam', 1004025]);

  const refused = waitFor(publisher, 'publisherStateUpdate', (r) => r.state === 'NO_PUBLISH', 10_000);
  assert.equal(publisher.startPublishingStream('fb-cam', camera), true);
  const [again] = await refused;
  assert.equal(again.errorCode, 1003025);

  await api.data('ResumeRTCStream', { StreamId: 'fb-cam', Sequence: 2 });
  await publish(publisher, 'fb-cam', camera);
  const playingAgain = waitFor(player, 'playerStateUpdate', (r) => r.state === 'PLAYING', 10_000);
  await player.startPlayingStream('fb-cam');
  await playingAgain;
});
