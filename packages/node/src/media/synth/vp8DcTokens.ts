import type { BoolEncoder } from './BoolEncoder.js';
import {
  BlockType,
  COEF_BANDS_BY_POSITION,
  coefIndex,
  DCT_CATEGORIES,
  DEFAULT_COEF_PROBS,
} from './vp8Tables.js';

/** Largest magnitude a single DCT token can carry: DCT_CAT6 is 67 plus 11 extra bits. */
export const MAX_TOKEN_VALUE = 67 + 2047;

/**
 * Writes one 4x4 block whose only non-zero coefficient is its first one (RFC 6386 §13): the token for
 * `value`, its sign, then end-of-block. A zero `value`, and every block of type `yAfterY2` (whose first
 * coded position is an AC coefficient), is written as an immediate end-of-block.
 *
 * `context` is the number (0..2) of the left and above neighbours that had non-zero coefficients.
 * Returns whether this block has any, which is the context its right and lower neighbours need.
 */
export function writeDcOnlyBlock(e: BoolEncoder, type: number, context: number, value: number): boolean {
  const first = type === BlockType.yAfterY2 ? 1 : 0;
  const p = (position: number, ctx: number, node: number): number =>
    DEFAULT_COEF_PROBS[coefIndex(type, COEF_BANDS_BY_POSITION[position] as number, ctx, node)] as number;
  if (value === 0 || type === BlockType.yAfterY2) {
    e.writeBool(false, p(first, context, 0));
    return false;
  }
  const magnitude = Math.abs(value);
  if (magnitude > MAX_TOKEN_VALUE) throw new RangeError(`coefficient ${value} is too large for one token`);
  e.writeBool(true, p(first, context, 0)); // not end-of-block
  writeTokenTail(e, magnitude, (node) => p(first, context, node));
  e.writeBool(value < 0, 128);
  // The next position's context is 1 after a ±1 and 2 after anything larger (RFC 6386 §13.3).
  e.writeBool(false, p(first + 1, magnitude === 1 ? 1 : 2, 0)); // end-of-block
  return true;
}

/** Walks the token tree (RFC 6386 §13.2) below its end-of-block node for a magnitude >= 1, extra bits included. */
function writeTokenTail(e: BoolEncoder, v: number, prob: (node: number) => number): void {
  e.writeBool(true, prob(1)); // not DCT_0
  if (v === 1) {
    e.writeBool(false, prob(2));
    return;
  }
  e.writeBool(true, prob(2));
  if (v <= 4) {
    e.writeBool(false, prob(3));
    if (v === 2) {
      e.writeBool(false, prob(4));
    } else {
      e.writeBool(true, prob(4));
      e.writeBool(v === 4, prob(5));
    }
    return;
  }
  e.writeBool(true, prob(3));
  let category: number;
  if (v <= 10) {
    e.writeBool(false, prob(6));
    category = v <= 6 ? 0 : 1;
    e.writeBool(category === 1, prob(7));
  } else if (v <= 66) {
    e.writeBool(true, prob(6));
    e.writeBool(v > 34, prob(8));
    if (v <= 34) {
      category = v <= 18 ? 2 : 3;
      e.writeBool(category === 3, prob(9));
    } else {
      category = 4;
      e.writeBool(false, prob(10));
    }
  } else {
    e.writeBool(true, prob(6));
    e.writeBool(true, prob(8));
    category = 5;
    e.writeBool(true, prob(10));
  }
  const { base, probs } = DCT_CATEGORIES[category] as (typeof DCT_CATEGORIES)[number];
  const extra = v - base;
  for (let i = 0; i < probs.length; i++) {
    e.writeBool(((extra >> (probs.length - 1 - i)) & 1) === 1, probs[i] as number);
  }
}
