/**
 * The RTCP sender reports of every consumer of a router, sent from one timer.
 *
 * werift's `RTCRtpSender` runs a report loop of its own per track: a promise timer with an abort signal
 * every 0.5–1.5 s, a report built from packet objects and serialized, each on a cold cache. With hundreds of
 * players that loop was the largest fixed cost of an idle player (~0.35 ms of CPU per report here). Instead,
 * the router keeps one timer; each tick sends the reports that are due, written straight into bytes (SR +
 * SDES CNAME, RFC 3550 §6.4.1 and §6.5), protected by the transport's SRTCP context and sent on its ICE
 * pair ({@link PairRoute}) — what werift's `RTCDtlsTransport.sendRtcp` does.
 *
 * The intervals are libwebrtc's (`kDefaultAudioReportInterval` 5 s, `kDefaultVideoReportInterval` 1 s), each
 * randomized over 0.5–1.5× (RFC 3550 §6.3.1), as @parley/protocol's reports.ts declares them to players; a
 * stream's first report goes out 0.5–1.5 s after its first packet, so a player can sync audio and video early.
 * A report carries the wall clock at the moment it is sent (NTP format, RFC 3550 §4) and the RTP timestamp of
 * that same moment, extrapolated from the newest packet sent (as libwebrtc does), the packet and octet counts
 * werift's sender keeps (by its own pipeline or by {@link FastRtpSender}), and leaves the LSR and send time
 * werift's sender reads to compute the round-trip time from the player's receiver reports.
 *
 * A stream whose publisher paused keeps its reports (RFC 3550 §6.4 would send receiver reports instead, at the
 * same cost): they tell the Node SDK's player that the SFU is still there while no media comes
 * (WeriftConnection's silence clock; muted video sends nothing). Skipping them made its plays restart during a
 * publisher's outage (mediaRetry.test); the reports are ~9 % of the CPU at rest with 400 audio players.
 *
 * In a 200-player video fan-out profile the reports took 2.9 % of the server's CPU. Each pass (every 100 ms)
 * read werift's sender (`stopped`, `packetCount`) of every stream, on objects no other player shares. So a
 * pass now reads only the entries' own data until a report is due. A report (~45 µs) spent 36 % of its time
 * in {@link sendOnPair}'s walk through werift's ICE objects; it now goes out through the transport's
 * {@link PairRoute}, as forwarded packets do, and counts itself on the DTLS transport's {@link DtlsFields},
 * which adds it to werift's counters when werift reads them.
 *
 * While media flows, the router nudges this after each packet it forwarded ({@link SenderReports.nudge}), and
 * the due reports go out then, when the process is awake anyway: a timer of its own woke an idle process ten
 * times a second, and a wakeup costs this machine about as much CPU as the work it does (the bench's relay:
 * 72 µs per packet with 5 players, 4 with 800; strace of a 200-player audio fan-out under load: 11 timer
 * wakeups a second, 10 of them this timer's). The timer stays, for a router with no media flowing; it runs
 * only when no packet nudged for twice the tick.
 */
import { REPORT_INTERVAL_MS, REPORT_JITTER } from '@parley/protocol';
import type { RTCDtlsTransport, RTCRtpSender } from 'werift';
import { type PairRoute, routeOf } from './werift/PairRoute.js';
import { type DtlsFields, dtlsFieldsOf } from './werift/senderFields.js';
import { iceConnectionOf, senderInternals, type WeriftSenderInternals } from './werift/shapes.js';

/** The newest packet a consumer sent: its RTP timestamp, when (performance.now()), and the clock rate. */
export interface LastSent {
  rtpTimestamp: number;
  at: number;
  clockRate: number;
}

/**
 * What a stream has sent so far, as werift's sender counts it (its own pipeline's sends and its fast path's,
 * {@link FastRtpSender}).
 */
export interface SentCounts {
  readonly packetCount: number;
  readonly octetCount: number;
  /** Whether it sent a packet yet: from the fast path's own fields while it has counted one. */
  readonly hasSent: boolean;
}

/** Seconds from the NTP epoch (1900) to the Unix epoch (1970). */
const NTP_UNIX_OFFSET_S = 2_208_988_800;

