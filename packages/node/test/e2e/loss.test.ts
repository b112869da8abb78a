/**
 * Loss on one player's downstream, made by the server's test hook (`consumerOptions` → the consumer's
 * `dropFilter`): the SFU "loses" every 10th video packet (by the sequence number it sends under) on its first
 * transmission. Retransmissions answering NACKs do not pass the filter (Consumer.handleNack sends them straight
 * from the producer's buffer), so NACK repairs every loss. The player must still receive every frame in order,
 * and its quality reports must show the loss the network caused (repaired or not) — ~10 % — while its
 * peer-to-peer loss (what stayed lost) is ~0. A second player of the same stream sees no loss at all.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { PlayQuality } from '../../src/index.js';
import { uniqueRoom } from '../support/fixtures.js';
import { assertConsecutive, FrameLog, login, publish, spread, startHarness } from './support/media.js';

const STREAM = 'loss-cam';

test('10 % video loss on one player: NACK repairs all of it, and its quality reports show it', async (t) => {
  let lossyKey: string | null = null;
  let dropped = 0;
  const h = await startHarness({
    consumerOptions: (playerKey, kind) => {
      if (kind !== 'video' || !playerKey.endsWith(`/${STREAM}`)) return {};
      // The first player of the stream is the lossy one.
      lossyKey ??= playerKey;
      if (playerKey !== lossyKey) return {};
      let first = true;
      return {
        dropFilter: (packet) => {
          // A lost first packet is never NACKed (the player cannot know it existed): let it through.
          if (first) {
            first = false;
            return false;
          }
          if (packet.header.sequenceNumber % 10 !== 0) return false;
          dropped += 1;
          return true;
        },
      };
    },
  });
  t.after(() => h.close());
  const room = uniqueRoom('loss');
  const publisher = h.engine();
  await login(publisher, room, 'loss-pub');
  // 50 fps at 320×240: one packet a frame, ~25 video packets per 500 ms report, so each report's loss
  // (2 or 3 packets of 25) can be told from 10 % ± a few.
  await publish(publisher, STREAM, await publisher.createZegoStream({ camera: { video: { fps: 50 } } }));

  const lossy = h.engine({ qualityIntervalMs: 500 });
  const clean = h.engine({ qualityIntervalMs: 500 });
  await login(lossy, room, 'loss-viewer');
  await login(clean, room, 'clean-viewer');
  const reports = { lossy: [] as PlayQuality[], clean: [] as PlayQuality[] };
  /** Packets dropped when each lossy report was emitted. */
  const droppedAtReport: number[] = [];
  lossy.on('playQualityUpdate', (streamID, q) => {
    if (streamID !== STREAM) return;
    reports.lossy.push(q);
    droppedAtReport.push(dropped);
  });
  clean.on('playQualityUpdate', (streamID, q) => {
    if (streamID === STREAM) reports.clean.push(q);
  });
  const lossyLog = new FrameLog(await lossy.startPlayingStream(STREAM));
  assert.ok(lossyKey !== null, 'the hook saw the lossy player');
  const cleanLog = new FrameLog(await clean.startPlayingStream(STREAM));
  // Nine reports: the first (its interval starts before any media) and eight of 500 ms each.
  await lossyLog.until(
    () => reports.lossy.length >= 9 && reports.clean.length >= 9,
    'nine quality reports',
    15_000,
  );

  // Every frame arrived, in order, from the first key frame: NACK repaired every loss.
  assert.equal(lossyLog.video[0]!.keyframe, true);
  assertConsecutive(
    lossyLog.video.map((f) => f.number),
    'lossy player video',
  );
  assertConsecutive(
    lossyLog.audio.map((f) => f.number),
    'lossy player audio',
  );
  const counts = lossyLog.sink.counts;
  assert.deepEqual(
    { incomplete: counts.incompleteFrames, dropped: counts.droppedFrames },
    { incomplete: 0, dropped: 0 },
  );
  assert.equal(counts.videoFrames, lossyLog.video.length);
  // Each 320×240 frame fits one packet, so a tenth of the frames were dropped once (and resent).
  assert.ok(
    dropped >= 10 && Math.abs(dropped - lossyLog.video.length / 10) <= 3,
    `the SFU dropped ${dropped} packets of ${lossyLog.video.length}`,
  );

  const steady = reports.lossy.slice(1);
  for (const [i, q] of steady.entries()) {
    const what = `lossy report ${i + 1}: ${JSON.stringify({ video: q.video, p2p: q.peerToPeerPacketLostRate, nack: q.nackCount })}`;
    assert.ok(q.video.videoPacketsLost > 0, what);
    // 2 or 3 of ~25 packets, ± one repaired across the report boundary.
    assert.ok(q.video.videoPacketsLostRate >= 0.04 && q.video.videoPacketsLostRate <= 0.2, what);
    assert.ok(q.nackCount > 0, what);
    // At most one packet still on its way back at the moment of the snapshot (of ~50 audio and video).
    assert.ok(q.peerToPeerPacketLostRate <= 0.03, what);
    assert.equal(q.audio.audioPacketsLost, 0, what);
  }
  const p2p = steady.map((q) => q.peerToPeerPacketLostRate).sort((a, b) => a - b);
  assert.equal(p2p[Math.floor(p2p.length / 2)], 0, `peer-to-peer loss ${p2p.join(' ')}`);
  const meanRate = steady.reduce((sum, q) => sum + q.video.videoPacketsLostRate, 0) / steady.length;
  assert.ok(meanRate > 0.08 && meanRate < 0.125, `mean loss rate ${meanRate}`);
  // The reports add up to what the SFU dropped (a packet dropped just before a report is counted in the next).
  const reportedLost = reports.lossy.reduce((sum, q) => sum + q.video.videoPacketsLost, 0);
  const droppedThen = droppedAtReport.at(-1)!;
  assert.ok(
    Math.abs(reportedLost - droppedThen) <= 3,
    `reported ${reportedLost} lost, ${droppedThen} dropped`,
  );
  // NACK counts only grow.
  assert.ok(reports.lossy.every((q, i) => i === 0 || q.nackCount >= reports.lossy[i - 1]!.nackCount));

  for (const [i, q] of reports.clean.entries()) {
    const what = `clean report ${i}: ${JSON.stringify(q.video)}`;
    assert.equal(q.video.videoPacketsLost, 0, what);
    assert.equal(q.video.videoPacketsLostRate, 0, what);
    assert.equal(q.peerToPeerPacketLostRate, 0, what);
    assert.equal(q.nackCount, 0, what);
  }
  assertConsecutive(
    cleanLog.video.map((f) => f.number),
    'clean player video',
  );

  const last = reports.lossy.at(-1)!;
  t.diagnostic(
    `SFU dropped ${dropped} video packets; reported lost ${reportedLost} (by the last report, ${droppedThen} dropped); ` +
      `NACKs ${last.nackCount}; ${lossyLog.video.length} frames received, 0 missing`,
  );
  t.diagnostic(
    `videoPacketsLostRate per report: ${steady.map((q) => q.video.videoPacketsLostRate.toFixed(3)).join(' ')}`,
  );
  t.diagnostic(`videoPacketsLost per report: ${steady.map((q) => q.video.videoPacketsLost).join(' ')}`);
  t.diagnostic(
    `peerToPeerPacketLostRate: ${spread(steady.map((q) => q.peerToPeerPacketLostRate))}; ` +
      `mean loss rate ${meanRate.toFixed(3)}; video fps ${spread(steady.map((q) => q.video.videoFPS))}`,
  );
});
