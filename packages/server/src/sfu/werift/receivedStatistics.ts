/**
 * What werift's `StreamStatistics.add` does with each packet a publisher sends (the counts its receiver reports
 * and `getStats` read), done without its two costly steps: for the packet's arrival in RTP clock units werift
 * calls `Number.parseInt(now * clockRate, 10)`, which turns the number into a string and parses it back
 * (V8's double-to-string conversion, in the runtime), and it reads `performance.timeOrigin`, a constant, per
 * packet. Here the arrival is `Math.trunc` of the same product, which is the same number for every value the
 * product takes (a wall clock in seconds times a clock rate: well above 1, far below 10^21, where the
 * number's string is plain decimal), with werift's own parse kept for anything else, and the time origin is
 * read once. Every field is written as werift writes it, in the same order (werift's `uint16Gt` is
 * `seqNewer` of @parley/rtp for sequence numbers, which is what both are given).
 *
 * Measured on this machine (2026-12-07): in a profile of a 100-player video fan-out (perf at 8 kHz on the
 * server) werift's `add` held 36 of the 187 samples of a publisher's packet on its way in (about 7 µs a packet
 * under the profiler, most of it in the string conversion). A meeting, where every user publishes and each
 * packet goes to a dozen players, pays it for every packet it forwards a dozen times: the bench's meeting of
 * 16 users, alternating runs of werift's `add` and this, 10 / 9.6 / 8.98 → 9.17 / 9.06 / 8.81 µs of server CPU
 * per forwarded packet (−5 %); a fan-out with hundreds of players per publisher barely notices.
 *
 * Used only while werift's `add` is the one this was written from (werift 0.25.2, checked by its source's
 * digest, once per class); any other werift keeps its own.
 */
import { createHash } from 'node:crypto';
import { seqNewer } from '@parley/rtp';
import type { RtpPacket } from 'werift';
import { WERIFT_STATISTICS_ADD_SHA256, type WeriftStreamStatistics } from './shapes.js';

/** werift's `getStatsTimestamp()` is `performance.timeOrigin + performance.now()`; the origin never changes. */
const TIME_ORIGIN = performance.timeOrigin;

/** werift's `int(n)` (`Number.parseInt(n, 10)`), without the string for the numbers an arrival time is. */
function integerPart(n: number): number {
  return n >= 1 && n < 1e21 ? Math.trunc(n) : Number.parseInt(n as unknown as string, 10);
}

/** The source digest of the `add` method of `statistics`'s class. */
export function statisticsAddDigest(statistics: WeriftStreamStatistics): string {
  return createHash('sha256')
    .update(String(Object.getPrototypeOf(statistics).add))
    .digest('hex');
}

const knownClasses = new WeakMap<object, boolean>();

/** Whether {@link addReceived} does what `statistics`'s own `add` does (its class's source checked once). */
export function addIsKnown(statistics: WeriftStreamStatistics): boolean {
  const proto = Object.getPrototypeOf(statistics) as object;
  let known = knownClasses.get(proto);
  if (known === undefined) {
    known = statisticsAddDigest(statistics) === WERIFT_STATISTICS_ADD_SHA256;
    knownClasses.set(proto, known);
  }
  return known;
}

/**
 * werift 0.25.2's `StreamStatistics.add(packet, now)` on `s`: `now` is the wall clock in seconds, as werift's
 * default. Call only where {@link addIsKnown}.
 */
export function addReceived(s: WeriftStreamStatistics, packet: RtpPacket, now = Date.now() / 1000): void {
  const header = packet.header;
  const seq = header.sequenceNumber;
  const inOrder = s.max_seq === undefined || seqNewer(seq, s.max_seq);
  s.packets_received++;
  s.bytesReceived += packet.payload.length;
  s.headerBytesReceived += header.serializeSize;
  s.lastPacketReceivedTimestamp = TIME_ORIGIN + performance.now();
  if (s.base_seq === undefined) s.base_seq = seq;
  if (!inOrder) return;
  const arrival = integerPart(now * s.clockRate);
  if (s.max_seq !== undefined && seq < s.max_seq) s.cycles += 1 << 16;
  s.max_seq = seq;
  const timestamp = header.timestamp;
  if (timestamp !== s.last_timestamp && s.packets_received > 1) {
    const diff = Math.abs(arrival - (s.last_arrival ?? 0) - (timestamp - (s.last_timestamp ?? 0)));
    s.jitter_q4 += diff - ((s.jitter_q4 + 8) >> 4);
  }
  s.last_arrival = arrival;
  s.last_timestamp = timestamp;
}
