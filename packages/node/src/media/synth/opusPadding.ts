import { MediaFormatError } from '../MediaFormatError.js';
import { parseOpusToc } from '../opusToc.js';

/** The compressed frames and the padding of one Opus packet (RFC 6716 §3.2). */
export interface OpusPacketParts {
  /** The TOC byte's configuration and stereo bits; its frame-count code is left out (0). */
  config: number;
  frames: Uint8Array[];
  /** The padding bytes at the end of a code-3 packet; empty for other codes. */
  padding: Uint8Array;
}

/** Longest Opus frame, in bytes (RFC 6716 §3.2.1). */
const MAX_FRAME_BYTES = 1275;

function frameLength(packet: Uint8Array, offset: number): { length: number; size: number } {
  const first = packet[offset];
  if (first === undefined) throw MediaFormatError.truncated('Opus frame length', offset, 1, 0);
  if (first < 252) return { length: first, size: 1 };
  const second = packet[offset + 1];
  if (second === undefined) throw MediaFormatError.truncated('Opus frame length', offset, 2, 1);
  return { length: 4 * second + first, size: 2 };
}

function encodeFrameLength(length: number): number[] {
  if (length < 252) return [length];
  const first = 252 + (length & 3);
  return [first, (length - first) >> 2];
}

function check(condition: boolean, message: string): void {
  if (!condition) throw new MediaFormatError('bad-structure', message);
}

/**
 * Splits an Opus packet into its frames and padding, checking the framing rules of RFC 6716 §3.2
 * (R1–R7). Frame data are views into `packet`.
 */
export function parseOpusPacket(packet: Uint8Array): OpusPacketParts {
  const toc = parseOpusToc(packet); // throws for an empty packet, a bad frame count or > 120 ms
  const config = (packet[0] as number) & 0xfc;
  const code = (packet[0] as number) & 3;
  const frames: Uint8Array[] = [];
  let padding: Uint8Array = new Uint8Array(0);
  if (code === 0) {
    frames.push(packet.subarray(1));
  } else if (code === 1) {
    check((packet.length - 1) % 2 === 0, 'Opus code-1 packet with an odd payload length');
    const half = (packet.length - 1) / 2;
    frames.push(packet.subarray(1, 1 + half), packet.subarray(1 + half));
  } else if (code === 2) {
    const { length, size } = frameLength(packet, 1);
    check(1 + size + length <= packet.length, 'Opus code-2 first frame runs past the packet');
    frames.push(packet.subarray(1 + size, 1 + size + length), packet.subarray(1 + size + length));
  } else {
    const countByte = packet[1] as number;
    const vbr = (countByte & 0x80) !== 0;
    let offset = 2;
    let paddingLength = 0;
    if (countByte & 0x40) {
      let byte: number;
      do {
        byte = packet[offset++] ?? -1;
        check(byte >= 0, 'Opus padding length runs past the packet');
        paddingLength += byte === 255 ? 254 : byte;
      } while (byte === 255);
    }
    const end = packet.length - paddingLength;
    check(end >= offset, 'Opus padding is longer than the packet');
    padding = packet.subarray(end);
    if (vbr) {
      const lengths: number[] = [];
      for (let i = 0; i < toc.frameCount - 1; i++) {
        const { length, size } = frameLength(packet, offset);
        lengths.push(length);
        offset += size;
      }
      check(offset <= end, 'Opus frame lengths run past the packet');
      lengths.push(end - offset - lengths.reduce((a, b) => a + b, 0));
      check(
        lengths.every((l) => l >= 0),
        'Opus VBR frames run past the packet',
      );
      for (const length of lengths) {
        frames.push(packet.subarray(offset, offset + length));
        offset += length;
      }
    } else {
      const total = end - offset;
      check(total % toc.frameCount === 0, 'Opus CBR packet does not split into equal frames');
      const length = total / toc.frameCount;
      for (let i = 0; i < toc.frameCount; i++)
        frames.push(packet.subarray(offset + i * length, offset + (i + 1) * length));
    }
  }
  check(
    frames.every((f) => f.length <= MAX_FRAME_BYTES),
    `Opus frame longer than ${MAX_FRAME_BYTES} bytes`,
  );
  return { config, frames, padding };
}

/**
 * Re-frames an Opus packet as a code-3 packet (RFC 6716 §3.2.5) with `padding` as its padding bytes.
 * Decoders skip padding, so the audio is unchanged. The frames are stored CBR when they are all the
 * same size, VBR otherwise. Any padding the packet already had is replaced.
 *
 * @example
 * const tagged = padOpusPacket(encoder.encode(pcm, 960), Buffer.from([0, 1, 2]));
 */
export function padOpusPacket(packet: Uint8Array, padding: Uint8Array): Buffer {
  const { config, frames } = parseOpusPacket(packet);
  const vbr = frames.some((f) => f.length !== frames[0]?.length);
  const header: number[] = [config | 3, (vbr ? 0x80 : 0) | (padding.length > 0 ? 0x40 : 0) | frames.length];
  if (padding.length > 0) {
    // Each 255 stands for 254 bytes of padding and another length byte; the last is 0..254.
    let left = padding.length;
    while (left >= 255) {
      header.push(255);
      left -= 254;
    }
    header.push(left);
  }
  if (vbr) for (const f of frames.slice(0, -1)) header.push(...encodeFrameLength(f.length));
  return Buffer.concat([Buffer.from(header), ...frames, padding]);
}