/** The first report of a stream, before randomization. */
const FIRST_REPORT_MS = 1000;
/** How often due reports are looked for while packets flow (the timer's, with none: twice that). */
const DEFAULT_TICK_MS = 100;

const PT_SR = 200;
const PT_SDES = 202;
const SDES_CNAME = 1;

/** Where a sender's reports go: its DTLS transport, that transport's counters and its ICE connection's route. */
interface ReportPath {
  dtls: RTCDtlsTransport;
  fields: DtlsFields;
  route: PairRoute;
}

interface Entry {
  sender: WeriftSenderInternals;
  counts: SentCounts;
  lastSent: () => LastSent | null;
  intervalMs: number;
  /** When the next report is due (performance.now()), or 0 before the stream sent its first packet. */
  due: number;
  /**
   * SR + SDES with everything but the report fields filled in, rewritten for each report; made at the first
   * report, once negotiation has given the sender its CNAME.
   */
  packet: Buffer | null;
  /** Looked up at the first report, and again only if the sender's DTLS transport changes. */
  path: ReportPath | null;
}

/** Randomizes an interval over 0.5–1.5× (RFC 3550 §6.3.1). */
function jittered(ms: number): number {
  return ms * (REPORT_JITTER.min + Math.random() * (REPORT_JITTER.max - REPORT_JITTER.min));
}

/**
 * One router's sender reports.
 * @example
 * const reports = new SenderReports();
 * const stop = reports.add(transceiver.sender, 'audio', fastRtpSender, () => consumer.lastSent());
 * stop(); reports.close();
 */
export class SenderReports {
  private readonly entries = new Set<Entry>();
  private readonly tickMs: number;
  private timer: NodeJS.Timeout | null = null;
  /** When the last pass ran (performance.now()). */
  private lastTick = 0;
  private _sent = 0;

  constructor(options: { tickMs?: number } = {}) {
    this.tickMs = options.tickMs ?? DEFAULT_TICK_MS;
  }

  /** Reports sent so far. */
  get sent(): number {
    return this._sent;
  }

  /** Consumers whose reports this sends. */
  get size(): number {
    return this.entries.size;
  }

  /**
   * Takes over the reports of `sender` (werift's loop is switched off for it); `counts` are its packet and
   * octet counts (its fast path), `lastSent` tells what was sent last (null before the first packet). Returns
   * the function that stops the reports, to call when the consumer closes.
   */
  add(
    sender: RTCRtpSender,
    kind: 'audio' | 'video',
    counts: SentCounts,
    lastSent: () => LastSent | null,
  ): () => void {
    const s = senderInternals(sender);
    // werift starts its loop from sendRtp (or FastRtpSender does); on this sender that now does nothing.
    s.runRtcp = async () => {};
    const entry: Entry = {
      sender: s,
      counts,
      lastSent,
      intervalMs: REPORT_INTERVAL_MS[kind],
      due: 0,
      packet: null,
      path: null,
    };
    this.entries.add(entry);
    if (this.timer === null) {
      this.timer = setInterval(() => this.tick(), 2 * this.tickMs);
      this.timer.unref();
    }
    return () => {
      this.entries.delete(entry);
      if (this.entries.size === 0) this.stopTimer();
    };
  }

  /** Stops the timer and forgets every sender. */
  close(): void {
    this.entries.clear();
    this.stopTimer();
  }

