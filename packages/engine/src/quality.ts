/**
 * Quality reports from two snapshots of a connection's counters (express-api.md §2 `publishQualityUpdate`,
 * `playQualityUpdate`): rates are the difference between the snapshots over the time between them.
 */
import type { MediaStatsSnapshot, RecvTrackStats, SendTrackStats } from './MediaBackend.js';

/** 0 excellent … 4 very bad (die); -1 unknown (nothing flowed). */
export type QualityLevel = -1 | 0 | 1 | 2 | 3 | 4;

export interface PublishVideoQuality {
  frameWidth: number;
  frameHeight: number;
  /** kbps */
  videoBitrate: number;
  videoFPS: number;
  videoPacketsLost: number;
  /** 0..1 over the interval */
  videoPacketsLostRate: number;
  videoQuality: QualityLevel;
}

export interface PublishAudioQuality {
  audioBitrate: number;
  audioFPS: number;
  audioPacketsLost: number;
  audioPacketsLostRate: number;
  audioQuality: QualityLevel;
}

/** The stats of `publishQualityUpdate`, plus the totals the native face reports. */
export interface PublishQuality {
  video: PublishVideoQuality;
  audio: PublishAudioQuality;
  /** ms; 0 when unknown */
  currentRoundTripTime: number;
  nackCount: number;
  pliCount: number;
  totalSendBytes: number;
  /** Overall level: the worse of audio and video that flowed. */
  level: QualityLevel;
}

export interface PlayVideoQuality extends PublishVideoQuality {
  videoFramesDecoded: number;
  videoFramesDropped: number;
  /** Seconds stalled since the play started. */
  videoCumulativeBreakTime: number;
}

export interface PlayAudioQuality extends PublishAudioQuality {
  /** Seconds */
  audioJitter: number;
  /** 0..1; 0 when the stack cannot measure it */
  audioLevel: number;
}

/** The stats of `playQualityUpdate`, plus the native face's extra fields. */
export interface PlayQuality {
  video: PlayVideoQuality;
  audio: PlayAudioQuality;
  currentRoundTripTime: number;
  /**
   * Publisher-to-player delay estimate, ms: the player's round trip to the SFU (half out, and the publisher's
   * half in, assumed alike). 0 when unknown.
   */
  peerToPeerDelay: number;
  /** 0..1: packets lost between publisher and player over the interval and never repaired. */
  peerToPeerPacketLostRate: number;
  nackCount: number;
  pliCount: number;
  totalRecvBytes: number;
  /** Video frames decodable per second (Node) or decoded per second (browsers). */
  videoDecodeFPS: number;
  level: QualityLevel;
}

/** The level of a stream from its loss rate and round-trip time. */
export function qualityLevel(lossRate: number, rttMs: number, flowed: boolean): QualityLevel {
  if (!flowed) return -1;
  if (lossRate < 0.01 && rttMs < 100) return 0;
  if (lossRate < 0.03 && rttMs < 200) return 1;
  if (lossRate < 0.08 && rttMs < 400) return 2;
  if (lossRate < 0.2 && rttMs < 800) return 3;
  return 4;
}

/** The worse of the levels that are known; -1 when none is. */
export function worseLevel(...levels: QualityLevel[]): QualityLevel {
  const known = levels.filter((l) => l >= 0);
  return known.length === 0 ? -1 : (Math.max(...known) as QualityLevel);
}

function perSecond(delta: number, seconds: number): number {
  return seconds > 0 ? round1(Math.max(0, delta) / seconds) : 0;
}

function round1(x: number): number {
  return Math.round(x * 10) / 10;
}

function rate(lost: number, total: number): number {
  return total > 0 ? Math.min(1, Math.max(0, lost) / total) : 0;
}

const ZERO_SEND: SendTrackStats = { packetsSent: 0, bytesSent: 0, framesSent: 0 };
const ZERO_RECV: RecvTrackStats = { packetsReceived: 0, bytesReceived: 0, packetsLost: 0, framesReceived: 0 };

