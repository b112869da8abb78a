/**
 * Quality numbers: the SDK's publish/play quality stats reduced to bitrate, frame rate, loss and round trip,
 * and the overlay that shows them on a tile.
 */

function round1(x) {
  return Math.round(x * 10) / 10;
}

/** The numbers shown for one quality report (`stats` as passed to publish/playQualityUpdate). */
export function qualityNumbers(stats) {
  const video = stats?.video ?? {};
  const audio = stats?.audio ?? {};
  const loss = Math.max(video.videoPacketsLostRate ?? 0, audio.audioPacketsLostRate ?? 0);
  return {
    kbps: Math.round((video.videoBitrate ?? 0) + (audio.audioBitrate ?? 0)),
    videoKbps: Math.round(video.videoBitrate ?? 0),
    audioKbps: Math.round(audio.audioBitrate ?? 0),
    fps: Math.round(video.videoFPS ?? 0),
    lossPct: round1(loss * 100),
    rtt: Math.round(stats?.currentRoundTripTime || stats?.peerToPeerDelay || 0),
    size: video.frameWidth ? `${video.frameWidth}×${video.frameHeight}` : '',
  };
}

const LEVEL_TEXT = { '-1': 'unknown', 0: 'excellent', 1: 'good', 2: 'medium', 3: 'bad', 4: 'very bad' };

/** Fills a `.quality` overlay from a quality report and shows it; its title has the details. */
export function renderQuality(el, stats) {
  const q = qualityNumbers(stats);
  const item = (value, unit) => {
    const span = document.createElement('span');
    const b = document.createElement('b');
    b.textContent = value;
    span.append(b, unit);
    return span;
  };
  el.replaceChildren(
    item(String(q.kbps), ' kbps'),
    item(String(q.fps), ' fps'),
    item(q.lossPct.toFixed(1), '% loss'),
    item(String(q.rtt), ' ms RTT'),
  );
  const level = Number.isInteger(stats?.level) ? stats.level : -1;
  el.dataset.level = String(level);
  el.title = [
    `Quality: ${LEVEL_TEXT[level] ?? level}`,
    `Video ${q.videoKbps} kbps, ${q.fps} fps${q.size ? `, ${q.size}` : ''}`,
    `Audio ${q.audioKbps} kbps`,
    `Packet loss ${q.lossPct} %`,
    `Round trip ${q.rtt} ms`,
  ].join('\n');
  el.hidden = false;
}
