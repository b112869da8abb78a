import { MediaFormatError } from '../MediaFormatError.js';
import { OPUS_CLOCK_RATE } from '../opusToc.js';
import { parseOpusPacket } from './opusPadding.js';
import { appendSyntheticTag, readSyntheticTag, SYNTHETIC_TAG_SIZE } from './syntheticTag.js';
import {
  TONE_FRAME_SAMPLES,
  TONE_LOOP_PACKETS,
  TONE_PADDING_MARKER,
  TONE_PADDING_SIZE,
  type ToneLoop,
  toneLoop,
} from './ToneLoop.js';

/** Options of a {@link SyntheticMicrophone}. */
export interface SyntheticMicrophoneOptions {
  /** 2 (default, like WebRTC's opus/48000/2) or 1. Both channels carry the same tone. */
  channels?: 1 | 2;
  /** Tone frequency in whole Hz, 1..23999 (a second then holds whole periods: see below); default 440. */
  frequency?: number;
  /** Peak amplitude as a fraction of full scale, 0..1; default 0.25 (-12 dBFS). */
  amplitude?: number;
  /** Opus target bitrate in bits per second; default 64000. */
  bitrate?: number;
}

/** One 20 ms Opus packet of a {@link SyntheticMicrophone}. */
export interface EncodedAudioPacket {
  /** The Opus packet, re-framed as code 3 with its number in the padding. */
  data: Buffer;
  /** Packet number, from 0. */
  index: number;
  /** Samples at 48 kHz per channel: 960. The RTP timestamp advances by this much per packet. */
  samples: number;
}

/**
 * libopus's encoder delay at 48 kHz in the AUDIO application (2.5 ms look-ahead + 4 ms delay
 * compensation): the pre-skip an Ogg Opus header needs. opusscript cannot pass the pointer that
 * OPUS_GET_LOOKAHEAD needs, so it is stated here.
 */
const ENCODER_DELAY = 312;

/**
 * A virtual microphone: a sine tone encoded with libopus (opusscript, compiled to WebAssembly) in
 * 20 ms packets at 48 kHz. Each packet carries its number in the Opus padding, which decoders skip
 * and {@link readSyntheticPacketNumber} reads. A pure generator; the caller paces it, one packet per
 * 20 ms.
 *
 * The tone repeats every second, so it is encoded once, one second of it, and every microphone playing
 * the same tone (channels, frequency, amplitude, bitrate) replays those shared packets with its own
 * numbers: a microphone costs a few hundred bytes and a copy per packet, and a process can hold
 * thousands. The first microphone of a tone encodes it (100 packets, some tens of milliseconds).
 *
 * @example
 * const mic = new SyntheticMicrophone({ frequency: 440 });
 * const timer = setInterval(() => sendOpus(mic.nextPacket()), 20);
 * // later: clearInterval(timer); mic.close();
 */
export class SyntheticMicrophone {
  /** Opus always runs at 48 kHz. */
  static readonly sampleRate = OPUS_CLOCK_RATE;
  readonly channels: 1 | 2;
  readonly frequency: number;
  readonly amplitude: number;
  /** Samples per channel in each packet (20 ms). */
  readonly frameSamples = TONE_FRAME_SAMPLES;
  /** The encoder's delay in 48 kHz samples, for an Ogg Opus header's pre-skip. */
  readonly preSkip = ENCODER_DELAY;
  private loop: ToneLoop | undefined;
  private index = 0;

  constructor(options: SyntheticMicrophoneOptions = {}) {
    this.channels = options.channels ?? 2;
    if (this.channels !== 1 && this.channels !== 2) {
      throw new TypeError(`SyntheticMicrophone channels must be 1 or 2, got ${options.channels}`);
    }
    this.frequency = options.frequency ?? 440;
    if (!(Number.isInteger(this.frequency) && this.frequency > 0 && this.frequency < OPUS_CLOCK_RATE / 2)) {
      throw new TypeError(
        `SyntheticMicrophone frequency must be a whole number of Hz in 1..23999, got ${options.frequency}`,
      );
    }
    this.amplitude = options.amplitude ?? 0.25;
    if (!(this.amplitude >= 0 && this.amplitude <= 1)) {
      throw new TypeError(`SyntheticMicrophone amplitude must be in [0, 1], got ${options.amplitude}`);
    }
    const bitrate = options.bitrate ?? 64_000;
    if (!(Number.isInteger(bitrate) && bitrate >= 500 && bitrate <= 512_000)) {
      throw new TypeError(`SyntheticMicrophone bitrate must be 500..512000 bit/s, got ${options.bitrate}`);
    }
    this.loop = toneLoop({
      channels: this.channels,
      frequency: this.frequency,
      amplitude: this.amplitude,
      bitrate,
    });
  }

  /** True once {@link close} has been called. */
  get closed(): boolean {
    return this.loop === undefined;
  }

  /** Number of the packet the next {@link nextPacket} call returns. */
  get nextIndex(): number {
    return this.index;
  }

  /** The next 20 ms of the tone, numbered. */
  nextPacket(): EncodedAudioPacket {
    if (!this.loop) throw new Error('SyntheticMicrophone.nextPacket() after close()');
    const index = this.index++;
    const padded = this.loop.packets[index % TONE_LOOP_PACKETS] as Buffer;
    const data = appendSyntheticTag(padded.subarray(0, padded.length - SYNTHETIC_TAG_SIZE), index >>> 0);
    return { data, index, samples: TONE_FRAME_SAMPLES };
  }

  /** Lets go of the shared tone. Idempotent; {@link nextPacket} throws afterwards. */
  close(): void {
    this.loop = undefined;
  }
}

/**
 * The packet number of a {@link SyntheticMicrophone} packet, read from its padding without decoding;
 * null for a packet that is not one of ours, is not valid Opus framing, or whose bytes were damaged.
 *
 * @example
 * const n = readSyntheticPacketNumber(rtpPacket.payload); // 17, or null
 */
export function readSyntheticPacketNumber(packet: Uint8Array): number | null {
  let padding: Uint8Array;
  try {
    padding = parseOpusPacket(packet).padding;
  } catch (e) {
    if (e instanceof MediaFormatError) return null;
    throw e;
  }
  if (padding.length !== TONE_PADDING_SIZE || padding[0] !== TONE_PADDING_MARKER) return null;
  return readSyntheticTag(packet);
}
