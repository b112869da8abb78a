import { oggCrc32 } from '../ogg.js';

/**
 * The 12 bytes the synthetic devices put at the very end of what they produce, where decoders ignore
 * them: the magic `PRLY`, the frame or packet number (uint32, big-endian) and a CRC-32 of every byte
 * before the CRC, so a receiver can tell its own media from anything else and spot corruption without
 * decoding. The CRC is the Ogg one (CRC-32, polynomial 0x04c11db7) the package already has.
 */
export const SYNTHETIC_TAG_SIZE = 12;

const MAGIC = Buffer.from('PRLY', 'latin1');

/** `bytes` followed by the tag carrying `index`. */
export function appendSyntheticTag(bytes: Uint8Array, index: number): Buffer {
  if (!Number.isInteger(index) || index < 0 || index > 0xffff_ffff) {
    throw new RangeError(`synthetic media numbers are uint32, got ${index}`);
  }
  const out = Buffer.alloc(bytes.length + SYNTHETIC_TAG_SIZE);
  out.set(bytes, 0);
  MAGIC.copy(out, bytes.length);
  out.writeUInt32BE(index, bytes.length + 4);
  out.writeUInt32BE(oggCrc32(out.subarray(0, out.length - 4)), out.length - 4);
  return out;
}

/** The number in the tag at the end of `bytes`, or null if there is no intact tag there. */
export function readSyntheticTag(bytes: Uint8Array): number | null {
  if (bytes.length < SYNTHETIC_TAG_SIZE) return null;
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const at = b.length - SYNTHETIC_TAG_SIZE;
  if (!b.subarray(at, at + 4).equals(MAGIC)) return null;
  if (b.readUInt32BE(b.length - 4) !== oggCrc32(b.subarray(0, b.length - 4))) return null;
  return b.readUInt32BE(at + 4);
}
