/**
 * Media through signaling: `publish` with an offer, `play` / `playAnswer` / `stopPlay`, `streamMediaState`, the
 * media limits as Express codes, and transports released when streams stop and sessions end. werift clients
 * play the browser's part, with the server's own STUN responder (announced in `hello`) as their only ICE server.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { TestPublisher } from './sfu/support/clients.js';
import { waitFor } from './sfu/support/waitFor.js';
import { type Harness, startHarness } from './support/harness.js';
import { health as healthOf, iceServersOf, ok, playMedia, publishMedia } from './support/mediaSignaling.js';

const health = (h: Harness) => healthOf(h.server);
const stunOf = (c: Parameters<typeof iceServersOf>[0]) => ({ url: iceServersOf(c)[0]! });

describe('media over signaling', () => {
  let h: Harness;
  const peers: { close(): Promise<void> }[] = [];
  before(async () => {
    h = await startHarness({
      rooms: { maxStreamsPerSession: 2 },
      media: { maxPlayersPerStream: 2, maxTransports: 6 },
    });
  });
  after(async () => {
    await Promise.all(peers.map((p) => p.close()));
    await h.close();
  });

  it('announces a stream when its media flows, forwards it to a player, and frees every transport', async () => {
    const alice = await h.login('m1', 'alice');
    const bob = await h.login('m1', 'bob');
    const publisher = await publishMedia(alice, 'm1', 'cam-a');
    peers.push(publisher);
    // Negotiated but silent: nobody has been told yet.
    await bob.sync();
    assert.equal(
      bob.frames.some((f) => f.t === 'evt' && f.ev.type === 'streamUpdate'),
      false,
      'no ADD before media flows',
    );
    const stop = publisher.pump(5);
    try {
      const add = await bob.waitEvent('streamUpdate');
      assert.equal(add.updateType, 'ADD');
      assert.deepEqual(
        add.streams.map((s) => s.streamID),
        ['cam-a'],
      );
      const { player, data } = await playMedia(bob, 'cam-a');
      peers.push(player);
      assert.equal(data['audio'], 'OPEN');
      assert.equal(data['video'], 'OPEN');
      await waitFor(
        () => player.received.audio.length > 20 && player.received.video.some((r) => r.keyframe),
        'audio and a keyframe at the player',
      );
      // In order, nothing missing, on the player's own SSRC.
      const audio = player.received.audio.map((r) => r.counter);
      for (let i = 1; i < audio.length; i++) assert.equal(audio[i], audio[i - 1]! + 1);
      assert.equal((await health(h)).mediaTransports, 2);

      // A late joiner hears of the stream at once (it already flows).
      const carol = await h.login('m1', 'carol');
      const late = await carol.waitEvent('streamUpdate');
      assert.deepEqual(
        late.streams.map((s) => s.streamID),
        ['cam-a'],
      );

      ok(await bob.request('stopPlay', { streamID: 'cam-a' }));
      await waitFor(async () => (await health(h)).mediaTransports === 1, 'the player transport to close');
      ok(await alice.request('unpublish', { streamID: 'cam-a' }));
      const del = await bob.waitEvent('streamUpdate', (e) => e.updateType === 'DELETE');
      assert.deepEqual(del.reasons, [{ stream_id: 'cam-a', code: 1 }]);
      await waitFor(async () => (await health(h)).mediaTransports === 0, 'the publisher transport to close');
      await carol.close();
    } finally {
      stop();
    }
    await alice.close();
    await bob.close();
  });

  it('refuses bad media requests with their Express codes and keeps the socket', async () => {
    const dan = await h.login('m2', 'dan');
    assert.equal((await dan.request('play', { streamID: 'nobody' })).code, 1104039);
    assert.equal((await dan.request('playAnswer', { streamID: 'nobody', sdp: 'v=0' })).code, 1100001);
    assert.equal((await dan.request('stopPlay', { streamID: 'nobody' })).code, 1104039);
    // A signaling-only stream has no media here to play.
    ok(await dan.request('publish', { roomID: 'm2', streamID: 'sig-only' }));
    assert.equal((await dan.request('play', { streamID: 'sig-only' })).code, 1104039);
    // A bad offer: 1100001, and the stream was never registered (no ADD, the streamID stays free).
    const erin = await h.login('m2', 'erin');
    await erin.waitEvent('streamUpdate'); // sig-only
    const bad = await dan.request('publish', { roomID: 'm2', streamID: 'bad-sdp', sdp: 'not an sdp' });
    assert.equal(bad.code, 1100001);
    const retaken = await erin.request('publish', { roomID: 'm2', streamID: 'bad-sdp' });
    assert.equal(retaken.code, 0);
    assert.equal(
      (await dan.request('streamMediaState', { streamID: 'bad-sdp', audio: 'MUTE' })).code,
      1004002,
    );
    // A session publishes at most maxStreamsPerSession (2) streams.
    ok(await dan.request('publish', { roomID: 'm2', streamID: 'sig-2' }));
    assert.equal((await dan.request('publish', { roomID: 'm2', streamID: 'sig-3' })).code, 1003023);
    // Wrong field types never reach the media plane.
    assert.equal((await dan.request('play', { streamID: 7 })).code, 1000016);
    assert.equal((await dan.request('publish', { roomID: 'm2', streamID: 's', sdp: 12 })).code, 1100001);
    assert.equal((await dan.request('streamMediaState', { streamID: 'sig-2', video: 'OFF' })).code, 1100001);
    assert.equal((await health(h)).mediaTransports, 0);
    await dan.close();
    await erin.close();
  });

  it('tells players about mutes and enforces the player and transport limits', async () => {
    const pub = await h.login('m3', 'pub');
    const publisher = await publishMedia(pub, 'm3', 'cam-m', { kinds: ['audio'] });
    peers.push(publisher);
    const stop = publisher.pump(5);
    try {
      const viewers = await Promise.all(['v1', 'v2', 'v3'].map((u) => h.login('m3', u)));
      for (const v of viewers) await v.waitEvent('streamUpdate');
      const p1 = await playMedia(viewers[0]!, 'cam-m');
      const p2 = await playMedia(viewers[1]!, 'cam-m');
      peers.push(p1.player, p2.player);
      assert.equal((await viewers[2]!.request('play', { streamID: 'cam-m' })).code, 1004020);

      ok(await pub.request('streamMediaState', { streamID: 'cam-m', audio: 'MUTE' }));
      for (const v of viewers.slice(0, 2)) {
        const ev = await v.waitEvent('streamMediaState');
        assert.deepEqual(ev, { type: 'streamMediaState', streamID: 'cam-m', audio: 'MUTE', video: 'OPEN' });
      }
      // Not playing: not told.
      await viewers[2]!.sync();
      assert.equal(
        viewers[2]!.frames.some((f) => f.t === 'evt' && f.ev.type === 'streamMediaState'),
        false,
      );

      // 3 transports are open; 3 more publishes fill the server's 6 and the next is refused as busy.
      const others = await Promise.all(['o1', 'o2', 'o3'].map((u) => h.login('m4', u)));
      for (const [i, o] of others.entries())
        peers.push(await publishMedia(o, 'm4', `fill-${i}`, { kinds: ['audio'] }));
      assert.equal((await health(h)).mediaTransports, 6);
      const full = await h.login('m4', 'o4');
      const refused = new TestPublisher(stunOf(full), { kinds: ['audio'] });
      peers.push(refused);
      await refused.pc.setLocalDescription(await refused.pc.createOffer());
      const busy = await full.request('publish', {
        roomID: 'm4',
        streamID: 'one-too-many',
        sdp: refused.pc.localDescription!.sdp,
      });
      assert.equal(busy.code, 1000040);

      // Sessions that end release their transports (a dropped socket keeps its player for the grace period).
      for (const o of others) ok(await o.request('logout', { roomID: 'm4' }));
      await waitFor(async () => (await health(h)).mediaTransports === 3, 'logouts to free 3 transports');
      await viewers[0]!.cut();
      ok(await viewers[1]!.request('logout', { roomID: 'm3' }));
      await waitFor(async () => (await health(h)).mediaTransports === 2, 'a logout to free its player');
    } finally {
      stop();
    }
  });
});
