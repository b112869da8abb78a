import type { BoolEncoder } from './BoolEncoder.js';
import type { FlatPicture } from './FlatPicture.js';
import { KF_UV_MODE_PROBS, KF_YMODE_PROBS, UV_MODE_PROBS, YMODE_PROBS } from './vp8Tables.js';

/** The whole-macroblock intra prediction modes (RFC 6386 §12.2); B_PRED is never used. */
export type IntraMode = 'dc' | 'v' | 'h' | 'tm';

// The mode numbers of RFC 6386 §8.1 and the trees that code them (§11.2, §16.1), written as in the
// RFC: a positive entry is the index of the next node pair, any other is minus a leaf (so DC_PRED, 0,
// appears as -0), and node pair `i` is coded with probability `probs[i >> 1]`.
const MODE_NUMBERS: Record<IntraMode, number> = { dc: 0, v: 1, h: 2, tm: 3 };
const B_PRED = 4;
const KF_YMODE_TREE = [-B_PRED, 2, 4, 6, -0, -1, -2, -3];
const YMODE_TREE = [-0, 2, 4, 6, -1, -2, -3, -B_PRED];
const UV_MODE_TREE = [-0, 2, -1, 4, -2, -3];

/** The branches (bit, node index) from the root of `tree` to `leaf`. */
function treePath(tree: readonly number[], leaf: number, node = 0): [boolean, number][] | undefined {
  for (const bit of [0, 1]) {
    const next = tree[node + bit] as number;
    const here: [boolean, number] = [bit === 1, node];
    if (next > 0) {
      const rest = treePath(tree, leaf, next);
      if (rest) return [here, ...rest];
    } else if (-next === leaf) {
      return [here];
    }
  }
  return undefined;
}

function writeTreeLeaf(
  e: BoolEncoder,
  tree: readonly number[],
  probs: readonly number[],
  mode: IntraMode,
): void {
  const path = treePath(tree, MODE_NUMBERS[mode]);
  if (!path) throw new RangeError(`mode ${mode} is not in the tree`);
  for (const [bit, node] of path) e.writeBool(bit, probs[node >> 1] as number);
}

/** Writes the luma mode of an intra macroblock, with the key-frame or the inter-frame tree. */
export function writeYMode(e: BoolEncoder, mode: IntraMode, keyframe: boolean): void {
  if (keyframe) writeTreeLeaf(e, KF_YMODE_TREE, KF_YMODE_PROBS, mode);
  else writeTreeLeaf(e, YMODE_TREE, YMODE_PROBS, mode);
}

/** Writes the chroma mode of an intra macroblock. */
export function writeUvMode(e: BoolEncoder, mode: IntraMode, keyframe: boolean): void {
  writeTreeLeaf(e, UV_MODE_TREE, keyframe ? KF_UV_MODE_PROBS : UV_MODE_PROBS, mode);
}

/**
 * The modes usable at macroblock (`col`, `row`), cheapest first. V_PRED, H_PRED and TM_PRED are
 * offered only where the pixels they copy are inside the frame, so the 127/129 frame-edge values never
 * enter a prediction; DC_PRED uses only the edges inside the frame (and 128 for the top-left
 * macroblock), so it is always usable.
 */
export function candidateModes(col: number, row: number): IntraMode[] {
  const modes: IntraMode[] = ['dc'];
  if (row > 0) modes.push('v');
  if (col > 0) modes.push('h');
  if (row > 0 && col > 0) modes.push('tm');
  return modes;
}

/**
 * What `mode` predicts for a macroblock of one plane (RFC 6386 §12.2). Every neighbour is flat and
 * reconstructs exactly to its colour, so each prediction is one value:
 * - DC: the rounded mean of the 16 (luma) or 8 (chroma) pixels above and to the left, over the edges
 *   inside the frame; of two flat edges that is `(above + left + 1) >> 1`;
 * - V / H: the macroblock above / to the left;
 * - TM: `left + above - aboveLeft`, clamped to 0..255.
 */
export function predict(
  plane: Uint8Array,
  mbCols: number,
  col: number,
  row: number,
  mode: IntraMode,
): number {
  const above = row > 0 ? (plane[(row - 1) * mbCols + col] as number) : undefined;
  const left = col > 0 ? (plane[row * mbCols + col - 1] as number) : undefined;
  switch (mode) {
    case 'dc':
      if (above === undefined) return left ?? 128;
      if (left === undefined) return above;
      return (above + left + 1) >> 1;
    case 'v':
      if (above === undefined) throw new RangeError('V_PRED needs a macroblock above');
      return above;
    case 'h':
      if (left === undefined) throw new RangeError('H_PRED needs a macroblock to the left');
      return left;
    case 'tm': {
      if (above === undefined || left === undefined) throw new RangeError('TM_PRED needs both neighbours');
      const aboveLeft = plane[(row - 1) * mbCols + col - 1] as number;
      return Math.min(255, Math.max(0, left + above - aboveLeft));
    }
  }
}

/**
 * Picks the mode for some planes of macroblock (`col`, `row`): the first candidate that predicts every
 * plane exactly (so no residual is needed), else the one leaving the smallest total difference.
 * Returns the mode and the difference (target - prediction) of each plane.
 */
export function chooseMode(
  picture: FlatPicture,
  planes: readonly Uint8Array[],
  col: number,
  row: number,
): { mode: IntraMode; deltas: number[] } {
  let best: { mode: IntraMode; deltas: number[]; cost: number } | undefined;
  const i = row * picture.mbCols + col;
  for (const mode of candidateModes(col, row)) {
    const deltas = planes.map((p) => (p[i] as number) - predict(p, picture.mbCols, col, row, mode));
    const cost = deltas.reduce((sum, d) => sum + Math.abs(d), 0);
    if (cost === 0) return { mode, deltas };
    if (!best || cost < best.cost) best = { mode, deltas, cost };
  }
  const { mode, deltas } = best as { mode: IntraMode; deltas: number[] };
  return { mode, deltas };
}
