/**
 * Nothing leaks across many publish/play cycles: each cycle publishes over signaling with an offer, waits for
 * the media to flow, plays the stream and sees packets arrive, then ends it one of four ways — unpublish and
 * stopPlay, logout, kickout by a second login of the same userID, or a cut socket left past the reconnect
 * grace period. Afterwards the server holds no transport, stream or session, and the process holds exactly
 * the UDP sockets it held before. Audio only, to keep the cycles short.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ErrorCode, StreamDeleteReason } from '@parley/protocol';
import { waitFor } from './sfu/support/waitFor.js';
import { handleSnapshot, untilHandlesSettle } from './support/handles.js';
import { startHarness } from './support/harness.js';
import { health, ok, playMedia, publishMedia } from './support/mediaSignaling.js';
import type { RawClient } from './support/RawClient.js';
import { udpHandleCount, udpSocketCount } from './support/udpSockets.js';

const CYCLES = 200;
/**
 * Cycles run in this many lanes at once, each lane taking the next cycle when its last one is done. A cycle
 * alone takes about 290 ms (median; 490 ms with the grace period of a cut), nearly all of it werift's ICE and
 * DTLS getting two connections up (about 120 ms and 140 ms) while the CPU is mostly idle: one lane ran the 200
 * cycles in 68 s at under a quarter of one core, 8 lanes in about 12 s. Every cycle still runs in full.
 */
const LANES = 8;
const GRACE_MS = 200;

type Ending = 'unpublish+stopPlay' | 'logout' | 'kickout' | 'cut';
const ENDINGS: Ending[] = ['unpublish+stopPlay', 'logout', 'kickout', 'cut'];

