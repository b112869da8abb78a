import { MediaFormatError } from './MediaFormatError.js';
import { OggStreamWriter, oggPacketsFromPages, parseOggPages } from './ogg.js';
import { opusPacketSamples } from './opusToc.js';

/** The Ogg Opus identification header (RFC 7845 §5.1). */
export interface OpusHead {
  channels: number;
  /** Samples (at 48 kHz) the decoder discards at the start. */
  preSkip: number;
  /** The original input rate, for information only; Opus always decodes at 48 kHz. */
  inputSampleRate: number;
  /** Q7.8 dB gain. */
  outputGain: number;
  mappingFamily: number;
  /** Present only when `mappingFamily` is not 0. */
  channelMapping?: { streamCount: number; coupledCount: number; mapping: number[] };
}

/** The Ogg Opus comment header (RFC 7845 §5.2). */
export interface OpusTags {
  vendor: string;
  /** `KEY=value` strings. */
  comments: string[];
}

/** A whole Ogg Opus stream: headers and the audio packets in order. */
export interface OggOpusStream {
  serial: number;
  head: OpusHead;
  tags: OpusTags;
  packets: Uint8Array[];
}

/** Parses an `OpusHead` packet. */
export function parseOpusHead(packet: Uint8Array): OpusHead {
  const b = Buffer.from(packet.buffer, packet.byteOffset, packet.byteLength);
  if (b.length < 19) throw MediaFormatError.truncated('OpusHead', 0, 19, b.length);
  if (b.toString('latin1', 0, 8) !== 'OpusHead')
    throw new MediaFormatError('bad-signature', 'missing OpusHead magic');
  if (b[8] !== 1) throw new MediaFormatError('unsupported', `OpusHead version ${b[8]}`);
  const head: OpusHead = {
    channels: b[9] as number,
    preSkip: b.readUInt16LE(10),
    inputSampleRate: b.readUInt32LE(12),
    outputGain: b.readInt16LE(16),
    mappingFamily: b[18] as number,
  };
  if (head.channels === 0) throw new MediaFormatError('bad-structure', 'OpusHead with zero channels');
  if (head.mappingFamily !== 0) {
    const needed = 21 + head.channels;
    if (b.length < needed)
      throw MediaFormatError.truncated('OpusHead channel mapping', 19, needed - 19, b.length - 19);
    head.channelMapping = {
      streamCount: b[19] as number,
      coupledCount: b[20] as number,
      mapping: [...b.subarray(21, needed)],
    };
  }
  return head;
}

/** Serializes an `OpusHead` packet. */
export function serializeOpusHead(head: OpusHead): Buffer {
  const mapping = head.mappingFamily === 0 ? undefined : head.channelMapping;
  if (head.mappingFamily !== 0 && !mapping)
    throw new TypeError('OpusHead mapping family != 0 needs channelMapping');
  const out = Buffer.alloc(19 + (mapping ? 2 + mapping.mapping.length : 0));
  out.write('OpusHead', 0, 'latin1');
  out[8] = 1;
  out[9] = head.channels;
  out.writeUInt16LE(head.preSkip, 10);
  out.writeUInt32LE(head.inputSampleRate, 12);
  out.writeInt16LE(head.outputGain, 16);
  out[18] = head.mappingFamily;
  if (mapping) {
    out[19] = mapping.streamCount;
    out[20] = mapping.coupledCount;
    out.set(mapping.mapping, 21);
  }
  return out;
}

/** Parses an `OpusTags` packet. */
export function parseOpusTags(packet: Uint8Array): OpusTags {
  const b = Buffer.from(packet.buffer, packet.byteOffset, packet.byteLength);
  const need = (offset: number, n: number, what: string) => {
    if (b.length < offset + n) throw MediaFormatError.truncated(what, offset, n, b.length - offset);
  };
  need(0, 12, 'OpusTags');
  if (b.toString('latin1', 0, 8) !== 'OpusTags')
    throw new MediaFormatError('bad-signature', 'missing OpusTags magic');
  const vendorLength = b.readUInt32LE(8);
  need(12, vendorLength + 4, 'OpusTags vendor');
  const vendor = b.toString('utf8', 12, 12 + vendorLength);
  let offset = 12 + vendorLength;
  const count = b.readUInt32LE(offset);
  offset += 4;
  const comments: string[] = [];
  for (let i = 0; i < count; i++) {
    need(offset, 4, 'OpusTags comment length');
    const length = b.readUInt32LE(offset);
    need(offset + 4, length, 'OpusTags comment');
    comments.push(b.toString('utf8', offset + 4, offset + 4 + length));
    offset += 4 + length;
  }
  return { vendor, comments };
}

