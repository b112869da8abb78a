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