test(`${CYCLES} publish/play cycles leave no transport, stream, session or UDP socket behind`, async (t) => {
  const beforeServer = handleSnapshot(['UDPWrap']);
  const h = await startHarness({ rooms: { reconnectGraceMs: GRACE_MS } });
  t.after(() => h.close());
  const atStart = handleSnapshot(['UDPWrap']);
  if (atStart.udpSockets === null)
    t.diagnostic('no /proc here: UDP sockets are counted by their handles only');
  // The server's media is one UDP socket however many transports come and go (the mux), plus its STUN
  // responder's.
  assert.equal(atStart.handles.length - beforeServer.handles.length, 2, 'the server holds two UDP sockets');
  let peakSockets = 0;

  /** One cycle, in its own room with its own users. */
  async function cycle(i: number): Promise<number> {
    const started = performance.now();
    const ending = ENDINGS[i % ENDINGS.length]!;
    const roomID = `cycle-${i}`;
    const streamID = `s-${i}`;
    const publisherID = `pub-${i}`;
    const playerID = `play-${i}`;
    const pub = await h.login(roomID, publisherID);
    const viewer = await h.login(roomID, playerID);
    const publisher = await publishMedia(pub, roomID, streamID, { kinds: ['audio'] });
    const stopPump = publisher.pump(5);
    try {
      await pub.waitEvent('publishMediaFlowing', (e) => e.streamID === streamID);
      const add = await viewer.waitEvent('streamUpdate', (e) => e.updateType === 'ADD');
      assert.deepEqual(
        add.streams.map((s) => s.streamID),
        [streamID],
      );
      const { player } = await playMedia(viewer, streamID);
      try {
        await waitFor(() => player.received.audio.length >= 5, `cycle ${i}: packets at the player`);
        peakSockets = Math.max(peakSockets, udpSocketCount() ?? udpHandleCount());
        await end(ending, { roomID, streamID, publisherID, playerID, pub, viewer });
      } finally {
        await player.close();
      }
    } finally {
      stopPump();
      await publisher.close();
    }
    return performance.now() - started;
  }

  /** Ends the cycle's publish and play the chosen way, and checks that the viewer saw the stream go. */
  async function end(
    ending: Ending,
    c: {
      roomID: string;
      streamID: string;
      publisherID: string;
      playerID: string;
      pub: RawClient;
      viewer: RawClient;
    },
  ): Promise<void> {
    const deleted = (reason: number) =>
      c.viewer
        .waitEvent('streamUpdate', (e) => e.updateType === 'DELETE', 5000)
        .then((e) => assert.deepEqual(e.reasons, [{ stream_id: c.streamID, code: reason }]));
    switch (ending) {
      case 'unpublish+stopPlay': {
        ok(await c.viewer.request('stopPlay', { streamID: c.streamID }));
        ok(await c.pub.request('unpublish', { streamID: c.streamID }));
        await deleted(StreamDeleteReason.StoppedPublishing);
        // Sockets closed without a logout: the sessions end when the grace period does.
        await Promise.all([c.pub.close(), c.viewer.close()]);
        return;
      }
      case 'logout': {
        ok(await c.pub.request('logout', { roomID: c.roomID }));
        await deleted(StreamDeleteReason.StoppedPublishing);
        ok(await c.viewer.request('logout', { roomID: c.roomID }));
        await Promise.all([c.pub.close(), c.viewer.close()]);
        return;
      }
      case 'kickout': {
        // The same userIDs log in again elsewhere: the first sessions are kicked out, with everything they had.
        const gone = deleted(StreamDeleteReason.RepeatLogin);
        const pubAgain = await h.login(c.roomID, c.publisherID);
        await gone;
        const viewerAgain = await h.login(c.roomID, c.playerID);
        for (const kicked of [c.pub, c.viewer]) {
          const ev = await kicked.waitEvent('kickout');
          assert.equal(ev.code, ErrorCode.KICKED_REPEAT_LOGIN);
          assert.equal((await kicked.waitClose()).code, 4001);
        }
        ok(await pubAgain.request('logout', { roomID: c.roomID }));
        await Promise.all([pubAgain.close(), viewerAgain.close()]);
        return;
      }
      case 'cut': {
        // The publisher's network goes: its stream goes when the grace period ends, then the viewer's too.
        await c.pub.cut();
        await deleted(StreamDeleteReason.Disconnected);
        await c.viewer.cut();
        return;
      }
    }
  }

  const started = performance.now();
  const durations: number[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: LANES }, async () => {
      while (next < CYCLES) durations.push(await cycle(next++));
    }),
  );
  const cyclesMs = performance.now() - started;
  assert.equal(durations.length, CYCLES);

  // The last sessions end one grace period after their sockets closed; the transports close with them.
  let after = await health(h.server);
  await waitFor(
    async () => {
      after = await health(h.server);
      return after.sessions === 0 && after.mediaTransports === 0;
    },
    () => `sessions and transports to go: ${JSON.stringify(after)}`,
    GRACE_MS + 5000,
  );
  assert.equal(after.mediaTransports, 0, 'media transports');
  assert.equal(after.streams, 0, 'streams');
  assert.equal(after.sessions, 0, 'sessions');
  assert.equal(after.rooms, 0, 'rooms');
  // The clients' werift peers release their sockets a moment after they close, unawaited by the server.
  await untilHandlesSettle(atStart);
  const settledMs = performance.now() - started - cyclesMs;
  await h.close();
  await untilHandlesSettle(beforeServer);

  const sorted = [...durations].sort((a, b) => a - b);
  const pct = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!.toFixed(0);
  t.diagnostic(
    `${CYCLES} cycles in ${LANES} lanes: ${(cyclesMs / 1000).toFixed(1)} s ` +
      `(one cycle: median ${pct(0.5)} ms, p90 ${pct(0.9)} ms, max ${pct(1)} ms); ` +
      `settled ${settledMs.toFixed(0)} ms later; UDP sockets: ${beforeServer.udpSockets} before the server, ` +
      `${atStart.udpSockets} with it (${atStart.handles.length} handles), peak ${peakSockets}, ` +
      `${udpSocketCount()} after it closed`,
  );
});
