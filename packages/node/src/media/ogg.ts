import { MediaFormatError } from './MediaFormatError.js';

/** Header-type flags of an Ogg page (RFC 3533 §6). */
export const OggFlags = { continued: 0x01, bos: 0x02, eos: 0x04 } as const;

/** One Ogg page. `granulePosition` is -1 when no packet ends on the page. */
export interface OggPage {
  headerType: number;
  granulePosition: number;
  serial: number;
  sequence: number;
  /** The lacing values of the segment table. */
  segments: number[];
  data: Uint8Array;
}

/** A packet reassembled from pages; `granulePosition` is the page's if the packet is the last to end there, else -1. */
export interface OggPacket {
  serial: number;
  data: Uint8Array;
  granulePosition: number;
  bos: boolean;
  eos: boolean;
}

const PAGE_HEADER_SIZE = 27;
const MAX_SEGMENTS = 255;

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let r = i << 24;
    for (let j = 0; j < 8; j++) r = r & 0x80000000 ? (r << 1) ^ 0x04c11db7 : r << 1;
    table[i] = r >>> 0;
  }
  return table;
})();

/** The Ogg CRC-32: polynomial 0x04c11db7, zero initial value, no reflection, no final xor. */
export function oggCrc32(bytes: Uint8Array): number {
  let crc = 0;
  for (const b of bytes) crc = ((crc << 8) ^ (CRC_TABLE[((crc >>> 24) ^ b) & 0xff] as number)) >>> 0;
  return crc;
}

