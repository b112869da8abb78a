import OpusScript from 'opusscript';
import { MediaFormatError } from '../MediaFormatError.js';
import { OPUS_CLOCK_RATE } from '../opusToc.js';
import { padOpusPacket, parseOpusPacket } from './opusPadding.js';
import { appendSyntheticTag, readSyntheticTag, SYNTHETIC_TAG_SIZE } from './syntheticTag.js';

/** Options of a {@link SyntheticMicrophone}. */
export interface SyntheticMicrophoneOptions {
  /** 2 (default, like WebRTC's opus/48000/2) or 1. Both channels carry the same tone. */
  channels?: 1 | 2;
  /** Tone frequency in Hz; default 440. */
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

/** Samples per channel in one 20 ms packet at 48 kHz. */
const FRAME_SAMPLES = 960;
/**
 * libopus's encoder delay at 48 kHz in the AUDIO application (2.5 ms look-ahead + 4 ms delay
 * compensation): the pre-skip an Ogg Opus header needs. opusscript cannot pass the pointer that
 * OPUS_GET_LOOKAHEAD needs, so it is stated here.
 */
const ENCODER_DELAY = 312;
/**
 * The padding starts with a 0x00 byte: in the Opus extension format (draft-ietf-mlcodec-opus-extension,
 * which libopus 1.5 parses) extension ID 0 with L=0 means "the rest is padding", so a decoder that
 * reads extensions skips the tag after it, and older decoders ignore padding altogether.
 */
const PADDING_MARKER = 0x00;
const PADDING_SIZE = 1 + SYNTHETIC_TAG_SIZE;

/**
 * A virtual microphone: a sine tone encoded with libopus (opusscript, compiled to WebAssembly) in
 * 20 ms packets at 48 kHz. Each packet carries its number in the Opus padding, which decoders skip
 * and {@link readSyntheticPacketNumber} reads. A pure generator; the caller paces it, one packet per
 * 20 ms. `close()` frees the encoder's WebAssembly memory.
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
  readonly frameSamples = FRAME_SAMPLES;
  /** The encoder's delay in 48 kHz samples, for an Ogg Opus header's pre-skip. */
  readonly preSkip = ENCODER_DELAY;
  private encoder: OpusScript | undefined;
  private index = 0;
  private phase = 0;

  constructor(options: SyntheticMicrophoneOptions = {}) {
    this.channels = options.channels ?? 2;
    if (this.channels !== 1 && this.channels !== 2) {
      throw new TypeError(`SyntheticMicrophone channels must be 1 or 2, got ${options.channels}`);
    }
    this.frequency = options.frequency ?? 440;
    if (!(this.frequency > 0 && this.frequency < OPUS_CLOCK_RATE / 2)) {
      throw new TypeError(`SyntheticMicrophone frequency must be in (0, 24000) Hz, got ${options.frequency}`);
    }
    this.amplitude = options.amplitude ?? 0.25;
    if (!(this.amplitude >= 0 && this.amplitude <= 1)) {
      throw new TypeError(`SyntheticMicrophone amplitude must be in [0, 1], got ${options.amplitude}`);
    }
    const bitrate = options.bitrate ?? 64_000;
    if (!(Number.isInteger(bitrate) && bitrate >= 500 && bitrate <= 512_000)) {
      throw new TypeError(`SyntheticMicrophone bitrate must be 500..512000 bit/s, got ${options.bitrate}`);
    }
    this.encoder = new OpusScript(OPUS_CLOCK_RATE, this.channels, OpusScript.Application.AUDIO);
    this.encoder.setBitrate(bitrate);
  }

  /** True once {@link close} has been called. */
  get closed(): boolean {
    return this.encoder === undefined;
  }

  /** Number of the packet the next {@link nextPacket} call returns. */
  get nextIndex(): number {
    return this.index;
  }

  /** Generates and encodes the next 20 ms of the tone. */
  nextPacket(): EncodedAudioPacket {
    if (!this.encoder) throw new Error('SyntheticMicrophone.nextPacket() after close()');
    const pcm = Buffer.alloc(FRAME_SAMPLES * this.channels * 2);
    const step = (2 * Math.PI * this.frequency) / OPUS_CLOCK_RATE;
    const peak = this.amplitude * 32767;
    for (let i = 0; i < FRAME_SAMPLES; i++) {
      const sample = Math.round(peak * Math.sin(this.phase));
      // Keeping the phase in [0, 2π) keeps the tone exact however long the microphone runs.
      this.phase = (this.phase + step) % (2 * Math.PI);
      for (let c = 0; c < this.channels; c++) pcm.writeInt16LE(sample, (i * this.channels + c) * 2);
    }
    const index = this.index++;
    const encoded = this.encoder.encode(pcm, FRAME_SAMPLES);
    const padded = padOpusPacket(encoded, new Uint8Array(PADDING_SIZE).fill(PADDING_MARKER, 0, 1));
    const data = appendSyntheticTag(padded.subarray(0, padded.length - SYNTHETIC_TAG_SIZE), index >>> 0);
    return { data, index, samples: FRAME_SAMPLES };
  }

  /** Frees the encoder. Idempotent; {@link nextPacket} throws afterwards. */
  close(): void {
    this.encoder?.delete();
    this.encoder = undefined;
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
  if (padding.length !== PADDING_SIZE || padding[0] !== PADDING_MARKER) return null;
  return readSyntheticTag(packet);
}
