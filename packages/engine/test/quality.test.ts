import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { MediaStatsSnapshot, RecvTrackStats, SendTrackStats } from '../src/MediaBackend.js';
import { playQuality, publishQuality, qualityLevel, worseLevel } from '../src/quality.js';

test('levels follow loss and round-trip time; nothing flowed is unknown', () => {
  assert.equal(qualityLevel(0, 10, true), 0);
  assert.equal(qualityLevel(0.02, 10, true), 1);
  assert.equal(qualityLevel(0, 300, true), 2);
  assert.equal(qualityLevel(0.1, 10, true), 3);
  assert.equal(qualityLevel(0.5, 10, true), 4);
  assert.equal(qualityLevel(0, 0, false), -1);
  assert.equal(worseLevel(-1, 2, 0), 2);
  assert.equal(worseLevel(-1, -1), -1);
});

test('publish quality: rates over the interval, loss from receiver reports', () => {
  const prev: MediaStatsSnapshot<SendTrackStats> = {
    at: 1000,
    audio: { packetsSent: 100, bytesSent: 10_000, framesSent: 100, packetsLost: 0 },
    video: { packetsSent: 200, bytesSent: 200_000, framesSent: 30, packetsLost: 1 },
  };
  const cur: MediaStatsSnapshot<SendTrackStats> = {
    at: 4000,
    audio: { packetsSent: 250, bytesSent: 25_000, framesSent: 250, packetsLost: 0 },
    video: {
      packetsSent: 500,
      bytesSent: 575_000,
      framesSent: 75,
      packetsLost: 31,
      frameWidth: 320,
      frameHeight: 240,
      nackCount: 4,
      pliCount: 2,
    },
    rttMs: 12.4,
  };
  const q = publishQuality(prev, cur);
  assert.equal(q.audio.audioBitrate, 40); // 15,000 bytes in 3 s
  assert.equal(q.audio.audioFPS, 50);
  assert.equal(q.audio.audioQuality, 0);
  assert.equal(q.video.videoBitrate, 1000); // 375,000 bytes in 3 s
  assert.equal(q.video.videoFPS, 15);
  assert.equal(q.video.videoPacketsLost, 30);
  assert.equal(q.video.videoPacketsLostRate, 0.1);
  assert.equal(q.video.videoQuality, 3);
  assert.deepEqual([q.video.frameWidth, q.video.frameHeight], [320, 240]);
  assert.equal(q.currentRoundTripTime, 12);
  assert.equal(q.nackCount, 4);
  assert.equal(q.pliCount, 2);
  assert.equal(q.totalSendBytes, 600_000);
  assert.equal(q.level, 3);
});

test('play quality: loss among expected packets, end-to-end loss rate, decode rate, break time', () => {
  const prev: MediaStatsSnapshot<RecvTrackStats> = {
    at: 0,
    audio: { packetsReceived: 0, bytesReceived: 0, packetsLost: 0, framesReceived: 0 },
    video: { packetsReceived: 0, bytesReceived: 0, packetsLost: 0, framesReceived: 0, framesDecoded: 0 },
  };
  const cur: MediaStatsSnapshot<RecvTrackStats> = {
    at: 2000,
    audio: { packetsReceived: 99, bytesReceived: 8000, packetsLost: 1, framesReceived: 99, jitter: 0.004 },
    video: {
      packetsReceived: 300,
      bytesReceived: 250_000,
      packetsLost: 0,
      framesReceived: 30,
      framesDecoded: 28,
      framesDropped: 2,
      totalBreakSeconds: 1.26,
    },
    rttMs: 3,
  };
  const q = playQuality(prev, cur);
  assert.equal(q.audio.audioPacketsLostRate, 0.01);
  assert.equal(q.audio.audioJitter, 0.004);
  assert.equal(q.audio.audioQuality, 1);
  assert.equal(q.video.videoFPS, 15);
  assert.equal(q.videoDecodeFPS, 14);
  assert.equal(q.video.videoFramesDropped, 2);
  assert.equal(q.video.videoCumulativeBreakTime, 1.3);
  assert.equal(q.peerToPeerPacketLostRate, 1 / 400);
  assert.equal(q.peerToPeerDelay, 3);
  assert.equal(q.totalRecvBytes, 258_000);
});

test('play loss counts what NACK repaired; peer-to-peer loss only what stayed lost', () => {
  const q = playQuality(
    { at: 0, video: { packetsReceived: 0, bytesReceived: 0, packetsLost: 0, framesReceived: 0 } },
    {
      at: 3000,
      video: {
        packetsReceived: 1000,
        bytesReceived: 1,
        packetsLost: 0,
        framesReceived: 45,
        packetsRepaired: 100,
      },
    },
  );
  assert.equal(q.video.videoPacketsLost, 100);
  assert.equal(q.video.videoPacketsLostRate, 0.1);
  assert.equal(q.peerToPeerPacketLostRate, 0);
});

test('the first report (no previous snapshot) has no rates and unknown quality', () => {
  const q = playQuality(null, {
    at: 5,
    audio: { packetsReceived: 10, bytesReceived: 100, packetsLost: 0, framesReceived: 10 },
  });
  assert.equal(q.audio.audioBitrate, 0);
  assert.equal(q.audio.audioFPS, 0);
  assert.equal(q.video.videoQuality, -1);
});