function dataView(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/**
 * Parses the page starting at `offset`, checking its signature, version and CRC.
 * Returns the page and the number of bytes it occupies.
 */
export function parseOggPage(bytes: Uint8Array, offset = 0): { page: OggPage; size: number } {
  const left = bytes.length - offset;
  if (left < PAGE_HEADER_SIZE)
    throw MediaFormatError.truncated('Ogg page header', offset, PAGE_HEADER_SIZE, left);
  if (String.fromCharCode(...bytes.subarray(offset, offset + 4)) !== 'OggS') {
    throw new MediaFormatError('bad-signature', `no OggS capture pattern at byte ${offset}`);
  }
  const v = dataView(bytes);
  if (bytes[offset + 4] !== 0)
    throw new MediaFormatError('unsupported', `Ogg page version ${bytes[offset + 4]}`);
  const segmentCount = bytes[offset + 26] as number;
  const headerSize = PAGE_HEADER_SIZE + segmentCount;
  if (left < headerSize) throw MediaFormatError.truncated('Ogg segment table', offset, headerSize, left);
  const segments = [...bytes.subarray(offset + PAGE_HEADER_SIZE, offset + headerSize)];
  const bodySize = segments.reduce((a, b) => a + b, 0);
  if (left < headerSize + bodySize)
    throw MediaFormatError.truncated('Ogg page body', offset, headerSize + bodySize, left);
  const size = headerSize + bodySize;
  // A copy, not a view: the CRC is computed with its own field zeroed. (Buffer#slice would be a view.)
  const raw = Uint8Array.from(bytes.subarray(offset, offset + size));
  const stored = v.getUint32(offset + 22, true);
  raw.fill(0, 22, 26);
  const computed = oggCrc32(raw);
  if (stored !== computed) {
    throw new MediaFormatError(
      'bad-crc',
      `Ogg page at byte ${offset}: CRC 0x${stored.toString(16)} stored, 0x${computed.toString(16)} computed`,
    );
  }
  const granule = v.getBigInt64(offset + 6, true);
  if (granule > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new MediaFormatError('out-of-range', `Ogg granule position ${granule} is too large`);
  }
  const page: OggPage = {
    headerType: bytes[offset + 5] as number,
    granulePosition: granule < 0n ? -1 : Number(granule),
    serial: v.getUint32(offset + 14, true),
    sequence: v.getUint32(offset + 18, true),
    segments,
    data: bytes.subarray(offset + headerSize, offset + size),
  };
  return { page, size };
}

/** Parses every page of a complete Ogg file; trailing bytes that are not a whole page throw `truncated`. */
export function parseOggPages(bytes: Uint8Array): OggPage[] {
  const pages: OggPage[] = [];
  for (let offset = 0; offset < bytes.length; ) {
    const { page, size } = parseOggPage(bytes, offset);
    pages.push(page);
    offset += size;
  }
  return pages;
}

/** Serializes a page and fills in its CRC. */
export function serializeOggPage(page: OggPage): Buffer {
  if (page.segments.length > MAX_SEGMENTS)
    throw new TypeError(`an Ogg page holds at most ${MAX_SEGMENTS} segments`);
  const out = Buffer.alloc(PAGE_HEADER_SIZE + page.segments.length + page.data.length);
  out.write('OggS', 0, 'latin1');
  out[4] = 0;
  out[5] = page.headerType;
  out.writeBigInt64LE(BigInt(page.granulePosition), 6);
  out.writeUInt32LE(page.serial, 14);
  out.writeUInt32LE(page.sequence, 18);
  out[26] = page.segments.length;
  out.set(page.segments, PAGE_HEADER_SIZE);
  out.set(page.data, PAGE_HEADER_SIZE + page.segments.length);
  out.writeUInt32LE(oggCrc32(out), 22);
  return out;
}

/**
 * Reassembles packets from pages (lacing values of 255 continue a packet, across pages too).
 * Strict: a page-sequence gap, a continuation without a started packet, or a started packet the
 * next page does not continue all throw `bad-structure`.
 */
export function oggPacketsFromPages(pages: readonly OggPage[]): OggPacket[] {
  const packets: OggPacket[] = [];
  const streams = new Map<number, { sequence: number; partial: Uint8Array[]; started: boolean }>();
  for (const page of pages) {
    let state = streams.get(page.serial);
    if (state && page.sequence !== state.sequence + 1) {
      throw new MediaFormatError(
        'bad-structure',
        `Ogg stream ${page.serial}: page ${page.sequence} after ${state.sequence}`,
      );
    }
    if (!state) {
      state = { sequence: page.sequence, partial: [], started: false };
      streams.set(page.serial, state);
    }
    state.sequence = page.sequence;
    const continued = (page.headerType & OggFlags.continued) !== 0;
    if (continued !== state.partial.length > 0) {
      throw new MediaFormatError(
        'bad-structure',
        `Ogg page ${page.sequence}: continuation flag does not match packet state`,
      );
    }
    const lastEnd = page.segments.findLastIndex((s) => s < 255);
    let offset = 0;
    let start = 0;
    page.segments.forEach((lacing, i) => {
      offset += lacing;
      if (lacing === 255) return;
      state.partial.push(page.data.subarray(start, offset));
      packets.push({
        serial: page.serial,
        data: state.partial.length === 1 ? (state.partial[0] as Uint8Array) : Buffer.concat(state.partial),
        granulePosition: i === lastEnd ? page.granulePosition : -1,
        bos: (page.headerType & OggFlags.bos) !== 0 && !state.started,
        eos: i === lastEnd && (page.headerType & OggFlags.eos) !== 0,
      });
      state.partial = [];
      state.started = true;
      start = offset;
    });
    if (start < offset) state.partial.push(page.data.subarray(start, offset));
  }
  return packets;
}

/**
 * Paginates the packets of one logical stream. `write()` returns the bytes of any pages it
 * completed, so a recorder can append them to a file as it goes; `end()` flushes the last page
 * with the end-of-stream flag.
 *
 * @example
 * const w = new OggStreamWriter(0x1234);
 * out.write(w.write(head, 0, { flush: true }));
 */
export class OggStreamWriter {
  private sequence = 0;
  private segments: number[] = [];
  private chunks: Uint8Array[] = [];
  private bytes = 0;
  private granule = -1;
  private continued = false;
  private ended = false;

  /** `targetPageBytes` is the body size after which a page is closed at the next packet boundary. */
  constructor(
    readonly serial: number,
    private readonly targetPageBytes = 4096,
  ) {}

  /** Adds one packet ending at `granulePosition`; `flush` closes the page right after it. */
  write(packet: Uint8Array, granulePosition: number, options: { flush?: boolean } = {}): Buffer {
    if (this.ended) throw new Error('OggStreamWriter.write() after end()');
    const out: Buffer[] = [];
    const lacing = [...new Array<number>(Math.floor(packet.length / 255)).fill(255), packet.length % 255];
    let consumed = 0;
    for (let i = 0; i < lacing.length; i++) {
      if (this.segments.length === MAX_SEGMENTS) out.push(this.emit(false, consumed > 0));
      const value = lacing[i] as number;
      this.segments.push(value);
      this.chunks.push(packet.subarray(consumed, consumed + value));
      this.bytes += value;
      consumed += value;
    }
    this.granule = granulePosition;
    if (options.flush || this.bytes >= this.targetPageBytes) out.push(this.emit(false, false));
    return Buffer.concat(out);
  }

  /** Closes the stream: the pending page (or an empty one) goes out with the end-of-stream flag. */
  end(): Buffer {
    if (this.ended) throw new Error('OggStreamWriter.end() called twice');
    const page = this.emit(true, false);
    this.ended = true;
    return page;
  }

  private emit(eos: boolean, nextContinued: boolean): Buffer {
    const page = serializeOggPage({
      headerType:
        (this.continued ? OggFlags.continued : 0) |
        (this.sequence === 0 ? OggFlags.bos : 0) |
        (eos ? OggFlags.eos : 0),
      // A page on which no packet ends carries -1 (RFC 3533 §6).
      granulePosition: nextContinued && this.segments.every((s) => s === 255) ? -1 : this.granule,
      serial: this.serial,
      sequence: this.sequence++,
      segments: this.segments,
      data: Buffer.concat(this.chunks),
    });
    this.segments = [];
    this.chunks = [];
    this.bytes = 0;
    this.continued = nextContinued;
    return page;
  }
}
