/**
 * The picture size a VP8 key frame declares in its uncompressed header (RFC 6386 §9.1): after the 3-byte frame
 * tag, the start code 9d 01 2a, then 14-bit width and height (the top 2 bits of each are the scaling mode).
 */
export function vp8FrameSize(frame: Uint8Array): { width: number; height: number } | null {
  if (frame.length < 10 || (frame[0]! & 0x01) !== 0) return null;
  if (frame[3] !== 0x9d || frame[4] !== 0x01 || frame[5] !== 0x2a) return null;
  const width = (frame[6]! | (frame[7]! << 8)) & 0x3fff;
  const height = (frame[8]! | (frame[9]! << 8)) & 0x3fff;
  return width > 0 && height > 0 ? { width, height } : null;
}
