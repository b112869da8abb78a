/** Wrap-around arithmetic on RTP sequence numbers (16 bits) and timestamps (32 bits). */

/** `a + b` modulo 2^16. */
export function seqAdd(a: number, b: number): number {
  return (a + b) & 0xffff;
}

/** The signed distance from `b` to `a` in sequence space, in [-32768, 32767]. */
export function seqDiff(a: number, b: number): number {
  const d = (a - b) & 0xffff;
  return d >= 0x8000 ? d - 0x10000 : d;
}

/**
 * The forward distance from sequence number `from` to `to`, modulo 2^16: 1 for the next packet, 0 for a
 * duplicate, and 0x8000 or more for a packet older than `from` (a reorder or a replay).
 */
export function sequenceDelta(from: number, to: number): number {
  return (to - from) & 0xffff;
}

/**
 * The extended (cycle-counting, RFC 3550 §A.1) sequence number of a packet numbered `seq` in a stream whose
 * extended highest sequence number is `highest`: the value congruent to `seq` modulo 2^16 nearest to
 * `highest` (ahead of it by at most 32767, behind it by at most 32768). The caller keeps it from going below
 * the stream's first number, if it must.
 *
 * @example
 * extendSequence(65535, 2) // 65538: the sequence wrapped, one cycle
 * extendSequence(65538, 65534) // 65534: a late packet from before the wrap
 */
export function extendSequence(highest: number, seq: number): number {
  return highest + seqDiff(seq, highest & 0xffff);
}

/** True if `a` comes after `b` (RFC 3550 §A.1 with wrap-around). */
export function seqNewer(a: number, b: number): boolean {
  return seqDiff(a, b) > 0;
}

/** `a + b` modulo 2^32. */
export function tsAdd(a: number, b: number): number {
  return (a + b) >>> 0;
}

/** A random 16-bit starting sequence number, as RFC 3550 asks. */
export function randomSeq(): number {
  return Math.floor(Math.random() * 0x10000);
}

/** A random 32-bit starting timestamp. */
export function randomTimestamp(): number {
  return Math.floor(Math.random() * 0x100000000) >>> 0;
}