/** Serializes an `OpusTags` packet. */
export function serializeOpusTags(tags: OpusTags): Buffer {
  const strings = [tags.vendor, ...tags.comments].map((s) => Buffer.from(s, 'utf8'));
  const parts: Buffer[] = [Buffer.from('OpusTags', 'latin1')];
  strings.forEach((s, i) => {
    const length = Buffer.alloc(4);
    length.writeUInt32LE(s.length);
    parts.push(length, s);
    if (i === 0) {
      const count = Buffer.alloc(4);
      count.writeUInt32LE(tags.comments.length);
      parts.push(count);
    }
  });
  return Buffer.concat(parts);
}

/**
 * Reads the first logical stream of an Ogg Opus file into its headers and audio packets. Every page
 * CRC is checked.
 *
 * @example
 * const { head, packets } = readOggOpus(await readFile('packages/node/samples/tone.ogg'));
 */
export function readOggOpus(bytes: Uint8Array): OggOpusStream {
  const all = oggPacketsFromPages(parseOggPages(bytes));
  const first = all[0];
  if (!first) throw new MediaFormatError('bad-structure', 'Ogg file holds no packets');
  const packets = all.filter((p) => p.serial === first.serial);
  const [headPacket, tagsPacket, ...audio] = packets;
  if (!headPacket || !tagsPacket)
    throw new MediaFormatError('bad-structure', 'Ogg Opus stream lacks its two headers');
  return {
    serial: first.serial,
    head: parseOpusHead(headPacket.data),
    tags: parseOpusTags(tagsPacket.data),
    packets: audio.map((p) => p.data),
  };
}

/**
 * Writes Opus packets as an Ogg Opus stream, page by page, so received audio can be recorded as it
 * arrives. Granule positions count 48 kHz samples from the packets' TOC bytes, plus the pre-skip.
 *
 * @example
 * const w = new OggOpusWriter({ head: { channels: 1, preSkip: 312, inputSampleRate: 48000, outputGain: 0, mappingFamily: 0 } });
 * file.write(w.header());
 * for (const p of packets) file.write(w.write(p));
 * file.end(w.end());
 */
export class OggOpusWriter {
  private readonly stream: OggStreamWriter;
  private readonly head: OpusHead;
  private readonly tags: OpusTags;
  private granule: number;
  private headerWritten = false;

  constructor(options: { head: OpusHead; tags?: OpusTags; serial?: number }) {
    this.head = options.head;
    this.tags = options.tags ?? { vendor: 'parley', comments: [] };
    this.stream = new OggStreamWriter(options.serial ?? (Math.random() * 0x1_0000_0000) >>> 0);
    this.granule = options.head.preSkip;
  }

  /** The two header pages; RFC 7845 wants each header on a page of its own. Call once, first. */
  header(): Buffer {
    if (this.headerWritten) throw new Error('OggOpusWriter.header() called twice');
    this.headerWritten = true;
    return Buffer.concat([
      this.stream.write(serializeOpusHead(this.head), 0, { flush: true }),
      this.stream.write(serializeOpusTags(this.tags), 0, { flush: true }),
    ]);
  }

  /** Adds one audio packet; returns the bytes of any page this completed (often none). */
  write(packet: Uint8Array): Buffer {
    if (!this.headerWritten) throw new Error('OggOpusWriter.write() before header()');
    this.granule += opusPacketSamples(packet);
    return this.stream.write(packet, this.granule);
  }

  /** Flushes the last page with the end-of-stream flag. */
  end(): Buffer {
    if (!this.headerWritten) throw new Error('OggOpusWriter.end() before header()');
    return this.stream.end();
  }
}

/** Writes a whole Ogg Opus file in one go. */
export function writeOggOpus(stream: Omit<OggOpusStream, 'serial'> & { serial?: number }): Buffer {
  const w = new OggOpusWriter(stream);
  return Buffer.concat([w.header(), ...stream.packets.map((p) => w.write(p)), w.end()]);
}
