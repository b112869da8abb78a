import { BoolEncoder } from './BoolEncoder.js';
import { type FlatPicture, MB_SIZE } from './FlatPicture.js';
import { writeDcOnlyBlock } from './vp8DcTokens.js';
import { chooseMode, type IntraMode, writeUvMode, writeYMode } from './vp8IntraModes.js';
import { BlockType, COEF_UPDATE_PROBS, MV_UPDATE_PROBS } from './vp8Tables.js';

/** Largest width or height the 14-bit fields of a VP8 key frame header hold. */
export const VP8_MAX_DIMENSION = 16383;

/** Options of {@link encodeFlatVp8Frame}. */
export interface FlatVp8FrameOptions {
  /** A key frame resets the decoder; an inter frame needs a key frame before it. */
  keyframe: boolean;
}

/**
 * How one macroblock is coded. With loop filter level 0, quantizer index 0 and whole-macroblock intra
 * prediction from flat neighbours, one Y2 coefficient moves all 256 luma pixels and one coefficient
 * per chroma block moves its 8x8 plane by an exact amount, so every macroblock reconstructs to exactly
 * its colour:
 *
 * - luma: Y2 DC `t` dequantizes to `8t`; the inverse WHT gives each block a DC of `(8t + 3) >> 3 = t`
 *   and the inverse DCT adds `(t + 4) >> 3` to each pixel, so `t = 8 * delta` adds exactly `delta`;
 * - chroma: DC `t` dequantizes to `4t` and adds `(4t + 4) >> 3` to each pixel, so `t = 2 * delta`.
 *
 * Prediction + delta is the target colour (0..255), so the decoder's clamping never changes it, and
 * the encoder's reconstruction, from which later macroblocks are predicted, is the picture itself.
 */
interface MacroblockPlan {
  yMode: IntraMode;
  uvMode: IntraMode;
  /** No residual at all: the predictions are already exact. */
  skip: boolean;
  y2: number;
  u: number;
  v: number;
}

function planMacroblocks(picture: FlatPicture): MacroblockPlan[] {
  const plans: MacroblockPlan[] = [];
  for (let row = 0; row < picture.mbRows; row++) {
    for (let col = 0; col < picture.mbCols; col++) {
      const luma = chooseMode(picture, [picture.y], col, row);
      const chroma = chooseMode(picture, [picture.u, picture.v], col, row);
      const [dy = 0] = luma.deltas;
      const [du = 0, dv = 0] = chroma.deltas;
      plans.push({
        yMode: luma.mode,
        uvMode: chroma.mode,
        skip: dy === 0 && du === 0 && dv === 0,
        y2: 8 * dy,
        u: 2 * du,
        v: 2 * dv,
      });
    }
  }
  return plans;
}

/** A probability (1..255) that an event seen `hits` times out of `total` does happen. */
function probabilityOf(hits: number, total: number): number {
  return Math.min(255, Math.max(1, Math.round((256 * hits) / Math.max(1, total))));
}

