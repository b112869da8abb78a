/**
 * Keyframe detection on RTP payloads, so a consumer can start (or resume after a switch) on a frame the
 * player can decode. Only the first packet of a keyframe is recognised; that is where forwarding may begin.
 */

/** True if `payload` (an RTP payload of codec `mimeType`) starts a keyframe. Audio is always "key". */
export function isKeyframeStart(mimeType: string, payload: Uint8Array): boolean {
  const mime = mimeType.toLowerCase();
  if (mime.startsWith('audio/')) return true;
  if (mime === 'video/vp8') return isVp8KeyframeStart(payload);
  if (mime === 'video/h264') return isH264KeyframeStart(payload);
  return false;
}

/**
 * VP8 (RFC 7741): where the VP8 payload header starts, if `payload` starts partition 0 of a frame (S=1, PID=0);
 * else null.
 */
export function vp8PayloadHeaderOffset(payload: Uint8Array): number | null {
  if (payload.length < 1) return null;
  const b0 = payload[0]!;
  const start = (b0 & 0x10) !== 0;
  const pid = b0 & 0x07;
  if (!start || pid !== 0) return null;
  let i = 1;
  if (b0 & 0x80) {
    // Extension byte X: I (picture ID), L (TL0PICIDX), T or K (TID/KEYIDX).
    if (payload.length < 2) return null;
    const x = payload[1]!;
    i = 2;
    if (x & 0x80) {
      if (payload.length <= i) return null;
      i += payload[i]! & 0x80 ? 2 : 1;
    }
    if (x & 0x40) i += 1;
    if (x & 0x30) i += 1;
  }
  return payload.length > i ? i : null;
}

/** VP8: the first byte of the VP8 payload header has P (lowest bit) 0 on a keyframe. */
export function isVp8KeyframeStart(payload: Uint8Array): boolean {
  const i = vp8PayloadHeaderOffset(payload);
  return i !== null && (payload[i]! & 0x01) === 0;
}

/**
 * The picture size a VP8 keyframe announces (RFC 6386 §9.1: 3-byte frame tag, start code 9d 01 2a, then 14-bit
 * little-endian width and height), or null if `payload` does not start a keyframe.
 */
export function vp8KeyframeSize(payload: Uint8Array): { width: number; height: number } | null {
  const i = vp8PayloadHeaderOffset(payload);
  if (i === null || (payload[i]! & 0x01) !== 0 || payload.length < i + 10) return null;
  if (payload[i + 3] !== 0x9d || payload[i + 4] !== 0x01 || payload[i + 5] !== 0x2a) return null;
  const width = (payload[i + 6]! | (payload[i + 7]! << 8)) & 0x3fff;
  const height = (payload[i + 8]! | (payload[i + 9]! << 8)) & 0x3fff;
  return { width, height };
}

/** H264 (RFC 6184): an IDR slice or SPS, alone, in a STAP-A, or at the start of an FU-A. */
export function isH264KeyframeStart(payload: Uint8Array): boolean {
  if (payload.length < 1) return false;
  const type = payload[0]! & 0x1f;
  if (type === 5 || type === 7) return true;
  if (type === 24) {
    // STAP-A: a sequence of (16-bit size, NAL unit).
    let i = 1;
    while (i + 2 < payload.length) {
      const size = (payload[i]! << 8) | payload[i + 1]!;
      const nalType = payload[i + 2]! & 0x1f;
      if (nalType === 5 || nalType === 7) return true;
      i += 2 + size;
    }
    return false;
  }
  if (type === 28 && payload.length >= 2) {
    const fuHeader = payload[1]!;
    const startBit = (fuHeader & 0x80) !== 0;
    const nalType = fuHeader & 0x1f;
    return startBit && (nalType === 5 || nalType === 7);
  }
  return false;
}
