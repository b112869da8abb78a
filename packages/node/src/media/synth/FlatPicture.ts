/**
 * A picture in which every 16x16 macroblock has one flat colour: the only kind of picture
 * {@link encodeFlatVp8Frame} encodes. Each plane holds one value per macroblock, row by row, so a
 * 320x240 picture is 20x15 = 300 values per plane.
 */
export interface FlatPicture {
  /** Width in macroblocks; the picture is `16 * mbCols` pixels wide. */
  readonly mbCols: number;
  /** Height in macroblocks. */
  readonly mbRows: number;
  /** Luma (Y) of each macroblock, 0..255. */
  readonly y: Uint8Array;
  /** Chroma blue difference (Cb) of each macroblock. */
  readonly u: Uint8Array;
  /** Chroma red difference (Cr) of each macroblock. */
  readonly v: Uint8Array;
}

/** A YUV colour, each component 0..255. */
export interface YuvColour {
  y: number;
  u: number;
  v: number;
}

/** Pixels per macroblock side. */
export const MB_SIZE = 16;

/** A picture of `mbCols` x `mbRows` macroblocks, all of `colour`. */
export function createFlatPicture(mbCols: number, mbRows: number, colour: YuvColour): FlatPicture {
  if (!Number.isInteger(mbCols) || !Number.isInteger(mbRows) || mbCols < 1 || mbRows < 1) {
    throw new TypeError(`a flat picture needs at least 1x1 macroblocks, got ${mbCols}x${mbRows}`);
  }
  const n = mbCols * mbRows;
  return {
    mbCols,
    mbRows,
    y: new Uint8Array(n).fill(colour.y),
    u: new Uint8Array(n).fill(colour.u),
    v: new Uint8Array(n).fill(colour.v),
  };
}

/** Sets macroblock (`col`, `row`) to `colour`; coordinates outside the picture are ignored. */
export function setMacroblock(picture: FlatPicture, col: number, row: number, colour: YuvColour): void {
  if (col < 0 || row < 0 || col >= picture.mbCols || row >= picture.mbRows) return;
  const i = row * picture.mbCols + col;
  picture.y[i] = colour.y;
  picture.u[i] = colour.u;
  picture.v[i] = colour.v;
}

/**
 * The picture as raw I420 (yuv420p) bytes: the full-resolution Y plane, then the half-resolution U and
 * V planes. This is what a decoder outputs for it, so a test can compare the two byte for byte.
 */
export function flatPictureToI420(picture: FlatPicture): Buffer {
  const width = picture.mbCols * MB_SIZE;
  const height = picture.mbRows * MB_SIZE;
  const out = Buffer.alloc((width * height * 3) / 2);
  const fill = (plane: Uint8Array, offset: number, block: number): void => {
    const stride = picture.mbCols * block;
    for (let row = 0; row < picture.mbRows; row++) {
      for (let line = 0; line < block; line++) {
        const start = offset + (row * block + line) * stride;
        for (let col = 0; col < picture.mbCols; col++) {
          const value = plane[row * picture.mbCols + col] as number;
          out.fill(value, start + col * block, start + (col + 1) * block);
        }
      }
    }
  };
  fill(picture.y, 0, MB_SIZE);
  fill(picture.u, width * height, MB_SIZE / 2);
  fill(picture.v, (width * height * 5) / 4, MB_SIZE / 2);
  return out;
}

/**
 * Samples the centre pixel of every macroblock of a decoded I420 picture, giving back a flat picture:
 * what a receiver that decodes the video sees of a synthetic frame.
 */
export function sampleI420Macroblocks(i420: Uint8Array, mbCols: number, mbRows: number): FlatPicture {
  const width = mbCols * MB_SIZE;
  const height = mbRows * MB_SIZE;
  if (i420.length < (width * height * 3) / 2) {
    throw new TypeError(`an I420 picture of ${width}x${height} needs ${(width * height * 3) / 2} bytes`);
  }
  const picture = createFlatPicture(mbCols, mbRows, { y: 0, u: 0, v: 0 });
  const chromaStride = width / 2;
  for (let row = 0; row < mbRows; row++) {
    for (let col = 0; col < mbCols; col++) {
      const i = row * mbCols + col;
      const chroma = (row * 8 + 4) * chromaStride + col * 8 + 4;
      picture.y[i] = i420[(row * MB_SIZE + 8) * width + col * MB_SIZE + 8] as number;
      picture.u[i] = i420[width * height + chroma] as number;
      picture.v[i] = i420[(width * height * 5) / 4 + chroma] as number;
    }
  }
  return picture;
}