/** The frame header in the first partition (RFC 6386 §9.2–9.11, §19.2). */
function writeFrameHeader(e: BoolEncoder, keyframe: boolean, probSkipFalse: number): void {
  if (keyframe) {
    e.writeLiteral(0, 1); // color_space: YUV (BT.601)
    e.writeLiteral(0, 1); // clamping_type: the decoder clamps
  }
  e.writeLiteral(0, 1); // segmentation_enabled
  e.writeLiteral(0, 1); // filter_type: normal
  e.writeLiteral(0, 6); // loop_filter_level 0: no filtering, so flat macroblocks stay flat
  e.writeLiteral(0, 3); // sharpness_level
  e.writeLiteral(0, 1); // loop_filter_adj_enable
  e.writeLiteral(0, 2); // log2_nbr_of_dct_partitions: one token partition
  e.writeLiteral(0, 7); // y_ac_qi 0: the finest quantizer, so residuals are exact
  for (let i = 0; i < 5; i++) e.writeLiteral(0, 1); // no y_dc, y2_dc, y2_ac, uv_dc, uv_ac deltas
  if (keyframe) {
    e.writeLiteral(1, 1); // refresh_entropy_probs
  } else {
    e.writeLiteral(0, 1); // refresh_golden_frame
    e.writeLiteral(0, 1); // refresh_alternate_frame
    e.writeLiteral(0, 2); // copy_buffer_to_golden: none
    e.writeLiteral(0, 2); // copy_buffer_to_alternate: none
    e.writeLiteral(0, 1); // sign_bias_golden
    e.writeLiteral(0, 1); // sign_bias_alternate
    e.writeLiteral(1, 1); // refresh_entropy_probs
    e.writeLiteral(1, 1); // refresh_last
  }
  // No coefficient probability is updated: the defaults a key frame installs stay in force.
  for (const p of COEF_UPDATE_PROBS) e.writeBool(false, p);
  e.writeLiteral(1, 1); // mb_no_coeff_skip
  e.writeLiteral(probSkipFalse, 8);
  if (!keyframe) {
    e.writeLiteral(255, 8); // prob_intra: every macroblock is intra
    e.writeLiteral(128, 8); // prob_last (unused)
    e.writeLiteral(128, 8); // prob_gf (unused)
    e.writeLiteral(0, 1); // intra_16x16_prob_update_flag
    e.writeLiteral(0, 1); // intra_chroma_prob_update_flag
    for (const component of MV_UPDATE_PROBS) for (const p of component) e.writeBool(false, p);
  }
}

/** Macroblock header (RFC 6386 §19.3): skip flag, (in inter frames) "intra", then the two modes. */
function writeMacroblockHeader(
  e: BoolEncoder,
  keyframe: boolean,
  plan: MacroblockPlan,
  probSkipFalse: number,
): void {
  e.writeBool(plan.skip, probSkipFalse);
  if (!keyframe) e.writeBool(false, 255); // is_inter_mb: no, at prob_intra
  writeYMode(e, plan.yMode, keyframe);
  writeUvMode(e, plan.uvMode, keyframe);
}

/**
 * The "has non-zero coefficients" flags of the blocks bordering the next macroblock (RFC 6386 §13.3):
 * per macroblock column for the row above, and for the macroblock to the left.
 */
class TokenContexts {
  readonly aboveY2: Uint8Array;
  readonly aboveU: Uint8Array;
  readonly aboveV: Uint8Array;
  leftY2 = 0;
  readonly leftU = new Uint8Array(2);
  readonly leftV = new Uint8Array(2);

  constructor(mbCols: number) {
    this.aboveY2 = new Uint8Array(mbCols);
    this.aboveU = new Uint8Array(mbCols * 2);
    this.aboveV = new Uint8Array(mbCols * 2);
  }

  startRow(): void {
    this.leftY2 = 0;
    this.leftU.fill(0);
    this.leftV.fill(0);
  }
}

/** Writes the four 4x4 blocks of one 8x8 chroma plane, all carrying `value`, in raster order. */
function writeChromaBlocks(
  e: BoolEncoder,
  above: Uint8Array,
  left: Uint8Array,
  col: number,
  value: number,
): void {
  for (let by = 0; by < 2; by++) {
    for (let bx = 0; bx < 2; bx++) {
      const a = col * 2 + bx;
      const nonZero = writeDcOnlyBlock(
        e,
        BlockType.chroma,
        (above[a] as number) + (left[by] as number),
        value,
      );
      above[a] = left[by] = nonZero ? 1 : 0;
    }
  }
}

/** The residual tokens of one macroblock that is not skipped: Y2, 16 luma, 4 U and 4 V blocks. */
function writeMacroblockTokens(e: BoolEncoder, ctx: TokenContexts, col: number, plan: MacroblockPlan): void {
  const y2NonZero = writeDcOnlyBlock(e, BlockType.y2, (ctx.aboveY2[col] as number) + ctx.leftY2, plan.y2);
  ctx.aboveY2[col] = ctx.leftY2 = y2NonZero ? 1 : 0;
  // Luma blocks carry no AC coefficients, so each is an end-of-block whose neighbours are all empty.
  for (let i = 0; i < 16; i++) writeDcOnlyBlock(e, BlockType.yAfterY2, 0, 0);
  writeChromaBlocks(e, ctx.aboveU, ctx.leftU, col, plan.u);
  writeChromaBlocks(e, ctx.aboveV, ctx.leftV, col, plan.v);
}

