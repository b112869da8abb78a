/**
 * Per-packet fields that hold a 32-bit RTP timestamp (or offset) or a time in milliseconds, kept as small
 * integers. V8 here (pointer compression) stores a field that ever held a number outside -2^30 .. 2^30 - 1, or
 * a fraction, as a pointer to a separate number object (updated in place, but its own object): reading or
 * writing the field then touches that object too. The forwarding path touches a few such fields per player
 * and packet, and the number objects, allocated apart from their owner, are out of the CPU's caches by the
 * next packet: in a 400-player audio fan-out (perf annotate of the optimized code) the loads of
 * `Consumer.tsOffset`'s number took 12 % of `Consumer.handleRtp`'s own samples and those of
 * `FastRtpSender.timestampValue`'s 17 % of `FastRtpSender.send`'s. So those values are stored as two small
 * integers each, in the owner's own fields: a 32-bit value as its high and low 16 bits, a time in
 * milliseconds (`performance.now()`) as whole seconds (small for 34 years of uptime) and microseconds.
 */

/** The high 16 bits of a 32-bit unsigned value. */
export function high16(value: number): number {
  return value >>> 16;
}

/** The low 16 bits of a 32-bit unsigned value. */
export function low16(value: number): number {
  return value & 0xffff;
}

/** The 32-bit unsigned value whose halves are `high` and `low`. */
export function join16(high: number, low: number): number {
  return high * 0x10000 + low;
}

/** Whole seconds of a time in milliseconds (non-negative, as `performance.now()`). */
export function seconds(ms: number): number {
  return Math.floor(ms / 1000);
}

/** The microseconds of a time in milliseconds past its whole `seconds` (0 .. 1,000,000). */
export function microsPast(ms: number, wholeSeconds: number): number {
  return Math.round((ms - wholeSeconds * 1000) * 1000);
}

/** The time in milliseconds of `wholeSeconds` and `micros` past them. */
export function joinMillis(wholeSeconds: number, micros: number): number {
  return wholeSeconds * 1000 + micros / 1000;
}
