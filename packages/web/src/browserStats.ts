/**
 * The browser's `getStats()` report read into the engine's counters: `outbound-rtp` and `remote-inbound-rtp`
 * for a published stream, `inbound-rtp` for a played one (field names of the W3C webrtc-stats spec).
 */
import type { MediaKind, RecvTrackStats, SendTrackStats } from '@parley/engine';

type Stat = Record<string, unknown>;

const num = (s: Stat, key: string): number | undefined => {
  const v = s[key];
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
};

const kindOf = (s: Stat): MediaKind | null => {
  const kind = s['kind'] ?? s['mediaType'];
  return kind === 'audio' || kind === 'video' ? kind : null;
};

/** The sent tracks' counters (one outbound-rtp per kind: the SFU negotiates no simulcast). */
export function sendStats(report: RTCStatsReport): Partial<Record<MediaKind, SendTrackStats>> {
  const out: Partial<Record<MediaKind, SendTrackStats>> = {};
  const byId = new Map<string, MediaKind>();
  for (const s of report.values() as IterableIterator<Stat>) {
    if (s['type'] !== 'outbound-rtp') continue;
    const kind = kindOf(s);
    if (!kind) continue;
    byId.set(String(s['id']), kind);
    const packetsSent = num(s, 'packetsSent') ?? 0;
    const t: SendTrackStats = {
      packetsSent,
      bytesSent: num(s, 'bytesSent') ?? 0,
      framesSent: kind === 'video' ? (num(s, 'framesSent') ?? num(s, 'framesEncoded') ?? 0) : packetsSent,
    };
    if (kind === 'video') {
      const width = num(s, 'frameWidth');
      const height = num(s, 'frameHeight');
      if (width !== undefined && height !== undefined) {
        t.frameWidth = width;
        t.frameHeight = height;
      }
      t.nackCount = num(s, 'nackCount') ?? 0;
      t.pliCount = (num(s, 'pliCount') ?? 0) + (num(s, 'firCount') ?? 0);
    }
    out[kind] = t;
  }
  // What the SFU reported lost, from its receiver reports.
  for (const s of report.values() as IterableIterator<Stat>) {
    if (s['type'] !== 'remote-inbound-rtp') continue;
    const kind = byId.get(String(s['localId'])) ?? kindOf(s);
    const lost = num(s, 'packetsLost');
    if (kind && out[kind] && lost !== undefined) out[kind].packetsLost = Math.max(0, lost);
  }
  return out;
}

/** The round-trip time the SFU's receiver reports give a sender, in ms. */
export function senderRoundTripMs(report: RTCStatsReport): number | undefined {
  for (const s of report.values() as IterableIterator<Stat>) {
    if (s['type'] !== 'remote-inbound-rtp') continue;
    const rtt = num(s, 'roundTripTime');
    if (rtt !== undefined && rtt > 0) return rtt * 1000;
  }
  return undefined;
}

/** The received tracks' counters. `breakSeconds` adds the stall time the connection measured itself. */
export function recvStats(
  report: RTCStatsReport,
  breakSeconds: (kind: MediaKind) => number,
): Partial<Record<MediaKind, RecvTrackStats>> {
  const out: Partial<Record<MediaKind, RecvTrackStats>> = {};
  for (const s of report.values() as IterableIterator<Stat>) {
    if (s['type'] !== 'inbound-rtp') continue;
    const kind = kindOf(s);
    if (!kind) continue;
    const packetsReceived = num(s, 'packetsReceived') ?? 0;
    const t: RecvTrackStats = {
      packetsReceived,
      bytesReceived: num(s, 'bytesReceived') ?? 0,
      packetsLost: Math.max(0, num(s, 'packetsLost') ?? 0),
      framesReceived: kind === 'video' ? (num(s, 'framesReceived') ?? 0) : packetsReceived,
      totalBreakSeconds: breakSeconds(kind),
    };
    const jitter = num(s, 'jitter');
    if (jitter !== undefined) t.jitter = jitter;
    const nacks = num(s, 'nackCount');
    if (nacks !== undefined) t.nackCount = nacks;
    const repaired = num(s, 'retransmittedPacketsReceived');
    if (repaired !== undefined) t.packetsRepaired = repaired;
    if (kind === 'video') {
      t.framesDecoded = num(s, 'framesDecoded') ?? 0;
      t.framesDropped = num(s, 'framesDropped') ?? 0;
      t.pliCount = (num(s, 'pliCount') ?? 0) + (num(s, 'firCount') ?? 0);
      const width = num(s, 'frameWidth');
      const height = num(s, 'frameHeight');
      if (width !== undefined && height !== undefined) {
        t.frameWidth = width;
        t.frameHeight = height;
      }
    } else {
      const level = num(s, 'audioLevel');
      if (level !== undefined) t.audioLevel = level;
    }
    out[kind] = t;
  }
  return out;
}

/**
 * What shows that media of each kind arrives: decoded video frames, received audio packets. Used for the first
 * frame and for stalls.
 */
export function progressCounters(report: RTCStatsReport): Partial<Record<MediaKind, number>> {
  const out: Partial<Record<MediaKind, number>> = {};
  for (const s of report.values() as IterableIterator<Stat>) {
    if (s['type'] !== 'inbound-rtp') continue;
    const kind = kindOf(s);
    if (kind === 'video') out.video = num(s, 'framesDecoded') ?? 0;
    else if (kind === 'audio') out.audio = num(s, 'packetsReceived') ?? 0;
  }
  return out;
}
