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
 * VP8 (RFC 7741): the payload descriptor must start partition 0 (S=1, PID=0); the first byte after it is the
 * VP8 payload header, whose lowest bit P is 0 on a keyframe.
 */
export function isVp8KeyframeStart(payload: Uint8Array): boolean {
  if (payload.length < 1) return false;
  const b0 = payload[0]!;
  const start = (b0 & 0x10) !== 0;
  const pid = b0 & 0x07;
  if (!start || pid !== 0) return false;
  let i = 1;
  if (b0 & 0x80) {
    // Extension byte X: I (picture ID), L (TL0PICIDX), T or K (TID/KEYIDX).
    if (payload.length < 2) return false;
    const x = payload[1]!;
    i = 2;
    if (x & 0x80) {
      if (payload.length <= i) return false;
      i += payload[i]! & 0x80 ? 2 : 1;
    }
    if (x & 0x40) i += 1;
    if (x & 0x30) i += 1;
  }
  if (payload.length <= i) return false;
  return (payload[i]! & 0x01) === 0;
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
