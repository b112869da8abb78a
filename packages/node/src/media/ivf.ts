import { MediaFormatError } from './MediaFormatError.js';

/** The 32-byte IVF file header. `timebaseNumerator / timebaseDenominator` seconds is one pts tick. */
export interface IvfHeader {
  /** Four ASCII characters naming the codec, e.g. `VP80`. */
  fourcc: string;
  width: number;
  height: number;
  timebaseNumerator: number;
  timebaseDenominator: number;
  /** Frame count as the header states it; writers often leave it 0 or stale, so readers don't trust it. */
  frameCount: number;
}

/** One IVF frame: a complete compressed video frame and its presentation time in timebase ticks. */
export interface IvfFrame {
  pts: number;
  data: Uint8Array;
}

/** A whole parsed IVF file. */
export interface IvfFile {
  header: IvfHeader;
  frames: IvfFrame[];
}

export const IVF_HEADER_SIZE = 32;
export const IVF_FRAME_HEADER_SIZE = 12;
const SIGNATURE = 'DKIF';

function view(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function ascii(bytes: Uint8Array, start: number, length: number): string {
  return String.fromCharCode(...bytes.subarray(start, start + length));
}

/**
 * Parses the 32-byte IVF header at the start of `bytes`.
 *
 * @example
 * const { fourcc, width, height } = parseIvfHeader(await readFile('testsrc.ivf'));
 */
export function parseIvfHeader(bytes: Uint8Array): IvfHeader {
  if (bytes.length < IVF_HEADER_SIZE) {
    throw MediaFormatError.truncated('IVF header', 0, IVF_HEADER_SIZE, bytes.length);
  }
  if (ascii(bytes, 0, 4) !== SIGNATURE) {
    throw new MediaFormatError('bad-signature', 'not an IVF file: missing DKIF signature');
  }
  const v = view(bytes);
  const version = v.getUint16(4, true);
  const headerSize = v.getUint16(6, true);
  if (version !== 0) throw new MediaFormatError('unsupported', `unsupported IVF version ${version}`);
  if (headerSize !== IVF_HEADER_SIZE) {
    throw new MediaFormatError(
      'bad-structure',
      `IVF header size is ${headerSize}, expected ${IVF_HEADER_SIZE}`,
    );
  }
  const header: IvfHeader = {
    fourcc: ascii(bytes, 8, 4),
    width: v.getUint16(12, true),
    height: v.getUint16(14, true),
    // The file stores the rate (denominator) before the scale (numerator).
    timebaseDenominator: v.getUint32(16, true),
    timebaseNumerator: v.getUint32(20, true),
    frameCount: v.getUint32(24, true),
  };
  if (header.timebaseDenominator === 0 || header.timebaseNumerator === 0) {
    throw new MediaFormatError('bad-structure', 'IVF timebase has a zero term');
  }
  return header;
}

/**
 * Iterates the frames after the header, lazily. Throws `truncated` if a frame header or frame body
 * runs past the end of `bytes`, so a cut-off download never yields a silently short frame.
 */
export function* iterateIvfFrames(bytes: Uint8Array): Generator<IvfFrame> {
  parseIvfHeader(bytes);
  const v = view(bytes);
  let offset = IVF_HEADER_SIZE;
  while (offset < bytes.length) {
    if (bytes.length - offset < IVF_FRAME_HEADER_SIZE) {
      throw MediaFormatError.truncated(
        'IVF frame header',
        offset,
        IVF_FRAME_HEADER_SIZE,
        bytes.length - offset,
      );
    }
    const size = v.getUint32(offset, true);
    const pts = v.getBigUint64(offset + 4, true);
    if (pts > BigInt(Number.MAX_SAFE_INTEGER)) {
      throw new MediaFormatError('out-of-range', `IVF frame pts ${pts} at byte ${offset} is too large`);
    }
    const start = offset + IVF_FRAME_HEADER_SIZE;
    if (bytes.length - start < size) {
      throw MediaFormatError.truncated('IVF frame', start, size, bytes.length - start);
    }
    yield { pts: Number(pts), data: bytes.subarray(start, start + size) };
    offset = start + size;
  }
}

/**
 * Parses a whole IVF file. Frame data are views into `bytes`, not copies.
 *
 * @example
 * const { header, frames } = parseIvf(await readFile('packages/node/samples/testsrc.ivf'));
 */
export function parseIvf(bytes: Uint8Array): IvfFile {
  return { header: parseIvfHeader(bytes), frames: [...iterateIvfFrames(bytes)] };
}

/** Serializes an IVF header; `frameCount` is written as given. */
export function serializeIvfHeader(header: IvfHeader): Uint8Array {
  if (!/^[\x20-\x7e]{4}$/.test(header.fourcc)) {
    throw new TypeError(
      `IVF fourcc must be 4 printable ASCII characters, got ${JSON.stringify(header.fourcc)}`,
    );
  }
  const out = new Uint8Array(IVF_HEADER_SIZE);
  const v = view(out);
  for (let i = 0; i < 4; i++) out[i] = SIGNATURE.charCodeAt(i);
  v.setUint16(4, 0, true);
  v.setUint16(6, IVF_HEADER_SIZE, true);
  for (let i = 0; i < 4; i++) out[8 + i] = header.fourcc.charCodeAt(i);
  v.setUint16(12, header.width, true);
  v.setUint16(14, header.height, true);
  v.setUint32(16, header.timebaseDenominator, true);
  v.setUint32(20, header.timebaseNumerator, true);
  v.setUint32(24, header.frameCount, true);
  return out;
}

/** Serializes one frame record (12-byte frame header followed by the frame data). */
export function serializeIvfFrame(frame: IvfFrame): Uint8Array {
  if (!Number.isSafeInteger(frame.pts) || frame.pts < 0) {
    throw new TypeError(`IVF pts must be a non-negative safe integer, got ${frame.pts}`);
  }
  const out = new Uint8Array(IVF_FRAME_HEADER_SIZE + frame.data.length);
  const v = view(out);
  v.setUint32(0, frame.data.length, true);
  v.setBigUint64(4, BigInt(frame.pts), true);
  out.set(frame.data, IVF_FRAME_HEADER_SIZE);
  return out;
}

/**
 * Writes a whole IVF file; the header's frame count is replaced by `frames.length`.
 *
 * @example
 * await writeFile('out.ivf', writeIvf(header, frames));
 */
export function writeIvf(header: IvfHeader, frames: readonly IvfFrame[]): Buffer {
  const parts = [
    serializeIvfHeader({ ...header, frameCount: frames.length }),
    ...frames.map(serializeIvfFrame),
  ];
  return Buffer.concat(parts);
}