/** The quality of a published stream between two snapshots. */
export function publishQuality(
  prev: MediaStatsSnapshot<SendTrackStats> | null,
  cur: MediaStatsSnapshot<SendTrackStats>,
): PublishQuality {
  const seconds = prev ? (cur.at - prev.at) / 1000 : 0;
  const rtt = Math.round(cur.rttMs ?? 0);
  const track = (kind: 'audio' | 'video') => {
    const c = cur[kind] ?? ZERO_SEND;
    const p = prev?.[kind] ?? ZERO_SEND;
    const packets = c.packetsSent - p.packetsSent;
    const lost = (c.packetsLost ?? 0) - (p.packetsLost ?? 0);
    const lossRate = rate(lost, packets);
    return {
      c,
      bitrate: perSecond(((c.bytesSent - p.bytesSent) * 8) / 1000, seconds),
      fps: perSecond(c.framesSent - p.framesSent, seconds),
      lost: Math.max(0, lost),
      lossRate,
      level: qualityLevel(lossRate, rtt, packets > 0),
    };
  };
  const v = track('video');
  const a = track('audio');
  return {
    video: {
      frameWidth: v.c.frameWidth ?? 0,
      frameHeight: v.c.frameHeight ?? 0,
      videoBitrate: v.bitrate,
      videoFPS: v.fps,
      videoPacketsLost: v.lost,
      videoPacketsLostRate: v.lossRate,
      videoQuality: v.level,
    },
    audio: {
      audioBitrate: a.bitrate,
      audioFPS: a.fps,
      audioPacketsLost: a.lost,
      audioPacketsLostRate: a.lossRate,
      audioQuality: a.level,
    },
    currentRoundTripTime: rtt,
    nackCount: (cur.video?.nackCount ?? 0) + (cur.audio?.nackCount ?? 0),
    pliCount: cur.video?.pliCount ?? 0,
    totalSendBytes: (cur.video?.bytesSent ?? 0) + (cur.audio?.bytesSent ?? 0),
    level: worseLevel(v.level, a.level),
  };
}

/** The quality of a played stream between two snapshots. */
export function playQuality(
  prev: MediaStatsSnapshot<RecvTrackStats> | null,
  cur: MediaStatsSnapshot<RecvTrackStats>,
): PlayQuality {
  const seconds = prev ? (cur.at - prev.at) / 1000 : 0;
  const rtt = Math.round(cur.rttMs ?? 0);
  let lostAll = 0;
  let expectedAll = 0;
  const track = (kind: 'audio' | 'video') => {
    const c = cur[kind] ?? ZERO_RECV;
    const p = prev?.[kind] ?? ZERO_RECV;
    const received = c.packetsReceived - p.packetsReceived;
    const unrecovered = Math.max(0, c.packetsLost - p.packetsLost);
    // The track's loss is what the network lost (repaired or not); peer-to-peer loss is what stayed lost. A
    // packet missing at one snapshot and repaired by the next moves from lost to repaired: counted once.
    const lost = Math.max(
      0,
      c.packetsLost + (c.packetsRepaired ?? 0) - (p.packetsLost + (p.packetsRepaired ?? 0)),
    );
    lostAll += unrecovered;
    expectedAll += received + unrecovered;
    const lossRate = rate(lost, received + unrecovered);
    return {
      c,
      p,
      bitrate: perSecond(((c.bytesReceived - p.bytesReceived) * 8) / 1000, seconds),
      fps: perSecond(c.framesReceived - p.framesReceived, seconds),
      lost,
      lossRate,
      level: qualityLevel(lossRate, rtt, received > 0),
    };
  };
  const v = track('video');
  const a = track('audio');
  return {
    video: {
      frameWidth: v.c.frameWidth ?? 0,
      frameHeight: v.c.frameHeight ?? 0,
      videoBitrate: v.bitrate,
      videoFPS: v.fps,
      videoPacketsLost: v.lost,
      videoPacketsLostRate: v.lossRate,
      videoQuality: v.level,
      videoFramesDecoded: v.c.framesDecoded ?? 0,
      videoFramesDropped: v.c.framesDropped ?? 0,
      videoCumulativeBreakTime: round1(v.c.totalBreakSeconds ?? 0),
    },
    audio: {
      audioBitrate: a.bitrate,
      audioFPS: a.fps,
      audioPacketsLost: a.lost,
      audioPacketsLostRate: a.lossRate,
      audioQuality: a.level,
      audioJitter: a.c.jitter ?? 0,
      audioLevel: a.c.audioLevel ?? 0,
    },
    currentRoundTripTime: rtt,
    peerToPeerDelay: rtt,
    peerToPeerPacketLostRate: rate(lostAll, expectedAll),
    nackCount: (cur.video?.nackCount ?? 0) + (cur.audio?.nackCount ?? 0),
    pliCount: cur.video?.pliCount ?? 0,
    totalRecvBytes: (cur.video?.bytesReceived ?? 0) + (cur.audio?.bytesReceived ?? 0),
    videoDecodeFPS: perSecond((v.c.framesDecoded ?? 0) - (v.p.framesDecoded ?? 0), seconds),
    level: worseLevel(v.level, a.level),
  };
}