  private stopTimer(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /**
   * A packet was just forwarded at `now` (performance.now()): runs a pass if the last one is a tick old, and
   * puts the timer off (it runs only for a router with no media flowing).
   */
  nudge(now: number): void {
    if (this.timer === null || now - this.lastTick < this.tickMs) return;
    this.timer.refresh();
    this.tick(now);
  }

  /**
   * @internal One pass of the timer, at `now` (performance.now()): starts the streams that sent their first
   * packet and sends the reports that are due. Public for tests, which step the time themselves.
   */
  tick(now = performance.now()): void {
    this.lastTick = now;
    for (const entry of this.entries) {
      // Plain data only: the fast path's own count before the first packet, the entry's due time after.
      // werift's sender is read in send(), when a report is due (most passes find none).
      if (entry.due === 0) {
        if (entry.counts.hasSent) entry.due = now + jittered(FIRST_REPORT_MS);
      } else if (now >= entry.due) {
        entry.due = now + jittered(entry.intervalMs);
        this.send(entry);
      }
    }
  }

  private send(entry: Entry): void {
    const s = entry.sender;
    // Read here, when a report is due, not on every pass: werift's stop() is final (nothing sets `stopped`
    // back), so a stopped sender's reports simply never go out.
    if (s.stopped) return;
    const path = this.pathOf(entry, s.dtlsTransport);
    const srtcp = path?.dtls.srtcp;
    const last = entry.lastSent();
    if (path?.dtls.state !== 'connected' || !srtcp || last === null) return;
    if (entry.packet === null) entry.packet = reportTemplate(s);
    const p = entry.packet;
    const now = performance.now();
    const unixMs = performance.timeOrigin + now;
    const seconds = Math.floor(unixMs / 1000);
    const fraction = Math.floor(((unixMs - seconds * 1000) / 1000) * 0x100000000) >>> 0;
    const ntpSeconds = (seconds + NTP_UNIX_OFFSET_S) >>> 0;
    const elapsedTicks = Math.round(((now - last.at) * last.clockRate) / 1000);
    p.writeUInt32BE(ntpSeconds, 8);
    p.writeUInt32BE(fraction, 12);
    p.writeUInt32BE((last.rtpTimestamp + elapsedTicks) >>> 0, 16);
    p.writeUInt32BE(entry.counts.packetCount >>> 0, 20);
    p.writeUInt32BE(entry.counts.octetCount >>> 0, 24);
    let protectedPacket: Buffer;
    try {
      protectedPacket = srtcp.encrypt(p);
    } catch {
      return; // keys gone (closing): no report
    }
    s.lastSRtimestamp = (((ntpSeconds & 0xffff) << 16) | (fraction >>> 16)) >>> 0;
    s.lastSentSRTimestamp = Date.now() / 1000;
    // What werift's sendRtcp counts (`bytesSent +=`, `packetsSent++`), in one call.
    path.fields.countSent(protectedPacket.length, 1);
    this._sent += 1;
    // The route sends straight to the nominated pair's socket, or through sendOnPair when it cannot; either
    // way the pair's packetsSent and bytesSent count the report.
    path.route.send(protectedPacket);
  }

  /** The path of `entry`'s reports over `dtls`, looked up again only when the sender's transport changed. */
  private pathOf(entry: Entry, dtls: RTCDtlsTransport | undefined): ReportPath | null {
    if (dtls === undefined) return null;
    if (entry.path?.dtls !== dtls) {
      entry.path = { dtls, fields: dtlsFieldsOf(dtls), route: routeOf(iceConnectionOf(dtls)) };
    }
    return entry.path;
  }
}

/** An SR (no report blocks) followed by an SDES with the sender's CNAME, report fields zero. */
function reportTemplate(s: WeriftSenderInternals): Buffer {
  const cname = Buffer.from(s.cname ?? '', 'utf8').subarray(0, 255);
  // SDES chunk: SSRC, CNAME item (type, length, text), then a null octet ending the list, padded to 32 bits.
  const chunk = 4 + 2 + cname.length + 1;
  const sdesLength = 4 + Math.ceil(chunk / 4) * 4;
  const p = Buffer.alloc(28 + (cname.length > 0 ? sdesLength : 0));
  p[0] = 0x80; // V=2, no padding, RC=0
  p[1] = PT_SR;
  p.writeUInt16BE(28 / 4 - 1, 2);
  p.writeUInt32BE(s.ssrc >>> 0, 4);
  if (cname.length > 0) {
    p[28] = 0x81; // V=2, SC=1
    p[29] = PT_SDES;
    p.writeUInt16BE(sdesLength / 4 - 1, 30);
    p.writeUInt32BE(s.ssrc >>> 0, 32);
    p[36] = SDES_CNAME;
    p[37] = cname.length;
    cname.copy(p, 38);
  }
  return p;
}
