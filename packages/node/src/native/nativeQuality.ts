/** The engine core's quality reports in the native face's shape (express-api.md §3). */
import type { PlayQuality, PublishQuality, QualityLevel } from '@parley/engine';
import type {
  ZegoPlayStreamQuality,
  ZegoPublishStreamQuality,
  ZegoStreamQualityLevelValue,
} from './nativeTypes.js';

/** Web levels use -1 for unknown; the native enum uses 5. */
export function nativeLevel(level: QualityLevel): ZegoStreamQualityLevelValue {
  return level === -1 ? 5 : level;
}

export function nativePublishQuality(q: PublishQuality): ZegoPublishStreamQuality {
  const lost = q.video.videoPacketsLost + q.audio.audioPacketsLost;
  const rates = [q.video.videoPacketsLostRate, q.audio.audioPacketsLostRate];
  return {
    videoSendFPS: q.video.videoFPS,
    videoKBPS: q.video.videoBitrate,
    audioSendFPS: q.audio.audioFPS,
    audioKBPS: q.audio.audioBitrate,
    rtt: q.currentRoundTripTime,
    packetLostRate: lost === 0 ? 0 : Math.max(...rates),
    level: nativeLevel(q.level),
    totalSendBytes: q.totalSendBytes,
  };
}

export function nativePlayQuality(q: PlayQuality): ZegoPlayStreamQuality {
  return {
    videoRecvFPS: q.video.videoFPS,
    videoDecodeFPS: q.videoDecodeFPS,
    videoKBPS: q.video.videoBitrate,
    audioRecvFPS: q.audio.audioFPS,
    audioKBPS: q.audio.audioBitrate,
    rtt: q.currentRoundTripTime,
    packetLostRate: q.peerToPeerPacketLostRate,
    peerToPeerDelay: q.peerToPeerDelay,
    level: nativeLevel(q.level),
    totalRecvBytes: q.totalRecvBytes,
  };
}
