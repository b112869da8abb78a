import { MediaFormatError } from './MediaFormatError.js';

/** Opus always counts time in 48 kHz samples, whatever the input or output rate (RFC 7587 §4.1). */
export const OPUS_CLOCK_RATE = 48_000;

/** What the TOC byte (and, for code 3, the frame-count byte) of an Opus packet says (RFC 6716 §3.1). */
export interface OpusToc {
  mode: 'silk' | 'hybrid' | 'celt';
  /** Duration of one frame in 48 kHz samples: 120, 240, 480, 960, 1920 or 2880. */
  frameSamples: number;
  frameCount: number;
  stereo: boolean;
}

// Frame durations in 48 kHz samples, indexed by the low bits of the configuration number.
const SILK_SAMPLES = [480, 960, 1920, 2880];
const HYBRID_SAMPLES = [480, 960];
const CELT_SAMPLES = [120, 240, 480, 960];
const MAX_PACKET_SAMPLES = 5760; // 120 ms, the RFC 6716 limit for one packet.

/**
 * Parses the TOC of an Opus packet. Throws `MediaFormatError` for an empty packet, a code-3 packet
 * without its frame-count byte, or a packet longer than 120 ms.
 *
 * @example
 * parseOpusToc(packet).frameSamples // 960 for 20 ms frames
 */
export function parseOpusToc(packet: Uint8Array): OpusToc {
  if (packet.length === 0) throw MediaFormatError.truncated('Opus packet TOC', 0, 1, 0);
  const toc = packet[0] as number;
  const config = toc >> 3;
  let mode: OpusToc['mode'];
  let frameSamples: number;
  if (config < 12) {
    mode = 'silk';
    frameSamples = SILK_SAMPLES[config & 3] as number;
  } else if (config < 16) {
    mode = 'hybrid';
    frameSamples = HYBRID_SAMPLES[config & 1] as number;
  } else {
    mode = 'celt';
    frameSamples = CELT_SAMPLES[config & 3] as number;
  }
  let frameCount: number;
  switch (toc & 3) {
    case 0:
      frameCount = 1;
      break;
    case 1:
    case 2:
      frameCount = 2;
      break;
    default: {
      if (packet.length < 2) throw MediaFormatError.truncated('Opus code-3 frame count', 1, 1, 0);
      frameCount = (packet[1] as number) & 0x3f;
      if (frameCount === 0)
        throw new MediaFormatError('bad-structure', 'Opus code-3 packet with zero frames');
    }
  }
  if (frameSamples * frameCount > MAX_PACKET_SAMPLES) {
    throw new MediaFormatError(
      'bad-structure',
      `Opus packet of ${frameSamples * frameCount} samples exceeds 120 ms`,
    );
  }
  return { mode, frameSamples, frameCount, stereo: (toc & 4) !== 0 };
}

/** Duration of an Opus packet in 48 kHz samples; this is the RTP timestamp step and the granule step. */
export function opusPacketSamples(packet: Uint8Array): number {
  const toc = parseOpusToc(packet);
  return toc.frameSamples * toc.frameCount;
}