/** A skipped macroblock has no coefficients: its blocks' contexts, Y2 included, become 0. */
function clearMacroblockContexts(ctx: TokenContexts, col: number): void {
  ctx.aboveY2[col] = ctx.leftY2 = 0;
  ctx.aboveU.fill(0, col * 2, col * 2 + 2);
  ctx.aboveV.fill(0, col * 2, col * 2 + 2);
  ctx.leftU.fill(0);
  ctx.leftV.fill(0);
}

/** The 3-byte frame tag, and for key frames the start code and dimensions (RFC 6386 §9.1). */
function uncompressedHeader(
  keyframe: boolean,
  firstPartitionSize: number,
  width: number,
  height: number,
): Buffer {
  const header = Buffer.alloc(keyframe ? 10 : 3);
  // Bit 0: not a key frame; bits 1-3: version 0; bit 4: show_frame; bits 5-23: first partition size.
  const tag = (keyframe ? 0 : 1) | (1 << 4) | (firstPartitionSize << 5);
  header.writeUIntLE(tag, 0, 3);
  if (keyframe) {
    header.set([0x9d, 0x01, 0x2a], 3);
    header.writeUInt16LE(width, 6); // the top two bits (scaling) stay 0
    header.writeUInt16LE(height, 8);
  }
  return header;
}

/**
 * Encodes a flat-macroblock picture as one VP8 frame (RFC 6386). Every macroblock is intra coded, with
 * the whole-macroblock mode (DC, V, H or TM) that predicts it best, and reconstructs to exactly its
 * colour, in key frames and inter frames alike; an inter frame still needs a preceding key frame, as
 * with any encoder. A macroblock that a mode predicts exactly is skipped (no residual).
 *
 * @example
 * const picture = createFlatPicture(20, 15, { y: 81, u: 90, v: 240 }); // 320x240, red
 * const frame = encodeFlatVp8Frame(picture, { keyframe: true });
 */
export function encodeFlatVp8Frame(picture: FlatPicture, options: FlatVp8FrameOptions): Buffer {
  const { mbCols, mbRows } = picture;
  const width = mbCols * MB_SIZE;
  const height = mbRows * MB_SIZE;
  if (width > VP8_MAX_DIMENSION || height > VP8_MAX_DIMENSION) {
    throw new RangeError(`VP8 frames are at most ${VP8_MAX_DIMENSION} pixels a side, got ${width}x${height}`);
  }
  const n = mbCols * mbRows;
  if (picture.y.length !== n || picture.u.length !== n || picture.v.length !== n) {
    throw new TypeError(`a ${mbCols}x${mbRows} flat picture needs ${n} values per plane`);
  }
  const { keyframe } = options;
  const plans = planMacroblocks(picture);
  const probSkipFalse = probabilityOf(plans.filter((p) => !p.skip).length, plans.length);

  const modes = new BoolEncoder();
  writeFrameHeader(modes, keyframe, probSkipFalse);
  const tokens = new BoolEncoder();
  const ctx = new TokenContexts(mbCols);
  for (let row = 0; row < mbRows; row++) {
    ctx.startRow();
    for (let col = 0; col < mbCols; col++) {
      const plan = plans[row * mbCols + col] as MacroblockPlan;
      writeMacroblockHeader(modes, keyframe, plan, probSkipFalse);
      if (plan.skip) clearMacroblockContexts(ctx, col);
      else writeMacroblockTokens(tokens, ctx, col, plan);
    }
  }
  const firstPartition = modes.finish();
  return Buffer.concat([
    uncompressedHeader(keyframe, firstPartition.length, width, height),
    firstPartition,
    tokens.finish(),
  ]);
}
