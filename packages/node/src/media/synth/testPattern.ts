import { createFlatPicture, type FlatPicture, setMacroblock, type YuvColour } from './FlatPicture.js';

// BT.601 limited-range YUV of the classic colour bars, white to black.
const BARS: readonly YuvColour[] = [
  { y: 235, u: 128, v: 128 }, // white
  { y: 210, u: 16, v: 146 }, // yellow
  { y: 170, u: 166, v: 16 }, // cyan
  { y: 145, u: 54, v: 34 }, // green
  { y: 106, u: 202, v: 222 }, // magenta
  { y: 81, u: 90, v: 240 }, // red
  { y: 41, u: 240, v: 110 }, // blue
  { y: 16, u: 128, v: 128 }, // black
];
const SQUARE: YuvColour = { y: 180, u: 44, v: 200 }; // orange, a colour none of the bars has
const DIGIT_ON: YuvColour = { y: 235, u: 128, v: 128 };
const DIGIT_OFF: YuvColour = { y: 16, u: 128, v: 128 };

/** 3x5 glyphs of the digits 0-9, top row first; bit 2 is the left column. */
const FONT: readonly (readonly number[])[] = [
  [0b111, 0b101, 0b101, 0b101, 0b111],
  [0b010, 0b110, 0b010, 0b010, 0b111],
  [0b111, 0b001, 0b111, 0b100, 0b111],
  [0b111, 0b001, 0b111, 0b001, 0b111],
  [0b101, 0b101, 0b111, 0b001, 0b001],
  [0b111, 0b100, 0b111, 0b001, 0b111],
  [0b111, 0b100, 0b111, 0b101, 0b111],
  [0b111, 0b001, 0b010, 0b010, 0b010],
  [0b111, 0b101, 0b111, 0b101, 0b111],
  [0b111, 0b101, 0b111, 0b001, 0b111],
];
const GLYPH_WIDTH = 3;
const GLYPH_HEIGHT = 5;
/** Each digit takes a blank column on its left plus its glyph; the box has a blank row above and below. */
const CELL_WIDTH = GLYPH_WIDTH + 1;
const BOX_HEIGHT = GLYPH_HEIGHT + 2;
const MAX_DIGITS = 6;

/**
 * How many digits of the frame number a picture of `mbCols` x `mbRows` macroblocks shows: one per 4
 * columns, at most 6, and none if it is shorter than 7 rows. 320x240 (20x15) shows 5.
 */
export function patternDigitCount(mbCols: number, mbRows: number): number {
  if (mbRows < BOX_HEIGHT) return 0;
  return Math.min(MAX_DIGITS, Math.floor(mbCols / CELL_WIDTH));
}

/** Position 0..span-1 of something bouncing back and forth over `span` places, one place per step. */
function bounce(step: number, span: number): number {
  if (span <= 1) return 0;
  const period = 2 * (span - 1);
  const t = step % period;
  return t < span ? t : period - t;
}

/**
 * Draws frame `index` of the synthetic camera's test pattern, one colour per macroblock:
 * colour bars scrolling left one macroblock per frame, an orange square bouncing diagonally, and the
 * frame number (its last {@link patternDigitCount} digits) in white 3x5-macroblock digits on a black
 * box in the top-left corner. Every frame differs from the one before, so a frozen picture shows.
 *
 * @example
 * const picture = drawTestPattern(42, 20, 15); // 320x240
 */
export function drawTestPattern(index: number, mbCols: number, mbRows: number): FlatPicture {
  if (!Number.isSafeInteger(index) || index < 0) {
    throw new TypeError(`frame index must be a non-negative integer, got ${index}`);
  }
  const picture = createFlatPicture(mbCols, mbRows, DIGIT_OFF);
  const barWidth = Math.max(1, Math.ceil(mbCols / BARS.length));
  const cycle = barWidth * BARS.length;
  for (let row = 0; row < mbRows; row++) {
    for (let col = 0; col < mbCols; col++) {
      const bar = Math.floor(((col + index) % cycle) / barWidth);
      setMacroblock(picture, col, row, BARS[bar] as YuvColour);
    }
  }
  const side = Math.max(1, Math.min(4, Math.floor(Math.min(mbCols, mbRows) / 4)));
  // The square stays below the digits when there is room for it there, so it is never hidden.
  const firstRow = patternDigitCount(mbCols, mbRows) > 0 && mbRows - BOX_HEIGHT >= side ? BOX_HEIGHT : 0;
  const left = bounce(index, mbCols - side + 1);
  const top = firstRow + bounce(index, mbRows - firstRow - side + 1);
  for (let row = top; row < top + side; row++) {
    for (let col = left; col < left + side; col++) setMacroblock(picture, col, row, SQUARE);
  }
  drawDigits(picture, index);
  return picture;
}

function drawDigits(picture: FlatPicture, index: number): void {
  const count = patternDigitCount(picture.mbCols, picture.mbRows);
  if (count === 0) return;
  const text = String(index % 10 ** count).padStart(count, '0');
  for (let row = 0; row < BOX_HEIGHT; row++) {
    for (let col = 0; col < count * CELL_WIDTH; col++) setMacroblock(picture, col, row, DIGIT_OFF);
  }
  for (let d = 0; d < count; d++) {
    const glyph = FONT[Number(text[d])] as readonly number[];
    for (let gy = 0; gy < GLYPH_HEIGHT; gy++) {
      for (let gx = 0; gx < GLYPH_WIDTH; gx++) {
        if (((glyph[gy] as number) >> (GLYPH_WIDTH - 1 - gx)) & 1) {
          setMacroblock(picture, d * CELL_WIDTH + 1 + gx, 1 + gy, DIGIT_ON);
        }
      }
    }
  }
}

/**
 * Reads the frame number digits back from a picture of the test pattern, such as one sampled from
 * decoded video with `sampleI420Macroblocks`: a receiver that decodes can check the frame number
 * without the trailer. Returns the number modulo `10 ** patternDigitCount(...)`, or null when a digit
 * is not one of the glyphs (not the test pattern, or a damaged picture).
 */
export function readTestPatternNumber(picture: FlatPicture): number | null {
  const count = patternDigitCount(picture.mbCols, picture.mbRows);
  if (count === 0) return null;
  let value = 0;
  for (let d = 0; d < count; d++) {
    const rows: number[] = [];
    for (let gy = 0; gy < GLYPH_HEIGHT; gy++) {
      let bits = 0;
      for (let gx = 0; gx < GLYPH_WIDTH; gx++) {
        const luma = picture.y[(1 + gy) * picture.mbCols + d * CELL_WIDTH + 1 + gx] as number;
        bits = (bits << 1) | (luma >= 128 ? 1 : 0);
      }
      rows.push(bits);
    }
    const digit = FONT.findIndex((glyph) => glyph.every((bits, i) => bits === rows[i]));
    if (digit < 0) return null;
    value = value * 10 + digit;
  }
  return value;
}
